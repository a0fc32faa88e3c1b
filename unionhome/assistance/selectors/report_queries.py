"""The queries behind the centre's report: one aggregate query (two for files and for money) per section over
a unit's subtree (an indexed ``unit_path`` prefix match) and the year's dates, grouped in SQL by the child
unit (``Substr(unit_path, 1, (depth + 1) * 4)``) and by the section's dimension, then folded in Python into
the ``report_figures`` dataclasses, so the number of queries is the same whatever the amount of data;
``figures_for`` runs them all. The definitions of every figure are in ``reports``' docstring.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from unionhome.assistance.ledger import money_sum
from unionhome.assistance.models import (
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
from unionhome.assistance.selectors.report_figures import (
    AidFigures,
    AssistanceFigures,
    ChildRow,
    FileFigures,
    FileRow,
    FollowUpFigures,
    FundRow,
    GradeRow,
    KindRow,
    MoneyFigures,
    OccasionRow,
    Period,
    Report,
    VisitFigures,
)
from unionhome.org.models import OrgUnit

APPROVED_AID = (AidApplication.Status.APPROVED, AidApplication.Status.PAID)


def figures_for(unit: OrgUnit, period: Period) -> Report:
    """Every figure of ``unit``'s subtree for ``period``, unchecked (``reports.report_for`` checks the
    viewer's scope and the year first). A constant number of queries (nine)."""
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
