"""Every read of visits and condolences that a user sees, already scoped to the viewer.

Cadres see visits in the subtrees where they hold ``assistance.manage_visits`` (reports: ``view_reports``),
matched by an indexed prefix of the visit's ``unit_path``; never visits to themselves (another cadre
handles those). A member sees their own visits through ``own_visits``, without the cadres' notes.
Lists defer the encrypted ``findings`` (nothing to decrypt per row) and load related rows in a fixed
number of queries, whatever the number of rows.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import OutOfScope, can, has_permission_anywhere, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.assistance.models import BudgetLine, Visit, VisitCampaign
from unionhome.home.work_queue import WorkItem
from unionhome.keyset import KeysetPage, decode_cursor, encode_cursor
from unionhome.org.models import Member, OrgUnit, ancestor_paths

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# The branch filter lists at most this many branches (a federation has thousands; pick a unit instead).
MAX_BRANCH_CHOICES = 500
# The work queue shows overdue visits and those due within this many days, at most WORK_QUEUE_LIMIT.
WORK_QUEUE_DAYS = 3
WORK_QUEUE_LIMIT = 20
MANAGE = "assistance.manage_visits"

LIST_STATUSES = (Visit.Status.DUE, Visit.Status.DONE, Visit.Status.CANCELLED)


# --- scope ---------------------------------------------------------------------------------------


def _paths_q(paths: list[str], field_name: str = "unit_path") -> Q:
    q = Q()
    for path in paths:
        q |= Q(**{f"{field_name}__prefix": path})
    return q


def scoped_visits(viewer, permission: str = MANAGE) -> QuerySet[Visit]:
    """Visits in the subtrees where ``viewer`` holds ``permission`` (no related rows loaded)."""
    roots = scope_roots(viewer, permission)
    if not roots:
        return Visit.objects.none()
    # A top unit of the tree is not written as an index range: see ``access.scope``.
    return Visit.objects.filter(paths_scope_q(roots))


def visits_for(viewer, permission: str = MANAGE) -> QuerySet[Visit]:
    """Visits a cadre handles: in scope, not visits to themselves; member, unit and campaign loaded."""
    visits = scoped_visits(viewer, permission)
    if getattr(viewer, "member_id", None) is not None:
        visits = visits.exclude(member_id=viewer.member_id)
    return visits.select_related("member__unit", "campaign")


def visit_for(viewer, pk: int) -> Visit:
    """One visit the viewer handles, with everything its page shows; ``OutOfScope`` (404, audited) otherwise."""
    visit = (
        visits_for(viewer)
        .select_related("budget_line", "recorded_by", "created_by")
        .prefetch_related("visitors")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise OutOfScope
    return visit


def own_visits(member: Member | None) -> QuerySet[Visit]:
    """A member's own visits, newest first: occasion, dates, visitors and gifts, never the cadres' notes."""
    if member is None:
        return Visit.objects.none()
    return (
        Visit.objects.filter(member=member)
        .select_related("campaign")
        .prefetch_related("visitors")
        .defer("findings", "needs", "reason")
        .order_by("-created_at", "-id")
    )


def rated_visit_ids(member: Member | None, visits: list[Visit]) -> set[int]:
    """Which of the member's ``visits`` they have rated already (one query)."""
    if member is None or not visits:
        return set()
    from unionhome.satisfaction.selectors import ratings_given

    item_type = Visit._meta.label_lower
    return set(
        ratings_given(member)
        .filter(item_type=item_type, item_id__in=[v.pk for v in visits])
        .values_list("item_id", flat=True)
    )


def own_visit(viewer, pk: int) -> Visit | None:
    member_id = getattr(viewer, "member_id", None)
    if member_id is None:
        return None
    return own_visits(viewer.member).filter(pk=pk).first()


# --- lists ---------------------------------------------------------------------------------------


