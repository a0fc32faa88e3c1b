"""The centre's reports: every figure the union reports on, for one unit's subtree and one year.

Each section is one aggregate query over the unit's subtree (an indexed ``unit_path`` prefix match)
and the year's dates, grouped in SQL by the child unit (``Substr(unit_path, 1, (depth + 1) * 4)``: the
path of the direct child of the chosen unit that a row lies under, or the unit's own path for rows
placed directly on it) and by the section's dimension (cause, level, kind, fund source, grade,
occasion). Python only folds those few grouped rows into the totals and the per-child rows, so the
number of queries is the same whatever the amount of data, and no record is read one by one.

Reports carry counts and sums only: never a name or any other personal detail.

Definitions, for a year from 1 January (``start``) to 31 December (``end``):

* Hardship files *active during the year*: activated on or before ``end`` and not closed before
  ``start``; *active at the end*: of those, still active after ``end`` (or today, for this year);
  *new*: activated in the year; *exited*: state exited, closed in the year.
* Assistance: *delivered* in the year (status delivered; reversed ones are not counted); money is
  the sum of ``Payment`` rows paid in the year, reversals (negative) included, so it is net.
* Follow-ups due in the year: *done*, *on time* (done on or before the due date), *overdue* (open,
  due date passed) and *pending* (open, not yet due). The on-time rate is on time ÷ (done + overdue):
  the share of those whose time has come that were done in time. Grades count the done ones.
* Education aid: applications to the year's campaigns (withdrawn ones not counted), approved (approved
  or paid), rejected, paid; paid money from payments made in the year, net of reversals.
* Visits due in the year (not cancelled): done, done on time, overdue (open, due date passed); and
  visits done in the year (by visit date, with or without a due date).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.access.policy import OutOfScope, require, scope_q, scope_roots
from unionhome.assistance.ledger import money_sum
from unionhome.assistance.models import (
    ZERO,
    AidApplication,
    Assistance,
    BudgetLine,
    FollowUp,
    HardshipCause,
    HardshipFile,
    Occasion,
    Payment,
    Visit,
)
from unionhome.org.models import OrgUnit
from unionhome.report_year import ReportYear as Period  # the year reported on, shared with the annual report

PERMISSION = "assistance.view_reports"
MIN_YEAR = 2000
MAX_YEAR = 2100
# The unit picker lists the scope down to this many levels below its top units, at most PICKER_LIMIT
# units (one level fewer when that is too many); deeper units are reached from the per-unit table.
PICKER_LEVELS = 2
PICKER_LIMIT = 300
# The year picker offers this many years back from this one.
YEARS_BACK = 10

LEVEL_NOT_SET = ""
APPROVED_AID = (AidApplication.Status.APPROVED, AidApplication.Status.PAID)


# --- the report ----------------------------------------------------------------------------------


@dataclass
class FileRow:
    code: str
    label: str
    active_during: int = 0
    active_at_end: int = 0


@dataclass
class FileFigures:
    active_during: int = 0
    active_at_end: int = 0
    new: int = 0
    exited: int = 0
    by_level: list[FileRow] = field(default_factory=list)
    by_cause: list[FileRow] = field(default_factory=list)


@dataclass
class KindRow:
    code: str
    label: str
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class FundRow:
    code: str
    label: str
    assistance: Decimal = ZERO
    aid: Decimal = ZERO
    visits: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.assistance + self.aid + self.visits


@dataclass
class AssistanceFigures:
    count: int = 0
    amount: Decimal = ZERO
    by_kind: list[KindRow] = field(default_factory=list)


@dataclass
class MoneyFigures:
    """Every payment of the centre in the year, net of reversals: assistance, education aid and visits."""

    by_fund: list[FundRow] = field(default_factory=list)

    @property
    def assistance(self) -> Decimal:
        return sum((row.assistance for row in self.by_fund), ZERO)

    @property
    def aid(self) -> Decimal:
        return sum((row.aid for row in self.by_fund), ZERO)

    @property
    def visits(self) -> Decimal:
        return sum((row.visits for row in self.by_fund), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.by_fund), ZERO)


@dataclass
class GradeRow:
    code: str
    label: str
    count: int = 0


@dataclass
class FollowUpFigures:
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    pending: int = 0
    grades: list[GradeRow] = field(default_factory=list)

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.done + self.overdue)


@dataclass
class AidFigures:
    applications: int = 0
    approved: int = 0
    rejected: int = 0
    paid: int = 0
    approved_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO


@dataclass
class OccasionRow:
    code: str
    label: str
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    done_in_year: int = 0


@dataclass
class VisitFigures:
    due: int = 0
    done: int = 0
    on_time: int = 0
    overdue: int = 0
    done_in_year: int = 0
    amount: Decimal = ZERO
    by_occasion: list[OccasionRow] = field(default_factory=list)


@dataclass
class ChildRow:
    """One direct child unit of the report's unit (or, with ``unit`` None, records placed on the unit itself)."""

    unit: OrgUnit | None
    label: str
    files_active_during: int = 0
    files_active_at_end: int = 0
    files_new: int = 0
    files_exited: int = 0
    assistance_count: int = 0
    assistance_amount: Decimal = ZERO
    follow_ups_due: int = 0
    follow_ups_done: int = 0
    follow_ups_on_time: int = 0
    follow_ups_overdue: int = 0
    aid_applications: int = 0
    aid_approved: int = 0
    aid_paid_amount: Decimal = ZERO
    visits_due: int = 0
    visits_done: int = 0
    visits_overdue: int = 0
    visits_done_in_year: int = 0

    @property
    def follow_ups_on_time_rate(self) -> Decimal | None:
        return percent(self.follow_ups_on_time, self.follow_ups_done + self.follow_ups_overdue)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__ if name not in ("unit", "label"))


