"""Every read of hardship files that a person sees, already limited to what that person may see.

Cadres see files through ``assistance.view_file`` on the member's unit (assistance officers and chairs);
a member always sees their own files. Anyone else, platform admins included, finds nothing: a file id
outside one's scope is ``OutOfScope`` (404), never a hint that it exists. Opening one file is recorded in
the audit trail ("who opened which file"). Lists carry no health or income figures; the detail masks
them unless the viewer holds ``assistance.view_sensitive`` on the file (or is the applicant).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can, scope_roots
from unionhome.access.scope import unit_scope_q
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import HardshipFile, Objection
from unionhome.audit.recorder import record
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, decode_cursor, encode_cursor
from unionhome.org.models import Member, OrgUnit
from unionhome.org.selectors import member_search

PAGE_SIZE = 50
QUEUE_LIMIT = 20
REVIEW_SOON_DAYS = 30
MASK = "••••"
State = HardshipFile.State


def _ordered(files: QuerySet[HardshipFile]) -> QuerySet[HardshipFile]:
    return files.select_related("member__unit").prefetch_related("causes")


def files_for(viewer, *, state: str | None = None, query: str | None = None) -> QuerySet[HardshipFile]:
    """Files in the viewer's ``assistance.view_file`` scope, newest change first, optionally of one state
    and matching a member search (name, pinyin initials, employee number). Constant queries per page."""
    files = HardshipFile.objects.filter(unit_scope_q(viewer, "assistance.view_file"))
    if state and state in State.values:
        files = files.filter(state=state)
    if query:
        files = files.filter(member__in=member_search(Member.objects.all(), query).values("pk"))
    return _ordered(files).order_by("-updated_at", "-id")


def file_page(files: QuerySet[HardshipFile], cursor: str | None, size: int | None = None) -> KeysetPage:
    """One page by keyset on (``updated_at``, ``id``), newest first: page 100 costs what page 1 costs."""
    size = size or PAGE_SIZE
    files = files.order_by("-updated_at", "-id")
    after = decode_cursor(cursor) if cursor else None
    moment = _moment(after[0]) if after else None
    if after and moment is not None:
        files = files.filter(Q(updated_at__lt=moment) | Q(updated_at=moment, id__lt=after[1]))
    rows = list(files[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([rows[-1].updated_at.isoformat(), rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=moment is not None)


def _moment(text: str) -> datetime.datetime | None:
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def file_for(viewer, pk: int, *, audit: bool = True) -> HardshipFile:
    """One file: the viewer's own or one in their scope; ``OutOfScope`` (404, recorded) otherwise.

    Each open is an audit event (``assistance.file.viewed``); pass ``audit=False`` only where the caller
    goes on to change the file (the change is recorded instead)."""
    file = HardshipFile.objects.select_related("member__unit", "union").filter(pk=pk).first()
    if file is None or not workflow.may_see(viewer, file):
        raise OutOfScope()
    if audit:
        record(viewer, "assistance.file.viewed", file, own=workflow.is_applicant(viewer, file))
    return file


def sees_sensitive(viewer, file: HardshipFile) -> bool:
    """Health, income and the situation unmasked: the applicant, or ``assistance.view_sensitive`` on the file."""
    return workflow.is_applicant(viewer, file) or can(viewer, "assistance.view_sensitive", file)


def file_detail(viewer, file: HardshipFile) -> dict[str, Any]:
    """What the detail page (and the API) show of a file to this viewer, masked where they may not see."""
    sensitive = sees_sensitive(viewer, file)
    applicant = workflow.is_applicant(viewer, file)
    cadre = can(viewer, "assistance.view_file", file)
    household = [
        {
            "relation": person.get_relation_display(),
            "relation_code": person.relation,
            "age": person.age if sensitive else None,
            "health": person.get_health_display() if sensitive else MASK,
            "health_code": person.health if sensitive else None,
            "health_note": person.health_note if sensitive else (MASK if person.health_note else ""),
            "monthly_income": person.monthly_income if sensitive else MASK,
            "employment": person.get_employment_display(),
            "employment_code": person.employment,
        }
        for person in file.household.all()
    ]
    return {
        "file": file,
        "sensitive": sensitive,
        "applicant": applicant,
        "cadre": cadre,
        "situation": file.situation if sensitive else MASK,
        "household_monthly_income": file.household_monthly_income if sensitive else MASK,
        "income_per_head": file.income_per_head if sensitive else MASK,
        "household": household,
        "causes": [c.get_cause_display() for c in file.causes.all()],
        "events": [
            {
                "label": workflow.action_label(event.action),
                "from_state": event.get_from_state_display() if event.from_state else "",
                "to_state": event.get_to_state_display(),
                "note": event.note,
                "actor": str(event.actor) if event.actor is not None else _("The system"),
                "at": event.occurred_at,
            }
            for event in file.events.select_related("actor")
        ],
        "documents": list(file.documents.all()),
        # Cadres' own records: objections and re-review notes are not shown to the applicant.
        "objections": list(file.objections.all()) if cadre and not applicant else [],
        "re_reviews": list(file.re_reviews.select_related("reviewed_by")) if cadre and not applicant else [],
    }


def own_files(member: Member | None) -> QuerySet[HardshipFile]:
    """The member's own files, newest first (none for an account without a member record)."""
    if member is None:
        return HardshipFile.objects.none()
    return _ordered(HardshipFile.objects.filter(member=member)).order_by("-created_at", "-id")


def _not_own(files: QuerySet[HardshipFile], viewer) -> QuerySet[HardshipFile]:
    return files.exclude(member_id=viewer.member_id) if viewer.member_id else files


