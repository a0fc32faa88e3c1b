"""Reading the satisfaction index (cadres with ``satisfaction.view_index``): a unit's index per service line
and overall with the previous period, its trend, the units just below it and its cadres.

Everything is read from the exact running tallies (``RatingTally`` per unit and every unit above it, service
line and month; ``CadreTally`` per cadre), never from the ratings themselves, in a fixed number of queries
whatever the number of ratings, units or cadres. What is shown of each group, and what is suppressed, is
``index_figures.py``'s rule: a group with fewer than k answers (``SATISFACTION_MIN_GROUP``, 5) shows its n
and no index, and the overall index counts the lines shown only.

The unit looked at is the viewer's first scope root (of ``satisfaction.view_index``) or a unit inside one
(``OutOfScope``, 404, outside; ``PermissionRefused``, 403, without the permission anywhere). A unit's figures
count the ratings of its whole subtree. Ratings of a line no feature registers any more are left out.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import OutOfScope, PermissionRefused, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.satisfaction.index_figures import Figure, comparison_of, figures_by_line, ranking_key, standing_of
from unionhome.satisfaction.index_math import Comparison, Moments, min_group
from unionhome.satisfaction.models import CadreTally, RatingRollup, RatingTally
from unionhome.satisfaction.periods import KINDS, Kind, Period
from unionhome.satisfaction.service_lines import ServiceLineSpec, service_line_spec, service_lines

VIEW_INDEX = "satisfaction.view_index"
MAX_PERIODS = 60
CADRE_ROLES = tuple(code for code, role in ROLES.items() if role.is_cadre)
UNIT_FIELDS = ("id", "name", "kind", "path", "depth")
ROW = ("month", "service_line", "n", "total", "total_sq")
SUMS = {"sum_n": Sum("n"), "sum_total": Sum("total"), "sum_sq": Sum("total_sq")}


def unknown_line_error(code: str) -> str:
    return _("There is no service line “%(code)s”.") % {"code": code}


@dataclass(frozen=True)
class LineIndex:
    code: str
    label: str
    weight: float
    current: Figure
    previous: Figure
    comparison: Comparison | None  # None unless both periods are shown


@dataclass(frozen=True)
class UnitIndex:
    unit: OrgUnit
    period: Period
    previous_period: Period | None
    service_line: str | None
    overall: Figure  # over the lines shown (the one line when ``service_line`` is set)
    previous: Figure
    comparison: Comparison | None
    lines: list[LineIndex]
    min_group: int


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    figure: Figure
    comparison: Comparison | None  # against the period before


@dataclass(frozen=True)
class IndexTrend:
    unit: OrgUnit
    kind: Kind
    service_line: str | None
    points: list[TrendPoint]  # oldest first
    min_group: int


@dataclass(frozen=True)
class UnitFigure:
    unit: OrgUnit
    figure: Figure
    is_self: bool = False  # the ratings of members attached to the unit looked at itself, not to a unit below


@dataclass(frozen=True)
class UnitsBelow:
    unit: OrgUnit
    period: Period
    service_line: str | None
    trail: list[OrgUnit]  # from the viewer's scope root down to the parent of ``unit``
    units: list[UnitFigure]  # best first: those shown by index, then the suppressed and those with no answers
    min_group: int
    total: int  # how many rows there are (``units`` may hold only some: ``picked``)


@dataclass(frozen=True)
class CadreIndex:
    user_id: int
    name: str
    roles: list[RoleAssignment]  # the cadre's roles in the unit's subtree, with their units
    overall: Figure
    lines: dict[str, Figure]


@dataclass(frozen=True)
class CadreIndexes:
    unit: OrgUnit
    period: Period
    cadres: list[CadreIndex]  # best first, as ``UnitsBelow.units``
    lines: list[ServiceLineSpec]
    min_group: int
    total: int  # how many cadres there are (``cadres`` may hold only some)


def may_view_index(viewer) -> bool:
    return bool(scope_roots(viewer, VIEW_INDEX))


def unit_index(viewer, *, unit_id: int | None = None, period: Period, service_line: str | None = None) -> UnitIndex:
    """The unit's index in ``period`` per service line (or the one ``service_line``) and overall, beside the
    previous period's, with Welch's comparison. Three queries (grants, unit, tallies)."""
    specs = line_specs(service_line)
    unit, _top = chosen_unit(viewer, unit_id)
    before = period.previous()
    rows = RatingTally.objects.filter(
        unit_path=unit.path,
        service_line__in=[s.code for s in specs],
        month__gte=(before or period).start,
        month__lt=period.end,
    )
    now: dict[str, Moments] = defaultdict(Moments)
    then: dict[str, Moments] = defaultdict(Moments)
    for month, line, n, total, total_sq in rows.order_by().values_list(*ROW):
        (now if month >= period.start else then)[line] += Moments(n, total, total_sq)
    k = min_group()
    weights = {s.code: s.weight for s in specs}
    overall, lines = figures_by_line(now, weights, k)
    previous, lines_before = figures_by_line(then, weights, k)
    return UnitIndex(
        unit=unit,
        period=period,
        previous_period=before,
        service_line=service_line,
        overall=overall,
        previous=previous,
        comparison=comparison_of(overall, previous),
        lines=[
            LineIndex(
                s.code,
                str(s.label),
                s.weight,
                lines[s.code],
                lines_before[s.code],
                comparison_of(lines[s.code], lines_before[s.code]),
            )
            for s in specs
        ],
        min_group=k,
    )


def index_trend(
    viewer,
    *,
    unit_id: int | None = None,
    kind: Kind = "month",
    periods: int = 12,
    service_line: str | None = None,
    today: datetime.date | None = None,
) -> IndexTrend:
    """The unit's overall index (or the one line's) in each of the last ``periods`` periods of ``kind`` up to
    the one containing ``today``, oldest first, each compared with the period before it. Three queries:
    the tallies of every month needed are read at once."""
    if kind not in KINDS:
        raise ValueError(f"a period is a month, a quarter or a year, not {kind!r}")
    if not 1 <= periods <= MAX_PERIODS:
        raise ValueError(f"ask for 1 to {MAX_PERIODS} periods, not {periods}")
    specs = line_specs(service_line)
    unit, _top = chosen_unit(viewer, unit_id)
    # One period more than shown, so that the first one shown is compared too.
    wanted = Period.last(kind, periods + 1, today or timezone.localdate())
    rows = RatingTally.objects.filter(
        unit_path=unit.path,
        service_line__in=[s.code for s in specs],
        month__gte=wanted[0].start,
        month__lt=wanted[-1].end,
    )
    moments: dict[Period, dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))
    for month, line, n, total, total_sq in rows.order_by().values_list(*ROW):
        moments[Period.containing(kind, month)][line] += Moments(n, total, total_sq)
    k = min_group()
    weights = {s.code: s.weight for s in specs}
    figures = [figures_by_line(moments[p], weights, k)[0] for p in wanted]
    points = [
        TrendPoint(p, f, comparison_of(f, figures[i - 1]) if i else None)
        for i, (p, f) in enumerate(zip(wanted, figures, strict=True))
    ]
    return IndexTrend(unit, kind, service_line, points[-periods:], k)


Order = Literal["best", "lowest"]


def picked(places: dict, *, order: Order = "best", limit: int | None = None, each_end: int | None = None) -> list:
    """Which of the groups to show, in order, from ``places`` (group → (``Standing``, tie)): all of them; the
    first ``limit`` in ``order``; or, with more than twice ``each_end``, the ``each_end`` best and lowest of
    those shown (in ``order`` too)."""
    lowest = order == "lowest"
    ranked = sorted(places, key=lambda group: ranking_key(*places[group], lowest=lowest))
    if each_end is not None and len(ranked) > 2 * each_end:
        shown = [group for group in ranked if places[group][0][0] == 0]
        ranked = shown if len(shown) <= 2 * each_end else shown[:each_end] + shown[-each_end:]
    return ranked if limit is None else ranked[:limit]


def units_below(
    viewer,
    *,
    unit_id: int | None = None,
    period: Period,
    service_line: str | None = None,
    order: Order = "best",
    limit: int | None = None,
    each_end: int | None = None,
) -> UnitsBelow:
    """The units just below the unit, each with its overall index (or the one line's) in ``period``, best
    first (or ``lowest``), and a row for the ratings of members attached to the unit itself when there are
    any; with the trail from the viewer's scope root. With ``limit`` or ``each_end``, only those (``picked``),
    and ``total`` says how many there are. Four queries (grants, unit, the trail and the units below,
    tallies); the whole figure, with its interval, is worked out for the units returned only."""
    specs = line_specs(service_line)
    unit, top = chosen_unit(viewer, unit_id)
    trail_paths = [p for p in ancestor_paths(unit.path)[:-1] if len(p) >= len(top)]
    near = Q(path__in=trail_paths) | (paths_scope_q([unit.path], "path") & Q(depth=unit.depth + 1))
    nearby = list(OrgUnit.objects.filter(near).only(*UNIT_FIELDS).order_by("path"))
    trail = [u for u in nearby if u.path in trail_paths]
    children = [u for u in nearby if u.path not in trail_paths]

    rows = (
        period_tallies(period.kind, [period])
        .filter(Q(parent_path=unit.path) | Q(unit_path=unit.path), service_line__in=[s.code for s in specs])
        .values_list("unit_path", "service_line")
        .annotate(**SUMS)
        .order_by()
    )
    moments: dict[str, dict[str, Moments]] = defaultdict(dict)
    for path, line, n, total, total_sq in rows:
        moments[path][line] = Moments(n, total, total_sq)
    own = dict(moments.pop(unit.path, {}))
    for lines in moments.values():  # what is left on the unit itself: its total less the units below
        for line, m in lines.items():
            own[line] = own.get(line, Moments()) - m
    k = min_group()
    weights = {s.code: s.weight for s in specs}
    groups = {u.path: (u, moments.get(u.path, {}), False) for u in children}
    if any(m.n for m in own.values()):
        groups[""] = (unit, own, True)
    places = {p: (standing_of(m, weights, k), u.path) for p, (u, m, _) in groups.items()}
    units = []
    for path in picked(places, order=order, limit=limit, each_end=each_end):
        group, group_moments, is_self = groups[path]
        units.append(UnitFigure(group, figures_by_line(group_moments, weights, k)[0], is_self=is_self))
    return UnitsBelow(unit, period, service_line, trail, units, k, total=len(groups))


def cadre_indexes(
    viewer,
    *,
    unit_id: int | None = None,
    period: Period,
    order: Order = "best",
    limit: int | None = None,
) -> CadreIndexes:
    """The cadres holding a role on the unit or below it, each with their index in ``period`` over every
    rating of a service they were answerable for (``CadreTally``, wherever it was given), best first (or
    ``lowest``); with ``limit``, only the first ones, and ``total`` says how many there are. Five queries
    (grants, unit, the cadres, tallies, the roles of the cadres returned)."""
    specs = service_lines()
    unit, _top = chosen_unit(viewer, unit_id)
    roles = RoleAssignment.objects.filter(paths_scope_q([unit.path], "unit__path"), role__in=CADRE_ROLES).filter(
        user__is_active=True
    )
    names = {
        user_id: display_name or username
        for user_id, display_name, username in roles.values_list("user_id", "user__display_name", "user__username")
    }
    rows = (
        CadreTally.objects.filter(
            cadre_id__in=Subquery(roles.values("user_id")),
            service_line__in=[s.code for s in specs],
            month__gte=period.start,
            month__lt=period.end,
        )
        .values_list("cadre_id", "service_line")
        .annotate(**SUMS)
        .order_by()
    )
    moments: dict[int, dict[str, Moments]] = defaultdict(dict)
    for cadre_id, line, n, total, total_sq in rows:
        moments[cadre_id][line] = Moments(n, total, total_sq)
    k = min_group()
    weights = {s.code: s.weight for s in specs}
    places = {u: (standing_of(moments.get(u, {}), weights, k), (name, u)) for u, name in names.items()}
    chosen = picked(places, order=order, limit=limit)
    by_user: dict[int, list[RoleAssignment]] = defaultdict(list)
    for assignment in roles.filter(user_id__in=chosen).select_related("user", "unit").order_by("unit__path", "role"):
        by_user[assignment.user_id].append(assignment)
    cadres = []
    for user_id in chosen:
        overall, lines = figures_by_line(moments.get(user_id, {}), weights, k)
        cadres.append(CadreIndex(user_id, names[user_id], by_user[user_id], overall, lines))
    return CadreIndexes(unit, period, cadres, specs, k, total=len(names))


def period_tallies(kind: Kind, periods: list[Period]) -> QuerySet:
    """The tallies of the consecutive ``periods`` of ``kind``: the monthly ``RatingTally`` rows, or the quarter
    or year ``RatingRollup`` rows (a row per unit, line and period either way; its period starts on
    ``TALLY_START[kind]``)."""
    if kind == "month":
        return RatingTally.objects.filter(month__gte=periods[0].start, month__lt=periods[-1].end)
    return RatingRollup.objects.filter(kind=kind, start__gte=periods[0].start, start__lt=periods[-1].end)


TALLY_START = {"month": "month", "quarter": "start", "year": "start"}


def line_specs(service_line: str | None) -> list[ServiceLineSpec]:
    """Every registered line, or the one asked for (``ValueError`` for a line nobody registered)."""
    if service_line is None:
        return service_lines()
    spec = service_line_spec(service_line)
    if spec is None:
        raise ValueError(unknown_line_error(service_line))
    return [spec]


def chosen_unit(viewer, unit_id: int | None) -> tuple[OrgUnit, str]:
    """The unit looked at and the viewer's scope root above it (403 without the permission, 404 outside)."""
    roots = scope_roots(viewer, VIEW_INDEX)
    if not roots:
        raise PermissionRefused(VIEW_INDEX)
    unit = OrgUnit.objects.filter(**({"path": roots[0]} if unit_id is None else {"pk": unit_id})).first()
    top = next((r for r in roots if unit is not None and unit.path.startswith(r)), None)
    if unit is None or top is None:
        raise OutOfScope()
    return unit, top
