"""The centre's reports: every figure the union reports on, for one unit's subtree and one year.

Each section is one aggregate query over the unit's subtree (an indexed ``unit_path`` prefix match)
and the year's dates, grouped in SQL by the child unit (``Substr(unit_path, 1, (depth + 1) * 4)``: the
path of the direct child of the chosen unit that a row lies under, or the unit's own path for rows
placed directly on it) and by the section's dimension (cause, level, kind, fund source, grade,
occasion). Python only folds those few grouped rows into the totals and the per-child rows, so the
number of queries is the same whatever the amount of data, and no record is read one by one.

The figures are dataclasses in ``report_figures`` and the queries that fill them are in ``report_queries``;
this module is the entry the pages, the API, the exports and the annual report use (it re-exports them),
with which unit and year a viewer may report on.

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
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from unionhome.access.policy import OutOfScope, require, scope_q, scope_roots
from unionhome.assistance.selectors.report_figures import (  # re-exported: importers read them from here
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
    percent,
)
from unionhome.assistance.selectors.report_queries import APPROVED_AID, figures_for
from unionhome.org.models import OrgUnit

__all__ = [
    "APPROVED_AID",
    "LEVEL_NOT_SET",
    "MAX_YEAR",
    "MIN_YEAR",
    "PERMISSION",
    "PICKER_LEVELS",
    "PICKER_LIMIT",
    "YEARS_BACK",
    "AidFigures",
    "AssistanceFigures",
    "ChildRow",
    "FileFigures",
    "FileRow",
    "FollowUpFigures",
    "FundRow",
    "GradeRow",
    "KindRow",
    "MoneyFigures",
    "OccasionRow",
    "Period",
    "Report",
    "UnitChoice",
    "VisitFigures",
    "default_year",
    "percent",
    "report_ancestors",
    "report_for",
    "report_unit_for",
    "unit_choices",
    "year_choices",
]

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
    return figures_for(unit, Period.of(year, today))