def files_awaiting_review(viewer) -> QuerySet[HardshipFile]:
    """Submitted files the viewer may review for the branch (``assistance.review_file``), oldest first."""
    files = HardshipFile.objects.filter(unit_scope_q(viewer, "assistance.review_file"), state=State.SUBMITTED)
    return _ordered(_not_own(files, viewer)).order_by("submitted_at", "id")


def union_level_roots(viewer, permission: str = "assistance.approve_file") -> list[str]:
    """Paths of the unions (or federations) where the viewer holds ``permission``: union-level decisions."""
    roots = scope_roots(viewer, permission)
    if not roots:
        return []
    return list(
        OrgUnit.objects.filter(path__in=roots, kind__in=[OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION]).values_list(
            "path", flat=True
        )
    )


def paths_q(paths: list[str], field: str = "unit_path") -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def files_awaiting_approval(viewer) -> QuerySet[HardshipFile]:
    """Branch-reviewed files awaiting the union's approval by this viewer (not ones they reviewed)."""
    files = HardshipFile.objects.filter(paths_q(union_level_roots(viewer)), state=State.BRANCH_REVIEWED).exclude(
        branch_reviewed_by=viewer
    )
    return _ordered(_not_own(files, viewer)).order_by("updated_at", "id")


def re_reviews_due(viewer, today: datetime.date, *, within_days: int = REVIEW_SOON_DAYS) -> QuerySet[HardshipFile]:
    """Active files whose annual re-review is due within ``within_days`` or overdue (``overdue`` is set)."""
    files = HardshipFile.objects.filter(
        unit_scope_q(viewer, "assistance.approve_file"),
        state=State.ACTIVE,
        next_review_due__lte=today + datetime.timedelta(days=within_days),
    ).annotate(
        overdue=Case(
            When(next_review_due__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    return _ordered(_not_own(files, viewer)).order_by("next_review_due", "id")


def objections_open(viewer) -> QuerySet[Objection]:
    """Open objections to files in publicity that the viewer may decide (union level)."""
    return (
        Objection.objects.filter(
            paths_q(union_level_roots(viewer)),
            hardship_file__state=State.PUBLICITY,
            resolution=Objection.Resolution.OPEN,
        )
        .select_related("hardship_file__member")
        .order_by("recorded_at", "id")
    )


# --- the publicity notice board ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicityRow:
    name: str
    unit: str
    level: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None


PUBLICITY_LIMIT = 500


def publicity_notices_for_union(union_id: int | None) -> list[PublicityRow]:
    """Files of one union in their publicity period: name, unit and level only (never health or income)."""
    if union_id is None:
        return []
    rows = (
        HardshipFile.objects.filter(union_id=union_id, state=State.PUBLICITY)
        .order_by("member__unit__path", "member__name_pinyin", "id")
        .values_list("member__name", "member__unit__name", "level", "publicity_starts_on", "publicity_ends_on")
    )
    labels = dict(HardshipFile.Level.choices)
    return [
        PublicityRow(name, unit, str(labels.get(level, "")), starts, ends)
        for name, unit, level, starts, ends in rows[:PUBLICITY_LIMIT]
    ]


def publicity_notices(viewer_member: Member | None) -> list[PublicityRow]:
    """The publicity notices of the viewer's own union."""
    return publicity_notices_for_union(viewer_member.union_id if viewer_member is not None else None)


def publicity_union_for(viewer) -> OrgUnit | None:
    """Whose notice board a person reads: their own union; for a cadre without a member record, the union
    (or the first union below a federation) where they hold ``assistance.view_file``."""
    if viewer.member_id is not None:
        return OrgUnit.objects.filter(pk=viewer.member.union_id).first()
    roots = scope_roots(viewer, "assistance.view_file")
    if not roots:
        return None
    return OrgUnit.objects.filter(paths_q(roots, "path"), kind=OrgUnit.Kind.UNION).order_by("depth", "path").first()


# --- the cadre's work queue ----------------------------------------------------------------------


def file_work_items(user) -> list[WorkItem]:
    """Work-queue provider: files awaiting my branch review or union approval, re-reviews due (within 30
    days) or overdue, and open objections I decide. Four queries whatever the number of files (each list
    capped at ``QUEUE_LIMIT``)."""
    from django.utils import timezone

    today = timezone.localdate()
    items: list[WorkItem] = []

    def link(file: HardshipFile) -> str:
        return reverse("assistance:file_detail", args=[file.pk])

    for file in files_awaiting_review(user)[:QUEUE_LIMIT]:
        items.append(
            WorkItem(
                _("Hardship file of %(name)s: branch review") % {"name": file.member.name},
                link(file),
                file.submitted_at.date().isoformat() if file.submitted_at else "",
                "assistance.file.review",
            )
        )
    for file in files_awaiting_approval(user)[:QUEUE_LIMIT]:
        items.append(
            WorkItem(
                _("Hardship file of %(name)s: union approval") % {"name": file.member.name},
                link(file),
                "",
                "assistance.file.approve",
            )
        )
    for file in re_reviews_due(user, today)[:QUEUE_LIMIT]:
        title = (
            _("Hardship file of %(name)s: re-review overdue")
            if file.overdue
            else _("Hardship file of %(name)s: re-review due")
        )
        items.append(
            WorkItem(
                title % {"name": file.member.name},
                link(file),
                file.next_review_due.isoformat(),
                "assistance.file.re_review_overdue" if file.overdue else "assistance.file.re_review",
            )
        )
    for objection in objections_open(user)[:QUEUE_LIMIT]:
        file = objection.hardship_file
        items.append(
            WorkItem(
                _("Hardship file of %(name)s: objection to resolve") % {"name": file.member.name},
                link(file),
                "",
                "assistance.file.objection",
            )
        )
    return items