@dataclass
class Report:
    unit: OrgUnit
    period: Period
    files: FileFigures
    assistance: AssistanceFigures
    money: MoneyFigures
    follow_ups: FollowUpFigures
    aid: AidFigures
    visits: VisitFigures
    children: list[ChildRow]

    @property
    def year(self) -> int:
        return self.period.year


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


# --- which unit and year a viewer may report on --------------------------------------------------


def default_year(today: datetime.date | None = None) -> int:
    return (today or timezone.localdate()).year


def year_choices(selected: int, today: datetime.date | None = None) -> list[int]:
    """This year and the ``YEARS_BACK`` years before it (and the selected year, if it is another)."""
    this_year = default_year(today)
    years = list(range(this_year, this_year - YEARS_BACK, -1))
    if selected not in years:
        years = sorted({*years, selected}, reverse=True)
    return years


def report_unit_for(viewer, unit_id: int | None = None) -> OrgUnit:
    """The unit the viewer asked for (``OutOfScope``, 404, unless it lies in their scope of
    ``assistance.view_reports``), or the top unit of their scope. ``PermissionRefused`` (403) without
    the permission anywhere."""
    require(viewer, PERMISSION)
    if unit_id is None:
        return OrgUnit.objects.get(path=scope_roots(viewer, PERMISSION)[0])
    unit = OrgUnit.objects.filter(scope_q(viewer, PERMISSION, "path"), pk=unit_id).first()
    if unit is None:
        raise OutOfScope
    return unit


@dataclass(frozen=True)
class UnitChoice:
    unit: OrgUnit
    level: int  # levels below the top of the viewer's scope

    @property
    def indented_name(self) -> str:
        return "\u3000" * self.level + self.unit.name


