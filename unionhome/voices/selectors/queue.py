"""A handler's queue of appeals (``/voices/queue/``) and the home page's work-queue provider.

The queue holds the appeals the viewer answers: those routed to them in person, those routed to a
handling department they handle for, and, in the subtrees where they hold ``voices.handle`` or
``voices.supervise`` (``access.scope``: a ``unit_path`` prefix), those routed to nobody (the branch's
supervisors answer them) and those escalated. Filters: status (open by default), category, overdue,
escalated, unit, and "everyone" (for ``voices.supervise``: every appeal of the viewer's units, also those
routed to a person or a department, as the permission promises). Open appeals come earliest answer
deadline first, so overdue appeals lead; a page at a time by keyset on (``answer_due``, id), which the
``appeal_*_queue``/``appeal_scope``/``appeal_escalated``/``appeal_open_due`` indexes serve. A history
(all statuses, or closed or withdrawn ones) comes newest first by (``submitted_at``, id): ``appeal_recent``
serves a federation's, whose appeals are nearly all in scope; narrower ones are sorted (``_history_key``).
A page costs the same few queries whatever its size.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from unionhome.access.policy import scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.org.models import OrgUnit
from unionhome.voices.handlers import HANDLE, SUPERVISE, department_ids_of
from unionhome.voices.models import Appeal
from unionhome.workdays.calendar import working_days_between

PAGE_SIZE = 25
WORK_ITEMS = 10
WAITING = (Appeal.Status.SUBMITTED, Appeal.Status.REOPENED)
STATUS_CHOICES = ("open", "all", *Appeal.Status.values)


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # "open", "all" or one ``Appeal.Status``
    category: str = ""
    overdue: bool = False
    escalated: bool = False
    unit: OrgUnit | None = None
    # A supervisor's view of every appeal of their units, also those routed to a person or a department.
    everyone: bool = False

    @property
    def history(self) -> bool:
        """Whether closed appeals are asked for too: the list then comes newest first, not by deadline."""
        return (self.status == "all" or self.status not in ("open", *Appeal.OPEN_STATUSES)) and not self.overdue


def scope_roots_of(viewer) -> list[str]:
    """The subtrees where the viewer supervises appeals (``voices.handle`` or ``voices.supervise``)."""
    roots = sorted(set(scope_roots(viewer, HANDLE)) | set(scope_roots(viewer, SUPERVISE)))
    tops: list[str] = []
    for path in roots:
        if not any(path.startswith(top) for top in tops):
            tops.append(path)
    return tops


def queue_q(viewer) -> Q:
    """The appeals ``viewer`` answers (see the module)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return Q(pk__in=[])
    mine = Q(handler_id=viewer.pk)
    departments = department_ids_of(viewer)
    if departments:
        mine |= Q(department_id__in=departments)
    roots = scope_roots_of(viewer)
    if roots:
        unrouted_or_escalated = Q(handler__isnull=True, department__isnull=True) | Q(escalation_unit__isnull=False)
        mine |= paths_scope_q(roots) & unrouted_or_escalated
    return mine


def overdue_q(now: datetime.datetime) -> Q:
    return Q(status__in=Appeal.OPEN_STATUSES) & (
        Q(status__in=WAITING, acknowledge_due__lte=now) | Q(answer_due__lte=now)
    )


WIDE_SHARE = 10  # a scope with at least a tenth of all members walks the whole history newest first


def _history_key(viewer):
    """The key a history is ordered by: ``submitted_at`` itself for a viewer whose scope holds at least a
    tenth of all members (a federation's chair: walking ``appeal_recent`` newest first finds a page of
    theirs at once), else the same value behind ``COALESCE`` so that PostgreSQL sorts the viewer's own
    rows, found through the scope's indexes. The planner cannot tell how one branch's 200 appeals spread
    over two million, and walking the whole index for them took 0.4 s (``bench/RESULTS.md``)."""
    roots = scope_roots_of(viewer)
    if roots:
        sizes = OrgUnit.objects.filter(Q(path__in=roots) | Q(depth=1)).values_list(
            "path", "depth", "subtree_member_count"
        )
        inside = sum(n for path, _depth, n in sizes if path in roots)
        everyone = sum(n for _path, depth, n in sizes if depth == 1)
        if everyone and inside * WIDE_SHARE >= everyone:
            return F("submitted_at")
    return Coalesce("submitted_at", "submitted_at")


