"""Every read of proposals that a person sees, already limited to what that person may see.

Who sees what (the same rule as ``proposal_workflow.may_see``, as a database filter):
- the author and the proposer: their own proposals, drafts included;
- seated representatives of the term: every proposal of its sessions except drafts (suggestions, to adopt
  them; from ``seconding`` on, to second them; and every decision);
- cadres with ``congress.view_proposals``: every proposal in their scope;
- handlers: the proposals referred to their departments.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, has_permission_anywhere, scope_roots
from unionhome.access.scope import unit_scope_q
from unionhome.congress import proposal_workflow as workflow
from unionhome.congress.models import (
    CongressSession,
    HandlingDepartment,
    Proposal,
    Representative,
)
from unionhome.congress.seats import seat_in
from unionhome.home.member_prompts import Prompt
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.org.models import OrgUnit

PAGE_SIZE = 30
QUEUE_LIMIT = 20
Status = Proposal.Status


def seated_terms(viewer) -> list[int]:
    member_id = getattr(viewer, "member_id", None)
    if member_id is None:
        return []
    return list(
        Representative.objects.filter(member_id=member_id, status=Representative.Status.SEATED).values_list(
            "congress_id", flat=True
        )
    )


def handled_departments(viewer) -> list[int]:
    if not getattr(viewer, "is_authenticated", False):
        return []
    return list(
        HandlingDepartment.handlers.through.objects.filter(user_id=viewer.pk).values_list(
            "handlingdepartment_id", flat=True
        )
    )


def visible_q(viewer) -> Q:
    """Proposals ``viewer`` may see, as one filter (two small queries to build it)."""
    q = unit_scope_q(viewer, workflow.VIEW_PERMISSION)
    member_id = getattr(viewer, "member_id", None)
    if member_id is not None:
        q |= Q(author_id=member_id) | Q(proposer__member_id=member_id)
        terms = seated_terms(viewer)
        if terms:
            q |= Q(session__congress_id__in=terms) & ~Q(status__in=workflow.PRIVATE)
    departments = handled_departments(viewer)
    if departments:
        q |= Q(department_id__in=departments)
    return q


@dataclass
class Filters:
    status: str = ""
    session: CongressSession | None = None
    department: HandlingDepartment | None = None
    unit: OrgUnit | None = None
    mine: bool = False


def proposals_for(viewer, filters: Filters | None = None) -> QuerySet[Proposal]:
    """Proposals the viewer may see, newest first, with what a list row shows: constant queries per page."""
    filters = filters or Filters()
    found = Proposal.objects.filter(visible_q(viewer))
    if filters.status in Status.values:
        found = found.filter(status=filters.status)
    if filters.session is not None:
        found = found.filter(session=filters.session)
    if filters.department is not None:
        found = found.filter(department=filters.department)
    if filters.unit is not None:
        found = found.filter(unit_path__startswith=filters.unit.path)
    if filters.mine:
        member_id = getattr(viewer, "member_id", None)
        found = found.filter(Q(author_id=member_id) | Q(proposer__member_id=member_id)) if member_id else found.none()
    return (
        found.select_related("session", "proposer__member", "author", "department")
        .annotate(seconders=Count("secondings", distinct=True))
        .order_by("-created_at", "-id")
    )


def proposal_page(found: QuerySet[Proposal], cursor: str | None, size: int | None = None) -> KeysetPage:
    """One page by keyset on (``created_at``, ``id``), newest first."""
    return time_keyset_page(found, cursor, field="created_at", size=size or PAGE_SIZE)


def proposal_for(viewer, pk: int) -> Proposal:
    """One proposal the viewer may see; ``OutOfScope`` (404) otherwise."""
    proposal = (
        Proposal.objects.select_related(
            "session__congress__unit", "proposer__member__unit", "author__unit", "department", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not workflow.may_see(viewer, proposal):
        raise OutOfScope()
    return proposal


def proposal_detail(viewer, proposal: Proposal) -> dict[str, Any]:
    """Everything the detail page (and the API) show: history, secondings, replies, progress, actions."""
    secondings = list(proposal.secondings.select_related("representative__member__unit"))
    replies = list(proposal.replies.select_related("department", "replied_by"))
    actions = workflow.available(viewer, proposal)
    seat = seat_in(viewer, proposal.session.congress_id)
    seconded = seat is not None and any(s.representative_id == seat.pk for s in secondings)
    if seconded and "second" in actions:
        actions.remove("second")
    latest = replies[-1] if replies else None
    awaiting = latest if latest is not None and not latest.rating and proposal.status == Status.REPLIED else None
    return {
        "proposal": proposal,
        "events": [
            {
                "action": event.action,
                "label": workflow.action_label(event.action),
                "from_status": workflow.status_label(event.from_status) if event.from_status else "",
                "to_status": workflow.status_label(event.to_status),
                "note": event.note,
                "actor": str(event.actor) if event.actor is not None else _("The system"),
                "at": event.created_at,
            }
            for event in proposal.events.select_related("actor")
        ],
        "secondings": secondings,
        "seconders_needed": workflow.seconders_needed(proposal),
        "seconded": seconded,
        "replies": replies,
        "progress": list(proposal.progress.select_related("recorded_by")),
        "merged_proposals": list(proposal.merged_proposals.only("pk", "title", "status")),
        "actions": actions,
        "is_proposer": workflow.is_proposer(viewer, proposal),
        "may_record_progress": workflow.may_record_progress(viewer, proposal),
        "awaiting_rating": awaiting,
        "open": workflow.proposals_open(proposal.session, timezone.now()),
    }


def merge_candidates(proposal: Proposal) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(session_id=proposal.session_id, status__in=(Status.SUBMITTED, Status.ACCEPTED))
        .exclude(pk=proposal.pk)
        .order_by("number", "pk")
    )


def departments_of(proposal: Proposal) -> QuerySet[HandlingDepartment]:
    return HandlingDepartment.objects.filter(unit_id=proposal.session.congress.unit_id, is_active=True).order_by("name")


def sessions_for_drafting(viewer) -> list[CongressSession]:
    """Sessions still taking proposals in terms where the viewer holds a seat."""
    terms = seated_terms(viewer)
    now = timezone.now()
    sessions = CongressSession.objects.filter(congress_id__in=terms).exclude(status=CongressSession.Status.CLOSED)
    return [s for s in sessions.select_related("congress").order_by("-starts_at") if workflow.proposals_open(s, now)]


def sessions_for_suggesting(viewer) -> list[CongressSession]:
    """Sessions still taking proposals of the union the viewer is a member of."""
    member = getattr(viewer, "member", None) if getattr(viewer, "member_id", None) else None
    if member is None:
        return []
    now = timezone.now()
    sessions = CongressSession.objects.filter(congress__unit_id=member.union_id).exclude(
        status=CongressSession.Status.CLOSED
    )
    return [s for s in sessions.select_related("congress").order_by("-starts_at") if workflow.proposals_open(s, now)]


def filter_choices(viewer) -> dict[str, list]:
    """Sessions, departments and units the list's filters offer (only what the viewer can reach)."""
    terms = set(seated_terms(viewer))
    roots = scope_roots(viewer, workflow.VIEW_PERMISSION)
    session_q = Q(congress_id__in=terms)
    for root in roots:
        above = [root[:end] for end in range(OrgUnit.steplen, len(root) + 1, OrgUnit.steplen)]
        session_q |= Q(unit_path__startswith=root) | Q(unit_path__in=above)
    departments = handled_departments(viewer)
    department_q = Q(pk__in=departments)
    unit_q = Q(pk__in=[])
    for root in roots:
        department_q |= Q(unit_path__startswith=root)
        unit_q |= Q(path__startswith=root, depth__lte=len(root) // OrgUnit.steplen + 1)
    member_union = getattr(getattr(viewer, "member", None), "union_id", None) if viewer.member_id else None
    if member_union:
        session_q |= Q(congress__unit_id=member_union)
    return {
        "sessions": list(CongressSession.objects.filter(session_q).order_by("-starts_at")[:20]),
        "departments": list(HandlingDepartment.objects.filter(department_q).order_by("name")[:100]),
        "units": list(OrgUnit.objects.filter(unit_q).order_by("path")[:100]) if roots else [],
    }


# --- the work queue ------------------------------------------------------------------------------


def proposal_work_items(user) -> list[WorkItem]:
    """Proposals waiting for this user: replies due (handlers), reviews and referrals (committee).
    At most ``QUEUE_LIMIT`` of each kind. What waits for a representative is in ``proposal_prompts``."""
    items: list[WorkItem] = []
    departments = handled_departments(user)
    if departments:
        for p in Proposal.objects.filter(
            department_id__in=departments, status__in=(Status.REFERRED, Status.REHANDLING)
        ).order_by("reply_due_on", "pk")[:QUEUE_LIMIT]:
            items.append(
                WorkItem(
                    _("Reply to proposal: %(title)s") % {"title": p.title},
                    reverse("congress:proposal_detail", args=[p.pk]),
                    p.reply_due_on.isoformat() if p.reply_due_on else "",
                    "congress.proposal.reply",
                )
            )
    if has_permission_anywhere(user, workflow.REVIEW_PERMISSION):
        waiting = Proposal.objects.filter(unit_scope_q(user, workflow.REVIEW_PERMISSION)).filter(
            status__in=(Status.SUBMITTED, Status.ACCEPTED)
        )
        for p in waiting.order_by("created_at", "pk")[:QUEUE_LIMIT]:
            title = (
                _("Review proposal: %(title)s") if p.status == Status.SUBMITTED else _("Refer proposal: %(title)s")
            ) % {"title": p.title}
            items.append(
                WorkItem(title, reverse("congress:proposal_detail", args=[p.pk]), "", "congress.proposal.review")
            )
    return items


def proposal_prompts(user) -> list[Prompt]:
    """Home-page prompts for a representative: replies to their proposals waiting for their rating, and
    proposals of their term open for seconding that they have not seconded (two queries)."""
    member_id = getattr(user, "member_id", None)
    if member_id is None:
        return []
    prompts = [
        Prompt(
            _("Rate the reply to your proposal: %(title)s") % {"title": p.title},
            reverse("congress:proposal_detail", args=[p.pk]),
            p.rating_due_on.isoformat() if p.rating_due_on else "",
            urgent=True,
        )
        for p in Proposal.objects.filter(proposer__member_id=member_id, status=Status.REPLIED).order_by(
            "rating_due_on", "pk"
        )[:QUEUE_LIMIT]
    ]
    seconding = (
        Proposal.objects.filter(
            status=Status.SECONDING,
            session__congress__representatives__member_id=member_id,
            session__congress__representatives__status="seated",
        )
        .exclude(proposer__member_id=member_id)
        .exclude(secondings__representative__member_id=member_id)
        .distinct()
        .order_by("-submitted_at", "-pk")[:QUEUE_LIMIT]
    )
    prompts += [
        Prompt(
            _("Second this proposal?: %(title)s") % {"title": p.title}, reverse("congress:proposal_detail", args=[p.pk])
        )
        for p in seconding
    ]
    return prompts