def _overdue(today: datetime.date):
    return Case(
        When(status=Visit.Status.DUE, due_by__lt=today, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def visits_due(viewer, *, today: datetime.date, unit: OrgUnit | None = None) -> QuerySet[Visit]:
    """Due and overdue visits in the viewer's scope (``manage_visits``), overdue first (by due date)."""
    visits = visits_for(viewer).filter(status=Visit.Status.DUE)
    if unit is not None:
        visits = visits.filter(unit_path__prefix=unit.path)
    return visits.defer("findings", "needs").annotate(overdue=_overdue(today)).order_by("due_by", "id")


def visit_list(
    viewer,
    *,
    status: str,
    today: datetime.date,
    unit: OrgUnit | None = None,
    day: datetime.date | None = None,
    campaign: VisitCampaign | None = None,
) -> QuerySet[Visit]:
    """Visits of one status for the list page: due (overdue first), done (latest first) or cancelled."""
    if status == Visit.Status.DUE:
        visits = visits_due(viewer, today=today, unit=unit)
        if day is not None:
            visits = visits.filter(due_by=day)
    else:
        visits = visits_for(viewer).filter(status=status).defer("findings", "needs")
        if unit is not None:
            visits = visits.filter(unit_path__prefix=unit.path)
        if day is not None:
            visits = visits.filter(**{"visited_on" if status == Visit.Status.DONE else "due_by": day})
        visits = visits.annotate(overdue=Value(False, output_field=BooleanField()))
        if status == Visit.Status.DONE:
            visits = visits.prefetch_related("visitors").order_by("-visited_on", "-id")
        else:
            visits = visits.order_by("-due_by", "-id")
    if campaign is not None:
        visits = visits.filter(campaign=campaign)
    return visits


def _sort_key(status: str) -> str:
    return "visited_on" if status == Visit.Status.DONE else "due_by"


def decode_visit_cursor(cursor: str | None) -> tuple[datetime.date, int] | None:
    """A cursor ``[date, id]`` from ``visit_page``; None when absent or forged."""
    values = decode_cursor(cursor) if cursor else None
    if values is None:
        return None
    try:
        return datetime.date.fromisoformat(values[0]), values[1]
    except ValueError:
        return None


def visit_page(visits: QuerySet[Visit], *, status: str, cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page by keyset on (date, id): ascending for due visits, descending otherwise."""
    key = _sort_key(status)
    after = decode_visit_cursor(cursor)
    if after is not None:
        day, pk = after
        if status == Visit.Status.DUE:
            visits = visits.filter(Q(**{f"{key}__gt": day}) | Q(**{key: day, "id__gt": pk}))
        else:
            visits = visits.filter(Q(**{f"{key}__lt": day}) | Q(**{key: day, "id__lt": pk}))
    rows = list(visits[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more and rows and getattr(rows[-1], key) is not None:
        next_cursor = encode_cursor([getattr(rows[-1], key).isoformat(), rows[-1].pk])
    return KeysetPage(rows, next_cursor, has_previous=after is not None)


def with_branches(visits: list[Visit]) -> list[Visit]:
    """Set ``branch_name`` on each visit (the branch union its member's unit belongs to): one query."""
    paths = {p for v in visits for p in ancestor_paths(v.unit_path)}
    names = dict(
        OrgUnit.objects.filter(path__in=paths, kind=OrgUnit.Kind.BRANCH).values_list("path", "name") if paths else []
    )
    for visit in visits:
        branch = next((names[p] for p in reversed(ancestor_paths(visit.unit_path)) if p in names), "")
        visit.branch_name = branch
    return visits


def reason_visible(viewer, visit: Visit) -> bool:
    """Lists show why a visit is due only to viewers who may see health details (``view_sensitive``)."""
    return can(viewer, "assistance.view_sensitive", visit)


# --- calendar ------------------------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: datetime.date
    due: int = 0
    overdue: int = 0
    done: int = 0

    @property
    def empty(self) -> bool:
        return not (self.due or self.overdue or self.done)


@dataclass
class CalendarMonth:
    month: datetime.date  # the first of the month
    weeks: list[list[CalendarDay | None]]  # Monday first; None before the 1st and after the last day
    days: list[CalendarDay] = field(default_factory=list)

    @property
    def previous(self) -> datetime.date:
        return (self.month - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.month + datetime.timedelta(days=32)).replace(day=1)

    @property
    def totals(self) -> CalendarDay:
        return CalendarDay(
            self.month,
            sum(d.due for d in self.days),
            sum(d.overdue for d in self.days),
            sum(d.done for d in self.days),
        )


def visit_calendar(viewer, *, month: datetime.date, today: datetime.date, unit: OrgUnit | None = None) -> CalendarMonth:
    """Visits due (by due date) and done (by visit date) on each day of ``month``, in one aggregated query."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    visits = visits_for(viewer)
    if unit is not None:
        visits = visits.filter(unit_path__prefix=unit.path)
    # Due visits by due date and done ones by visit date, as two halves of one UNION ALL query: each half
    # is one index range (``visit_due_calendar``, ``visit_done_calendar``), counted from the index alone.
    due = (
        visits.filter(status=Visit.Status.DUE, due_by__range=(first, last))
        .values("status", day=F("due_by"))
        .annotate(n=Count("*"))
        .order_by()
    )
    done = (
        visits.filter(status=Visit.Status.DONE, visited_on__range=(first, last))
        .values("status", day=F("visited_on"))
        .annotate(n=Count("*"))
        .order_by()
    )
    rows = due.union(done, all=True)
    days = {
        first + datetime.timedelta(days=i): CalendarDay(first + datetime.timedelta(days=i)) for i in range(last.day)
    }
    for row in rows:
        day = row["day"]
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day)
        entry = days.get(day)
        if entry is None:
            continue
        if row["status"] == Visit.Status.DONE:
            entry.done += row["n"]
        elif day < today:
            entry.overdue += row["n"]
        else:
            entry.due += row["n"]
    cells: list[CalendarDay | None] = [None] * first.weekday() + list(days.values())
    cells += [None] * (-len(cells) % 7)
    weeks = [cells[i : i + 7] for i in range(0, len(cells), 7)]
    return CalendarMonth(first, weeks, list(days.values()))


# --- report --------------------------------------------------------------------------------------


@dataclass
class BranchVisitCounts:
    """Visits of a year in one branch: planned (due) against done, on time or late, and what is left."""

    unit: OrgUnit | None  # None: members placed above any branch (at the union itself)
    due: int = 0  # planned visits falling due in the year (life events and campaigns), not cancelled
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    open: int = 0  # due later than today
    cancelled: int = 0
    unplanned: int = 0  # recorded without being due

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late + self.unplanned

    @property
    def done_planned(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def label(self) -> str:
        return self.unit.name if self.unit is not None else _("Union level")


_COUNT_FIELDS = ("due", "done_on_time", "done_late", "overdue", "open", "cancelled", "unplanned")


def _counts(today: datetime.date) -> dict[str, Count]:
    planned = Q(due_by__isnull=False)
    return {
        "due": Count("id", filter=planned & ~Q(status=Visit.Status.CANCELLED)),
        "done_on_time": Count("id", filter=planned & Q(status=Visit.Status.DONE, visited_on__lte=F("due_by"))),
        "done_late": Count("id", filter=planned & Q(status=Visit.Status.DONE, visited_on__gt=F("due_by"))),
        "overdue": Count("id", filter=Q(status=Visit.Status.DUE, due_by__lt=today)),
        "open": Count("id", filter=Q(status=Visit.Status.DUE, due_by__gte=today)),
        "cancelled": Count("id", filter=Q(status=Visit.Status.CANCELLED)),
        "unplanned": Count("id", filter=Q(status=Visit.Status.DONE, due_by__isnull=True)),
    }


def branches_for(viewer, permission: str = MANAGE, *, limit: int | None = MAX_BRANCH_CHOICES) -> list[OrgUnit]:
    """Branch unions in (or holding) the viewer's scope, in tree order."""
    roots = scope_roots(viewer, permission)
    if not roots:
        return []
    above = {p for root in roots for p in ancestor_paths(root)}
    branches = OrgUnit.objects.filter(_paths_q(roots, "path") | Q(path__in=above), kind=OrgUnit.Kind.BRANCH)
    branches = branches.order_by("path").only("id", "path", "depth", "name", "kind")
    return list(branches[:limit] if limit else branches)


def unit_in_scope(viewer, pk: int, permission: str = MANAGE) -> OrgUnit:
    """A unit in the viewer's scope (for filters and campaign units); ``OutOfScope`` otherwise."""
    roots = scope_roots(viewer, permission)
    unit = OrgUnit.objects.filter(_paths_q(roots, "path"), pk=pk).first() if roots else None
    if unit is None:
        raise OutOfScope
    return unit


def units_for_campaigns(viewer) -> QuerySet[OrgUnit]:
    """Units a cadre may run a campaign for: unions and branches in their ``manage_visits`` scope."""
    roots = scope_roots(viewer, MANAGE)
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        _paths_q(roots, "path"), kind__in=[OrgUnit.Kind.FEDERATION, OrgUnit.Kind.UNION, OrgUnit.Kind.BRANCH]
    ).order_by("path")


def visit_counts_by_branch(
    viewer,
    *,
    today: datetime.date,
    year: int | None = None,
    campaign: VisitCampaign | None = None,
    permission: str = "assistance.view_reports",
) -> list[BranchVisitCounts]:
    """Done against due per branch, for the report (a year) or a campaign: one query per branch depth
    (one, in a union) plus one for the total; branches without visits are listed with zeros."""
    visits = scoped_visits(viewer, permission)
    if year is not None:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        visits = visits.filter(Q(due_by__range=(start, end)) | Q(due_by__isnull=True, visited_on__range=(start, end)))
    if campaign is not None:
        visits = visits.filter(campaign=campaign)
    visits = visits.order_by()
    branches = branches_for(viewer, permission, limit=None)
    by_path = {b.path: BranchVisitCounts(b) for b in branches}
    for length in sorted({len(p) for p in by_path}):
        rows = (
            visits.annotate(prefix=Substr("unit_path", 1, length))
            .filter(prefix__in=[p for p in by_path if len(p) == length])
            .values("prefix")
            .annotate(**_counts(today))
        )
        for row in rows:
            entry = by_path[row["prefix"]]
            for name in _COUNT_FIELDS:
                setattr(entry, name, row[name])
    total = visits.aggregate(**_counts(today))
    rest = BranchVisitCounts(None)
    for name in _COUNT_FIELDS:
        setattr(rest, name, (total[name] or 0) - sum(getattr(b, name) for b in by_path.values()))
    result = list(by_path.values())
    if any(getattr(rest, name) for name in _COUNT_FIELDS):
        result.append(rest)
    return result


def status_counts(viewer, *, campaign: VisitCampaign) -> dict[str, int]:
    """A campaign's visits in the viewer's scope by status (one query)."""
    rows = visits_for(viewer).filter(campaign=campaign).values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in Visit.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# --- campaigns -----------------------------------------------------------------------------------


def campaigns_for(viewer) -> QuerySet[VisitCampaign]:
    """Campaigns run in the viewer's scope, and those run above it (a union's campaign reaches its branches)."""
    roots = scope_roots(viewer, MANAGE)
    if not roots:
        return VisitCampaign.objects.none()
    above = {p for root in roots for p in ancestor_paths(root)}
    return (
        VisitCampaign.objects.filter(_paths_q(roots) | Q(unit_path__in=above))
        .select_related("unit", "budget_line")
        .order_by("-due_by", "-id")
    )


def campaign_for(viewer, pk: int) -> VisitCampaign:
    campaign = campaigns_for(viewer).prefetch_related("tags").filter(pk=pk).first()
    if campaign is None:
        raise OutOfScope
    return campaign


def campaign_page(campaigns: QuerySet[VisitCampaign], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    after = decode_visit_cursor(cursor)
    if after is not None:
        day, pk = after
        campaigns = campaigns.filter(Q(due_by__lt=day) | Q(due_by=day, id__lt=pk))
    rows = list(campaigns[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([rows[-1].due_by.isoformat(), rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=after is not None)


# --- members, visitors and budget lines for the forms --------------------------------------------


def visit_members_for(viewer) -> QuerySet[Member]:
    """Members a cadre may visit (not themselves)."""
    roots = scope_roots(viewer, MANAGE)
    if not roots:
        return Member.objects.none()
    members = Member.objects.filter(_paths_q(roots))
    if getattr(viewer, "member_id", None) is not None:
        members = members.exclude(pk=viewer.member_id)
    return members.select_related("unit")


def visit_member_for(viewer, pk: int) -> Member:
    member = visit_members_for(viewer).filter(pk=pk).first()
    if member is None:
        raise OutOfScope
    return member


def visit_members_by_employee_no(viewer, employee_no: str) -> list[Member]:
    """Members in scope with this employee number (more than one only across unions of a federation)."""
    employee_no = employee_no.strip()[:32]
    if not employee_no:
        return []
    return list(visit_members_for(viewer).filter(employee_no=employee_no)[:5])


def roles_with(permission: str) -> list[str]:
    return [code for code, role in ROLES.items() if permission in role.permissions]


def visiting_cadres(unit_path: str, *, nearest_only: bool = False) -> list:
    """Active users who may visit a member of the unit at ``unit_path``: roles with ``manage_visits`` at or
    above it (one query). ``nearest_only`` keeps those on the deepest such unit (the branch before the union)."""
    assignments = list(
        RoleAssignment.objects.filter(
            role__in=roles_with(MANAGE), unit__path__in=ancestor_paths(unit_path), user__is_active=True
        )
        .select_related("user", "unit")
        .order_by("-unit__depth", "user__username")
    )
    if nearest_only and assignments:
        deepest = assignments[0].unit.depth
        assignments = [a for a in assignments if a.unit.depth == deepest]
    users: dict[int, Any] = {}
    for assignment in assignments:
        users.setdefault(assignment.user_id, assignment.user)
    return list(users.values())


def budget_lines_for_unit(unit_path: str) -> QuerySet[BudgetLine]:
    """Budget lines that may pay for visits to members of the unit at ``unit_path``: held at or above it."""
    return BudgetLine.objects.filter(unit_path__in=ancestor_paths(unit_path)).order_by("-year", "name", "id")


def budget_lines_for(viewer) -> QuerySet[BudgetLine]:
    """Budget lines held at or above any unit where the viewer manages visits, or inside their scope."""
    roots = scope_roots(viewer, MANAGE)
    if not roots:
        return BudgetLine.objects.none()
    above = {p for root in roots for p in ancestor_paths(root)}
    return BudgetLine.objects.filter(_paths_q(roots) | Q(unit_path__in=above)).order_by("-year", "name", "id")


def rule_unions_for(viewer) -> list[OrgUnit]:
    """Unions whose visit rules the viewer may read (managing visits in them) or set (``configure``)."""
    roots = sorted(set(scope_roots(viewer, MANAGE)) | set(scope_roots(viewer, "assistance.configure")))
    if not roots:
        return []
    above = {p for root in roots for p in ancestor_paths(root)}
    unions = OrgUnit.objects.filter(_paths_q(roots, "path") | Q(path__in=above), kind=OrgUnit.Kind.UNION)
    return list(unions.order_by("path")[:MAX_BRANCH_CHOICES])


# --- the cadre's work queue ----------------------------------------------------------------------


def visit_work_items(user) -> list[WorkItem]:
    """Work-queue provider: overdue visits and those due within ``WORK_QUEUE_DAYS`` days in the user's scope."""
    if not has_permission_anywhere(user, MANAGE):
        return []
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=WORK_QUEUE_DAYS)
    visits = visits_due(user, today=today).filter(due_by__lte=horizon)[:WORK_QUEUE_LIMIT]
    items = []
    for visit in visits:
        title = _("Visit %(name)s: %(occasion)s") % {
            "name": visit.member.name,
            "occasion": visit.get_occasion_display(),
        }
        items.append(
            WorkItem(
                title=title,
                url=reverse("assistance:visit_detail", args=[visit.pk]),
                due=visit.due_by.isoformat() if visit.due_by else "",
                kind="visit_overdue" if visit.overdue else "visit_due",
            )
        )
    return items