def unit_choices(viewer, current: OrgUnit) -> list[UnitChoice]:
    """Units for the picker: the viewer's scope down to ``PICKER_LEVELS`` below its top units (fewer
    levels if that makes more than ``PICKER_LIMIT`` units), always with the current unit. One or two
    queries."""
    roots = scope_roots(viewer, PERMISSION)
    units: list[OrgUnit] = []
    for levels in range(PICKER_LEVELS, -1, -1):
        q = Q()
        for root in roots:
            q |= Q(path__prefix=root, depth__lte=len(root) // OrgUnit.steplen + levels)
        units = list(OrgUnit.objects.filter(q).order_by("path").only("id", "name", "path", "depth")[: PICKER_LIMIT + 1])
        if len(units) <= PICKER_LIMIT:
            break
    units = units[:PICKER_LIMIT]
    if all(unit.pk != current.pk for unit in units):
        units = sorted([*units, current], key=lambda unit: unit.path)
    tops = {unit.path: _top_depth(unit.path, roots) for unit in units}
    return [UnitChoice(unit, unit.depth - tops[unit.path]) for unit in units]


def _top_depth(path: str, roots: list[str]) -> int:
    return next((len(root) // OrgUnit.steplen for root in roots if path.startswith(root)), 1)


def report_ancestors(viewer, unit: OrgUnit) -> list[OrgUnit]:
    """The units above ``unit`` that the viewer may report on, top first (for "up" links). One query."""
    roots = scope_roots(viewer, PERMISSION)
    step = OrgUnit.steplen
    paths = [unit.path[:n] for n in range(step, len(unit.path), step)]
    paths = [path for path in paths if any(path.startswith(root) for root in roots)]
    if not paths:
        return []
    return list(OrgUnit.objects.filter(path__in=paths).order_by("path").only("id", "name", "path", "depth"))


# --- the figures ---------------------------------------------------------------------------------


def report_for(viewer, unit: OrgUnit, year: int, *, today: datetime.date | None = None) -> Report:
    """Every figure of ``unit``'s subtree for ``year``. ``unit`` must come from ``report_unit_for``;
    this checks the viewer's scope again (404 otherwise). A constant number of queries (nine)."""
    require(viewer, PERMISSION)
    if not any(unit.path.startswith(root) for root in scope_roots(viewer, PERMISSION)):
        raise OutOfScope
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year out of range: {year}")
    period = Period.of(year, today)
    children = _Children(unit)
    report = Report(
        unit=unit,
        period=period,
        files=FileFigures(),
        assistance=AssistanceFigures(),
        money=MoneyFigures(),
        follow_ups=FollowUpFigures(),
        aid=AidFigures(),
        visits=VisitFigures(by_occasion=[OccasionRow(code, str(label)) for code, label in Occasion.choices]),
        children=[],
    )
    subtree = _Subtree(unit, period, children)
    _files(subtree, report.files)
    _assistance_counts(subtree, report.assistance)
    _payments(subtree, report)
    _follow_ups(subtree, report.follow_ups)
    _aid(subtree, report.aid)
    _visits(subtree, report.visits)
    report.children = children.rows()
    return report


class _Children:
    """The per-child rows, keyed by the child's path (the unit's own path for records placed on it)."""

    def __init__(self, unit: OrgUnit):
        self.unit = unit
        self._rows: dict[str, ChildRow] = {}

    def __getitem__(self, path: str) -> ChildRow:
        row = self._rows.get(path)
        if row is None:
            row = self._rows[path] = ChildRow(None, "")
        return row

    def rows(self) -> list[ChildRow]:
        """One row per direct child in tree order (those without records too), after a row for the
        records placed on the unit itself when there are any. One query (the child units); none for a
        unit without children, whose report has no breakdown."""
        if not self.unit.numchild:
            return []
        units = OrgUnit.objects.filter(path__prefix=self.unit.path, depth=self.unit.depth + 1).order_by("path")
        rows = []
        for child in units.only("id", "name", "code", "path", "depth", "kind"):
            row = self._rows.pop(child.path, None) or ChildRow(None, "")
            row.unit, row.label = child, child.name
            rows.append(row)
        own = self._rows.pop(self.unit.path, None)
        if own is not None and not own.is_empty:
            own.unit, own.label = self.unit, str(_("Directly in %(unit)s") % {"unit": self.unit.name})
            rows.insert(0, own)
        return rows


@dataclass
class _Subtree:
    """What every section query shares: the unit's subtree, the period, and the per-child grouping."""

    unit: OrgUnit
    period: Period
    children: _Children

    def rows(self, queryset: QuerySet, path_field: str = "unit_path") -> QuerySet:
        """``queryset`` restricted to the subtree (an index range on both databases), unordered."""
        return queryset.filter(**{f"{path_field}__prefix": self.unit.path}).order_by()

    def child(self, path_field: str = "unit_path") -> Substr:
        """The path of the direct child a row lies under (or the unit's own path), to group by."""
        return Substr(path_field, 1, (self.unit.depth + 1) * OrgUnit.steplen)


def _file_conditions(period: Period, prefix: str = "") -> tuple[Q, Q, Q, Q]:
    """(active during the year, still active at its end, activated in it, exited in it) on HardshipFile
    fields, each field name prefixed with ``prefix`` (``"file__"`` from a cause)."""

    def q(**lookups) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    during = q(activated_on__isnull=False, activated_on__lte=period.end) & (
        q(closed_on__isnull=True) | q(closed_on__gte=period.start)
    )
    at_end = q(closed_on__gt=period.end) | (q(closed_on__isnull=True) & ~q(state__in=_CLOSED_STATES))
    new = q(activated_on__gte=period.start)
    exited = q(state=HardshipFile.State.EXITED, closed_on__gte=period.start, closed_on__lte=period.end)
    return during, at_end, new, exited


_CLOSED_STATES = (HardshipFile.State.EXITED, HardshipFile.State.REJECTED)


def _files(subtree: _Subtree, figures: FileFigures) -> None:
    """Two queries: files by child and level, and causes (a file may have several) over the subtree."""
    during, at_end, new, exited = _file_conditions(subtree.period)
    rows = (
        subtree.rows(HardshipFile.objects.filter(during))
        .values("level", child=subtree.child())
        .annotate(
            active_during=Count("id"),
            active_at_end=Count("id", filter=at_end),
            new=Count("id", filter=new),
            exited=Count("id", filter=exited),
        )
    )
    levels = {code: FileRow(code, str(label)) for code, label in HardshipFile.Level.choices}
    for row in rows:
        level = levels.get(row["level"])
        if level is None:
            level = levels[row["level"]] = FileRow(row["level"], str(_("Level not set")))
        level.active_during += row["active_during"]
        level.active_at_end += row["active_at_end"]
        child = subtree.children[row["child"]]
        child.files_active_during += row["active_during"]
        child.files_active_at_end += row["active_at_end"]
        child.files_new += row["new"]
        child.files_exited += row["exited"]
        figures.active_during += row["active_during"]
        figures.active_at_end += row["active_at_end"]
        figures.new += row["new"]
        figures.exited += row["exited"]
    figures.by_level = list(levels.values())

    during, at_end, _new, _exited = _file_conditions(subtree.period, "file__")
    causes = {code: FileRow(code, str(label)) for code, label in HardshipCause.Cause.choices}
    cause_rows = (
        subtree.rows(HardshipCause.objects.filter(during), "file__unit_path")
        .values("cause")
        .annotate(active_during=Count("id"), active_at_end=Count("id", filter=at_end))
    )
    for row in cause_rows:
        cause = causes.setdefault(row["cause"], FileRow(row["cause"], row["cause"]))
        cause.active_during += row["active_during"]
        cause.active_at_end += row["active_at_end"]
    figures.by_cause = list(causes.values())


def _assistance_counts(subtree: _Subtree, figures: AssistanceFigures) -> None:
    """One query: assistance delivered in the year, by child and kind."""
    period = subtree.period
    rows = (
        subtree.rows(Assistance.objects)
        .filter(status=Assistance.Status.DELIVERED, delivered_on__gte=period.start, delivered_on__lte=period.end)
        .values("kind", child=subtree.child())
        .annotate(count=Count("id"))
    )
    kinds = {code: KindRow(code, str(label)) for code, label in Assistance.Kind.choices}
    for row in rows:
        kinds.setdefault(row["kind"], KindRow(row["kind"], row["kind"])).count += row["count"]
        subtree.children[row["child"]].assistance_count += row["count"]
        figures.count += row["count"]
    figures.by_kind = list(kinds.values())


def _payments(subtree: _Subtree, report: Report) -> None:
    """Two queries over the money paid in the year (payments and their reversals, so net), split into
    assistance, education aid and visits: by fund source and, for assistance, its kind (the budget line
    and the assistance joined); and by child (the payments alone). Asking for the two breakdowns apart
    keeps each one's groups few (a federation has a thousand children: one grouped query for both would
    count funds x kinds x children groups, and join every payment for them)."""
    period = subtree.period
    paid = subtree.rows(Payment.objects).filter(paid_at__gte=period.start_at, paid_at__lt=period.end_before)
    sums = {
        "assistance": Sum("amount", filter=Q(assistance__isnull=False)),
        "aid": Sum("amount", filter=Q(aid_application__isnull=False)),
        "visits": Sum("amount", filter=Q(visit__isnull=False)),
    }
    funds = {code: FundRow(code, str(label)) for code, label in BudgetLine.FundSource.choices}
    kinds = {row.code: row for row in report.assistance.by_kind}
    for row in paid.values("budget_line__fund_source", "assistance__kind").annotate(**sums):
        assistance, aid, visits = (money_sum(row[name]) for name in ("assistance", "aid", "visits"))
        code = row["budget_line__fund_source"]
        fund = funds.setdefault(code, FundRow(code, code))
        fund.assistance += assistance
        fund.aid += aid
        fund.visits += visits
        if row["assistance__kind"] is not None:
            kind = row["assistance__kind"]
            kinds.setdefault(kind, KindRow(kind, kind)).amount += assistance
        report.assistance.amount += assistance
        report.aid.paid_amount += aid
        report.visits.amount += visits
    for row in paid.values(child=subtree.child()).annotate(assistance=sums["assistance"], aid=sums["aid"]):
        child = subtree.children[row["child"]]
        child.assistance_amount += money_sum(row["assistance"])
        child.aid_paid_amount += money_sum(row["aid"])
    report.assistance.by_kind = list(kinds.values())
    report.money.by_fund = list(funds.values())


def _follow_ups(subtree: _Subtree, figures: FollowUpFigures) -> None:
    """One query: follow-ups due in the year by child and grade (no grade: not done yet)."""
    period = subtree.period
    rows = (
        subtree.rows(FollowUp.objects)
        .filter(due_on__gte=period.start, due_on__lte=period.end)
        .values("grade", child=subtree.child())
        .annotate(
            due=Count("id"),
            done=Count("id", filter=Q(done_on__isnull=False)),
            on_time=Count("id", filter=Q(done_on__lte=F("due_on"))),
            overdue=Count("id", filter=Q(done_on__isnull=True, due_on__lt=period.today)),
        )
    )
    grades = {code: GradeRow(code, str(label)) for code, label in FollowUp.Grade.choices}
    for row in rows:
        figures.due += row["due"]
        figures.done += row["done"]
        figures.on_time += row["on_time"]
        figures.overdue += row["overdue"]
        if row["grade"]:
            grades.setdefault(row["grade"], GradeRow(row["grade"], row["grade"])).count += row["done"]
        child = subtree.children[row["child"]]
        child.follow_ups_due += row["due"]
        child.follow_ups_done += row["done"]
        child.follow_ups_on_time += row["on_time"]
        child.follow_ups_overdue += row["overdue"]
    figures.pending = figures.due - figures.done - figures.overdue
    figures.grades = list(grades.values())


def _aid(subtree: _Subtree, figures: AidFigures) -> None:
    """One query: applications to the year's education-aid campaigns, by child and status."""
    rows = (
        subtree.rows(AidApplication.objects)
        .filter(campaign__year=subtree.period.year)
        .exclude(status=AidApplication.Status.WITHDRAWN)
        .values("status", child=subtree.child())
        .annotate(count=Count("id"), amount=Sum("amount"))
    )
    for row in rows:
        status, count = row["status"], row["count"]
        child = subtree.children[row["child"]]
        figures.applications += count
        child.aid_applications += count
        if status in APPROVED_AID:
            figures.approved += count
            figures.approved_amount += money_sum(row["amount"])
            child.aid_approved += count
        elif status == AidApplication.Status.REJECTED:
            figures.rejected += count
        if status == AidApplication.Status.PAID:
            figures.paid += count


def _visits(subtree: _Subtree, figures: VisitFigures) -> None:
    """One query (one pass over the subtree's visits): visits due in the year (not cancelled) and visits
    made in the year (by visit date, due or not), by child and occasion."""
    period = subtree.period
    due_in_year = Q(status__in=(Visit.Status.DUE, Visit.Status.DONE), due_by__gte=period.start, due_by__lte=period.end)
    done_in_year = Q(status=Visit.Status.DONE, visited_on__gte=period.start, visited_on__lte=period.end)
    rows = (
        subtree.rows(Visit.objects)
        .filter(due_in_year | done_in_year)
        .values("occasion", child=subtree.child())
        .annotate(
            due=Count("id", filter=due_in_year),
            done=Count("id", filter=due_in_year & Q(status=Visit.Status.DONE)),
            on_time=Count("id", filter=due_in_year & Q(status=Visit.Status.DONE, visited_on__lte=F("due_by"))),
            overdue=Count("id", filter=due_in_year & Q(status=Visit.Status.DUE, due_by__lt=period.today)),
            done_in_year=Count("id", filter=done_in_year),
        )
    )
    for row in rows:
        occasion = _occasion(figures.by_occasion, row["occasion"])
        for name in ("due", "done", "on_time", "overdue", "done_in_year"):
            setattr(occasion, name, getattr(occasion, name) + row[name])
            setattr(figures, name, getattr(figures, name) + row[name])
        child = subtree.children[row["child"]]
        child.visits_due += row["due"]
        child.visits_done += row["done"]
        child.visits_overdue += row["overdue"]
        child.visits_done_in_year += row["done_in_year"]


def _occasion(rows: list[OccasionRow], code: str) -> OccasionRow:
    for row in rows:
        if row.code == code:
            return row
    rows.append(OccasionRow(code, code))
    return rows[-1]
