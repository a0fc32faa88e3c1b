"""Reads of decisions (决策前建议、决策中参与、决策后监督): who may follow which decision, and one decision's
timeline from its first opinion call to its implementation.

Who sees a decision:

* the congress office and chairs (``congress.manage_decisions``) of its union: every decision, drafts too;
* once it is public (an opinion call was opened, or it went to the congress):
  - members in the audience of one of its opinion calls;
  - seated representatives of the union's current congress term;
  - cadres holding ``congress.view`` on the union, above it or on a unit inside it;
* every member of the union, once it went to the congress (stage past "opinions being collected").

Anyone else gets ``OutOfScope`` (404). Comments are public to the audience once the adoption summary is
published; before that, only the office reads them (and a member their own named comments).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, scope_roots
from unionhome.access.scope import paths_scope_q, unit_scope_q
from unionhome.congress.models import (
    Congress,
    Decision,
    DecisionTracking,
    Motion,
    OpinionCall,
    OpinionComment,
    Representative,
    TrackingInspection,
    TrackingMilestone,
    Vote,
)
from unionhome.disclosure.models import Notice
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.org.models import Member, OrgUnit

PERMISSION = "congress.manage_decisions"
VIEW_PERMISSION = "congress.view"
PAGE_SIZE = 30
WORK_QUEUE_ITEMS = 20
NOTICE_YEARS = 2
TAKEN_UP = (OpinionComment.Adoption.ADOPTED, OpinionComment.Adoption.PARTLY)


def prefixes(path: str) -> list[str]:
    """The path of the unit and of each unit above it."""
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def member_of(viewer) -> Member | None:
    member_id = getattr(viewer, "member_id", None)
    if member_id is None:
        return None
    member = getattr(viewer, "_decisions_member", None)
    if member is None:
        member = Member.objects.filter(pk=member_id, status=Member.Status.ACTIVE).first() or False
        viewer._decisions_member = member
    return member or None


def current_seat(viewer, union_path: str, today: datetime.date | None = None) -> Representative | None:
    """The viewer's seat in the current congress term of the union at ``union_path``, if seated."""
    member_id = getattr(viewer, "member_id", None)
    if member_id is None or not getattr(viewer, "is_active", False):
        return None
    today = today or timezone.localdate()
    return (
        Representative.objects.filter(
            member_id=member_id,
            status=Representative.Status.SEATED,
            congress__unit_path=union_path,
            congress__starts_on__lte=today,
            congress__ends_on__gte=today,
        )
        .select_related("member", "congress")
        .order_by("-congress__number")
        .first()
    )


def _seated_union_paths(viewer) -> list[str]:
    member_id = getattr(viewer, "member_id", None)
    if member_id is None:
        return []
    today = timezone.localdate()
    return list(
        Congress.objects.filter(
            representatives__member_id=member_id,
            representatives__status=Representative.Status.SEATED,
            starts_on__lte=today,
            ends_on__gte=today,
        ).values_list("unit_path", flat=True)
    )


def _visible_q(viewer) -> Q:
    q = unit_scope_q(viewer, PERMISSION)
    has_call = Q(Exists(OpinionCall.objects.filter(decision=OuterRef("pk"))))
    public = has_call | ~Q(stage=Decision.Stage.CONSULTING)
    roots = scope_roots(viewer, VIEW_PERMISSION)
    if roots:
        above = sorted({p for root in roots for p in prefixes(root)})
        q |= public & (Q(unit_path__in=above) | paths_scope_q(roots))
    member = member_of(viewer)
    if member is not None:
        mine = prefixes(member.unit_path)
        q |= Q(Exists(OpinionCall.objects.filter(decision=OuterRef("pk"), audience_path__in=mine)))
        q |= Q(unit_path__in=mine) & ~Q(stage=Decision.Stage.CONSULTING)
    seated = _seated_union_paths(viewer)
    if seated:
        q |= Q(unit_path__in=seated) & public
    return q


def decisions_for(viewer) -> QuerySet[Decision]:
    """Every decision the viewer may follow, newest first, ready for a list (constant queries)."""
    if not getattr(viewer, "is_authenticated", False):
        return Decision.objects.none()
    return (
        Decision.objects.filter(_visible_q(viewer))
        .select_related("unit", "tracking")
        .annotate(call_count=Count("opinion_calls", distinct=True))
        .order_by("-created_at", "-id")
    )


def may_manage(viewer, obj) -> bool:
    return can(viewer, PERMISSION, obj)


def may_create(viewer) -> bool:
    return has_permission_anywhere(viewer, PERMISSION)