def queue_for(viewer, filters: QueueFilters | None = None, *, now: datetime.datetime | None = None) -> QuerySet:
    filters = filters or QueueFilters()
    now = now or timezone.now()
    supervised = scope_roots(viewer, SUPERVISE) if filters.everyone else []
    rows = Appeal.objects.filter(queue_q(viewer) | paths_scope_q(supervised) if supervised else queue_q(viewer))
    if filters.status == "open":
        rows = rows.filter(status__in=Appeal.OPEN_STATUSES)
    elif filters.status in Appeal.Status.values:
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.overdue:
        rows = rows.filter(overdue_q(now))
    if filters.escalated:
        rows = rows.filter(escalation_unit__isnull=False)
    if filters.unit is not None:
        rows = rows.filter(paths_scope_q([filters.unit.path]))
    if filters.history:
        rows = rows.annotate(recent=_history_key(viewer))
    # The details and topic words are not shown in a queue: leaving them out keeps a federation's sort in memory.
    return rows.select_related("member", "unit", "branch", "handler", "department", "escalation_unit").defer(
        "body", "keywords"
    )


def queue_page(
    rows: QuerySet, cursor: str | None, *, size: int = PAGE_SIZE, filters: QueueFilters | None = None
) -> KeysetPage:
    """A page of ``rows``: earliest answer deadline first, or newest first for a history (``filters``)."""
    if filters is not None and filters.history:
        page = time_keyset_page(rows, cursor, field="recent", size=size, newest_first=True)
    else:
        page = time_keyset_page(rows, cursor, field="answer_due", size=size, newest_first=False)
    now = timezone.now()
    for appeal in page.items:
        annotate_deadlines(appeal, now)
    return page


def _days_left(due: datetime.datetime, today: datetime.date) -> int:
    """Working days left before ``due``: 0 when it falls due today (a deadline at midnight is the end
    of the day before)."""
    last_day = timezone.localtime(due - datetime.timedelta(microseconds=1)).date()
    return working_days_between(today, last_day)


def annotate_deadlines(appeal: Appeal, now: datetime.datetime) -> Appeal:
    """Set ``ack_overdue``, ``answer_overdue``, ``overdue``, ``ack_pending`` and the working days left."""
    today = timezone.localdate(now)
    appeal.ack_pending = appeal.status in WAITING
    appeal.ack_overdue = appeal.ack_pending and appeal.acknowledge_due <= now
    appeal.answer_overdue = appeal.is_open and appeal.answer_due <= now
    appeal.overdue = appeal.ack_overdue or appeal.answer_overdue
    appeal.ack_days_left = _days_left(appeal.acknowledge_due, today) if appeal.ack_pending else None
    appeal.answer_days_left = _days_left(appeal.answer_due, today) if appeal.is_open else None
    return appeal


def unit_choices(viewer) -> list[OrgUnit]:
    """Branches (and unions) in the viewer's scope, for the unit filter (at most 200)."""
    roots = scope_roots_of(viewer)
    if not roots:
        return []
    kinds = (OrgUnit.Kind.BRANCH, OrgUnit.Kind.UNION)
    return list(OrgUnit.objects.filter(paths_scope_q(roots, "path"), kind__in=kinds).order_by("path")[:200])


def appeal_work_items(user) -> list[WorkItem]:
    """The home page's work queue: the viewer's open appeals, earliest deadline first (at most ten)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = Appeal.objects.filter(queue_q(user), status__in=Appeal.OPEN_STATUSES).order_by("answer_due", "pk")
    now = timezone.now()
    items = []
    for appeal in rows.only("pk", "title", "status", "acknowledge_due", "answer_due")[:WORK_ITEMS]:
        annotate_deadlines(appeal, now)
        due = appeal.acknowledge_due if appeal.ack_pending else appeal.answer_due
        items.append(
            WorkItem(
                title=f"SQ{appeal.pk:07d} {appeal.title}",
                url=reverse("voices:handle", args=[appeal.pk]),
                due=timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                kind="voices.appeal",
            )
        )
    return items
