"""The dashboard's heat map: the units just below a unit (rows) × the last months or quarters (columns), the
overall index (or one line's) in each cell, from the running tallies (``RatingTally``) like ``index_reads``.

Four queries whatever the number of units, periods or ratings (grants, unit, the units below, tallies). A
cell with fewer than k answers carries its n and no index (``index_figures``), as everywhere else. Members
attached to the unit itself make a row of their own (``is_self``), the unit's tallies less its children's.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from unionhome.access.scope import paths_scope_q
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_figures import Figure, figures_by_line
from unionhome.satisfaction.index_math import Moments, min_group
from unionhome.satisfaction.index_reads import chosen_unit, line_specs
from unionhome.satisfaction.models import RatingTally
from unionhome.satisfaction.periods import Kind, Period

MIN_COLUMNS, MAX_COLUMNS = 6, 12
# A federation has a thousand unions below it: the map keeps the units with the lowest index (the newest
# column that has one decides), where a chair looks first; the unit's own row stays.
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
    children = list(OrgUnit.objects.filter(paths_scope_q([unit.path], "path"), depth=unit.depth + 1).order_by("path"))
    rows = (
        RatingTally.objects.filter(Q(parent_path=unit.path) | Q(unit_path=unit.path))
        .filter(service_line__in=[s.code for s in specs], month__gte=periods[0].start, month__lt=periods[-1].end)
        .order_by()
        .values_list("unit_path", "month", "service_line", "n", "total", "total_sq")
    )
    moments: dict[tuple[str, Period], dict[str, Moments]] = defaultdict(lambda: defaultdict(Moments))
    for path, month, line, n, total, total_sq in rows:
        moments[(path, Period.containing(kind, month))][line] += Moments(n, total, total_sq)
    k = min_group()
    weights = {s.code: s.weight for s in specs}

    def cells(path: str) -> list[Figure]:
        return [figures_by_line(moments.get((path, p), {}), weights, k)[0] for p in periods]

    def newest(child: OrgUnit) -> tuple[bool, float]:
        """The child's newest shown index (rows without one last), worked out from the newest column back."""
        for period in reversed(periods):
            figure = figures_by_line(moments.get((child.path, period), {}), weights, k)[0]
            if figure.index is not None:
                return (False, figure.index)
        return (True, 0.0)

    mapped = children
    if len(children) > MAX_ROWS:  # only the lowest, in the tree's order
        kept = {child.pk for child in sorted(children, key=newest)[:MAX_ROWS]}
        mapped = [child for child in children if child.pk in kept]
    found = [HeatmapRow(child, cells(child.path), periods) for child in mapped]
    own_cells = []
    for period in periods:  # what is left on the unit itself: its total less the units below
        own = dict(moments.get((unit.path, period), {}))
        for child in children:
            for line, m in moments.get((child.path, period), {}).items():
                own[line] = own.get(line, Moments()) - m
        own_cells.append(figures_by_line(own, weights, k)[0])
    if any(cell.n for cell in own_cells):
        found.append(HeatmapRow(unit, own_cells, periods, is_self=True))
    return Heatmap(unit, kind, service_line, periods, found, k, units_below=len(children))