def decision_page(decisions: QuerySet[Decision], cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page by keyset on (``created_at``, ``id``), newest first."""
    return time_keyset_page(decisions, cursor, field="created_at", size=size)


def decision_for(viewer, pk: int) -> Decision:
    """One decision the viewer may follow; ``OutOfScope`` (404) otherwise."""
    decision = decisions_for(viewer).select_related("motion__session", "notice", "created_by").filter(pk=pk).first()
    if decision is None:
        raise OutOfScope
    return decision


def opinion_call_for(viewer, pk: int) -> OpinionCall:
    """One opinion call of a decision the viewer may follow; ``OutOfScope`` (404) otherwise."""
    call = OpinionCall.objects.select_related("audience", "decision").filter(pk=pk).first()
    if call is None or not decisions_for(viewer).filter(pk=call.decision_id).exists():
        raise OutOfScope
    return call


def comment_for(viewer, pk: int) -> OpinionComment:
    """A comment the viewer may mark (the office of its decision's union); ``OutOfScope`` otherwise."""
    comment = OpinionComment.objects.select_related("call__decision").filter(pk=pk).first()
    if comment is None or not may_manage(viewer, comment.call):
        raise OutOfScope
    return comment


def milestone_for(viewer, pk: int) -> TrackingMilestone:
    milestone = TrackingMilestone.objects.select_related("tracking__decision").filter(pk=pk).first()
    if milestone is None or not decisions_for(viewer).filter(pk=milestone.tracking.decision_id).exists():
        raise OutOfScope
    return milestone


def tracking_status(tracking: DecisionTracking, milestones: list[TrackingMilestone], today: datetime.date) -> str:
    """Done once marked done; delayed while a milestone is past due and not done; else on track."""
    if tracking.status == DecisionTracking.Status.DONE:
        return DecisionTracking.Status.DONE
    if any(m.done_on is None and m.due_on < today for m in milestones):
        return DecisionTracking.Status.DELAYED
    return DecisionTracking.Status.ON_TRACK


# --- One call's comments --------------------------------------------------------------------------


def comments_public(call: OpinionCall) -> bool:
    return call.status == OpinionCall.Status.SUMMARISED


def call_comments(viewer, call: OpinionCall) -> list[OpinionComment]:
    """The comments the viewer may read, each numbered (``number``) by day (random within a day): all of them
    for the office, all once the summary is published, else the viewer's own named comments."""
    rows = list(OpinionComment.objects.filter(call=call).select_related("author").order_by("submitted_on", "id"))
    for number, comment in enumerate(rows, start=1):
        comment.number = number
    if may_manage(viewer, call) or comments_public(call):
        return rows
    member = member_of(viewer)
    return [c for c in rows if member is not None and c.author_id == member.pk]


def named_comment_count(viewer, call: OpinionCall) -> int:
    member = member_of(viewer)
    return OpinionComment.objects.filter(call=call, author=member).count() if member else 0


# --- The timeline ---------------------------------------------------------------------------------


@dataclass
class VoteResult:
    vote: Vote
    closed: bool
    options: list[dict] = field(default_factory=list)
    participation: int = 0


@dataclass
class Timeline:
    decision: Decision
    calls: list[OpinionCall]
    taken_up: dict[int, list[OpinionComment]]
    votes: list[VoteResult]
    notice_url: str
    tracking: DecisionTracking | None
    tracking_status: str
    milestones: list[TrackingMilestone]
    inspections: list[TrackingInspection]
    average_score: float | None


def notice_url(notice: Notice | None) -> str:
    """The disclosure notice's page (the disclosure board itself when it has no page of its own yet)."""
    if notice is None:
        return ""
    for name in ("disclosure:notice_detail", "disclosure:notice"):
        try:
            return reverse(name, args=[notice.pk])
        except NoReverseMatch:
            continue
    return reverse("disclosure:index")


def vote_result(vote: Vote) -> VoteResult:
    """A vote's counts, only once it is closed (no partial results while it is open)."""
    if vote.status != Vote.Status.CLOSED:
        return VoteResult(vote=vote, closed=False)
    result = vote.result if isinstance(vote.result, dict) else {}
    options = [
        {"label": str(o.get("label", "")), "count": int(o.get("count") or 0)}
        for o in result.get("options", [])
        if isinstance(o, dict)
    ]
    participation = int(result.get("participation") or vote.participation_count or 0)
    return VoteResult(vote=vote, closed=True, options=options, participation=participation)


def decision_timeline(decision: Decision, today: datetime.date | None = None) -> Timeline:
    """Everything on one decision's page, in a fixed number of queries whatever the rows."""
    today = today or timezone.localdate()
    calls = list(
        decision.opinion_calls.select_related("audience")
        .annotate(comment_count=Count("comments"))
        .order_by("opens_at", "id")
    )
    taken_up: dict[int, list[OpinionComment]] = {c.pk: [] for c in calls}
    summarised = [c.pk for c in calls if c.status == OpinionCall.Status.SUMMARISED]
    if summarised:
        numbers: dict[int, int] = {}
        for comment in (
            OpinionComment.objects.filter(call_id__in=summarised)
            .select_related("author")
            .order_by("call_id", "submitted_on", "id")
        ):
            numbers[comment.call_id] = numbers.get(comment.call_id, 0) + 1
            comment.number = numbers[comment.call_id]
            if comment.adoption in TAKEN_UP:
                taken_up[comment.call_id].append(comment)
    votes = []
    if decision.motion_id:
        votes = [
            vote_result(v)
            for v in Vote.objects.filter(motion_id=decision.motion_id, kind=Vote.Kind.MOTION).order_by(
                "created_at", "id"
            )
        ]
    tracking = DecisionTracking.objects.filter(decision=decision).first()
    milestones, inspections, average = [], [], None
    status = ""
    if tracking is not None:
        milestones = list(tracking.milestones.order_by("due_on", "id"))
        inspections = list(
            tracking.inspections.select_related("representative__member").order_by("-inspected_on", "-id")
        )
        average = tracking.inspections.aggregate(avg=Avg("score"))["avg"] if inspections else None
        status = tracking_status(tracking, milestones, today)
        for m in milestones:
            m.late = m.done_on is None and m.due_on < today
    return Timeline(
        decision=decision,
        calls=calls,
        taken_up=taken_up,
        votes=votes,
        notice_url=notice_url(decision.notice) if decision.notice_id else "",
        tracking=tracking,
        tracking_status=status,
        milestones=milestones,
        inspections=inspections,
        average_score=round(average, 1) if average is not None else None,
    )


# --- What the office may link ---------------------------------------------------------------------


def motions_to_link(viewer, decision: Decision) -> QuerySet[Motion]:
    """Motions of the decision's union's congress sessions that the viewer may link."""
    return (
        Motion.objects.filter(unit_scope_q(viewer, PERMISSION), unit_path__startswith=decision.unit_path)
        .select_related("session")
        .order_by("-session__starts_at", "position", "id")
    )


def notices_to_link(viewer, decision: Decision) -> QuerySet[Notice]:
    """Published disclosure notices of the decision's union, of the last ``NOTICE_YEARS`` years."""
    since = timezone.now() - datetime.timedelta(days=366 * NOTICE_YEARS)
    return Notice.objects.filter(
        unit_scope_q(viewer, PERMISSION),
        unit_path__startswith=decision.unit_path,
        status=Notice.Status.PUBLISHED,
        publish_from__gte=since,
    ).order_by("-publish_from", "-id")


def audiences_for(viewer, decision: Decision) -> QuerySet[OrgUnit]:
    """Units of the decision's union an opinion call can go to (the union, its branches and groups)."""
    return OrgUnit.objects.filter(
        unit_scope_q(viewer, PERMISSION, "path"), path__startswith=decision.unit_path
    ).order_by("path")


def unions_for(viewer) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(unit_scope_q(viewer, PERMISSION, "path"), kind=OrgUnit.Kind.UNION).order_by("path")


# --- The office's work queue ----------------------------------------------------------------------


def decision_work_items(user) -> list[WorkItem]:
    """Work-queue provider: opinion calls past their deadline awaiting the adoption summary, and
    implementations running late, in the user's ``congress.manage_decisions`` scope."""
    if not getattr(user, "is_authenticated", False) or not has_permission_anywhere(user, PERMISSION):
        return []
    now = timezone.now()
    items = []
    calls = (
        OpinionCall.objects.filter(unit_scope_q(user, PERMISSION))
        .filter(Q(status=OpinionCall.Status.CLOSED) | Q(status=OpinionCall.Status.OPEN, closes_at__lte=now))
        .order_by("closes_at", "id")[:WORK_QUEUE_ITEMS]
    )
    for call in calls:
        items.append(
            WorkItem(
                title=_("Write the adoption summary: %(title)s") % {"title": call.title},
                url=reverse("congress:opinion_call", args=[call.pk]),
                due=_("closed on %(date)s") % {"date": timezone.localtime(call.closes_at).date().isoformat()},
                kind="congress.opinion_call",
            )
        )
    late = (
        DecisionTracking.objects.filter(unit_scope_q(user, PERMISSION), status=DecisionTracking.Status.DELAYED)
        .select_related("decision")
        .order_by("target_on", "id")[:WORK_QUEUE_ITEMS]
    )
    for tracking in late:
        items.append(
            WorkItem(
                title=_("Implementation delayed: %(title)s") % {"title": tracking.decision.title},
                url=reverse("congress:decision_detail", args=[tracking.decision_id]),
                due=_("to be done by %(date)s") % {"date": tracking.target_on.isoformat()},
                kind="congress.tracking",
            )
        )
    return items
