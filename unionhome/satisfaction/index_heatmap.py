"""The dashboard's heat map: the units just below a unit (rows) × the last months or quarters (columns), the
overall index (or one line's) in each cell, from the running tallies (``RatingTally`` by month, ``RatingRollup``
by quarter) like ``index_reads``.

Four queries whatever the number of units, periods or ratings (grants, unit, the units below, tallies); with
more than ``MAX_ROWS`` units below, one more for their sum (the unit's own row) and one per column at most to
rank them (``lowest_lately``). A
cell with fewer than k answers carries its n and no index (``index_figures``), as everywhere else. Members
attached to the unit itself make a row of their own (``is_self``), the unit's tallies less its children's.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_figures import Figure, figures_by_line, standing_of
from unionhome.satisfaction.index_math import Moments, min_group
from unionhome.satisfaction.index_reads import (
    ROW,
    SUMS,
    TALLY_START,
    UNIT_FIELDS,
    chosen_unit,
    line_specs,
    period_tallies,
    picked,
)
from unionhome.satisfaction.periods import Kind, Period

MIN_COLUMNS, MAX_COLUMNS = 6, 12
# A federation has a thousand unions below it: the map keeps the units with the lowest index in the newest
# column (``lowest_lately``), where a chair looks first; the unit's own row stays.
MAX_ROWS = 30


@dataclass(frozen=True)
class HeatmapRow:
    unit: OrgUnit
    cells: list[Figure]  # one per column, oldest first
    periods: list[Period]  # the columns
    is_self: bool = False

    @property
    def labelled(self) -> list[tuple[Figure, Period]]:
        return list(zip(self.cells, self.periods, strict=True))


@dataclass(frozen=True)
class Heatmap:
    unit: OrgUnit
    kind: Kind
    service_line: str | None
    periods: list[Period]  # the columns, oldest first
    rows: list[HeatmapRow]  # the units below in the tree's order, then the unit itself when it has its own ratings
    min_group: int
    units_below: int = 0  # how many units are below; more than ``MAX_ROWS``: only the lowest are in ``rows``


def units_heatmap(
    viewer,
    *,
    unit_id: int | None = None,
    kind: Kind = "month",
    columns: int = MIN_COLUMNS,
    service_line: str | None = None,
    today: datetime.date,
) -> Heatmap:
    """The heat map of the units just below the unit, over the last ``columns`` (6–12) months or quarters up
    to the one containing ``today``."""
    if kind not in ("month", "quarter"):
        raise ValueError(f"the heat map's columns are months or quarters, not {kind!r}")
    if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise ValueError(f"ask for {MIN_COLUMNS} to {MAX_COLUMNS} columns, not {columns}")
    specs = line_specs(service_line)
    unit, _top = chosen_unit(viewer, unit_id)
    periods = Period.last(kind, columns, today)
    column_of = {p.start: p for p in periods}
    children = list(
        OrgUnit.objects.filter(paths_scope_q([unit.path], "path"), depth=unit.depth + 1)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )
    span = period_tallies(kind, periods).filter(service_line__in=[s.code for s in specs])
    start = TALLY_START[kind]
    k = min_group()
    weights = {s.code: s.weight for s in specs}
    mapped = children if len(children) <= MAX_ROWS else lowest_lately(unit, children, span, periods, weights, k)
    moments: dict[tuple[str, Period], dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))
    every_child = mapped is children
    near = Q(parent_path=unit.path) if every_child else Q(unit_path__in=[child.path for child in mapped])
    rows = span.filter(near | Q(unit_path=unit.path)).order_by()
    for path, begins, line, n, total, total_sq in rows.values_list("unit_path", start, *ROW[1:]):
        moments[(path, column_of[begins])][line] += Moments(n, total, total_sq)
    below: dict[Period, dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))  # the children's sum
    if every_child:
        for child in children:
            for period in periods:
                for line, m in moments.get((child.path, period), {}).items():
                    below[period][line] += m
    else:
        sums = span.filter(parent_path=unit.path).values_list(start, "service_line").annotate(**SUMS).order_by()
        for begins, line, n, total, total_sq in sums:
            below[column_of[begins]][line] += Moments(n, total, total_sq)

    def cells(path: str) -> list[Figure]:
        return [figures_by_line(moments.get((path, p), {}), weights, k)[0] for p in periods]

    found = [HeatmapRow(child, cells(child.path), periods) for child in mapped]
    own_cells = []
    for period in periods:  # what is left on the unit itself: its total less the units below
        own = dict(moments.get((unit.path, period), {}))
        for line, m in below[period].items():
            own[line] = own.get(line, Moments()) - m
        own_cells.append(figures_by_line(own, weights, k)[0])
    if any(cell.n for cell in own_cells):
        found.append(HeatmapRow(unit, own_cells, periods, is_self=True))
    return Heatmap(unit, kind, service_line, periods, found, k, units_below=len(children))


def lowest_lately(
    unit: OrgUnit, children: list[OrgUnit], span: QuerySet, periods: list[Period], weights: dict, k: int
) -> list[OrgUnit]:
    """The ``MAX_ROWS`` children with the lowest index in the newest column that shows one (those with none
    last), in the tree's order. Column by column from the newest, reading only the children not placed yet
    (one query per column at most, usually one or two), and no interval worked out for those left out."""
    start = TALLY_START[periods[-1].kind]
    places: dict[str, tuple] = {}
    unplaced = {child.path: (2, 0.0) for child in children}
    for period in reversed(periods):
        rows = span.filter(parent_path=unit.path, **{start: period.start}).order_by()
        if len(unplaced) < len(children):
            rows = rows.filter(unit_path__in=list(unplaced))
        moments: dict[str, dict[str, Moments]] = defaultdict(dict)
        for path, line, n, total, total_sq in rows.values_list("unit_path", *ROW[1:]):
            moments[path][line] = Moments(n, total, total_sq)
        for path in moments.keys() & unplaced.keys():
            place = standing_of(moments[path], weights, k)
            if place[0] == 0:
                places[path] = (place, path)
                del unplaced[path]
            else:
                unplaced[path] = min(unplaced[path], place)
        if not unplaced:
            break
    places.update((path, (place, path)) for path, place in unplaced.items())
    kept = set(picked(places, order="lowest", limit=MAX_ROWS))
    return [child for child in children if child.path in kept]
