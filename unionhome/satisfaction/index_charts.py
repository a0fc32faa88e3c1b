"""The data of the dashboard's heat map and driver chart, as ``satisfaction-index.js`` draws them (pure
functions; the page passes them through ``json_script`` and shows the same figures in tables)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from unionhome.satisfaction.drivers import ACT_FIRST, KEEP_UP, LOWER_PRIORITY, OVERDONE, DriverAnalysis
from unionhome.satisfaction.index_heatmap import Heatmap

QUADRANT_LABELS = {
    ACT_FIRST: gettext_lazy("Act first"),
    KEEP_UP: gettext_lazy("Keep up"),
    LOWER_PRIORITY: gettext_lazy("Lower priority"),
    OVERDONE: gettext_lazy("Possibly overdone"),
}
QUADRANT_ORDER = (ACT_FIRST, KEEP_UP, LOWER_PRIORITY, OVERDONE)


def row_label(row) -> str:
    return _("%(unit)s itself") % {"unit": row.unit.name} if row.is_self else row.unit.name


def heatmap_chart(heatmap: Heatmap) -> dict:
    """Columns (periods), rows (units), one cell [column, row, index or null, n] each; a null index is a cell
    with fewer than k answers (``fewer``) or none (``n`` 0)."""
    k = heatmap.min_group
    return {
        "type": "heatmap",
        "columns": [p.label() for p in heatmap.periods],
        "rows": [row_label(row) for row in heatmap.rows],
        "ids": [None if row.is_self else row.unit.pk for row in heatmap.rows],
        "cells": [
            [x, y, round(f.index, 1) if f.index is not None else None, f.n]
            for y, row in enumerate(heatmap.rows)
            for x, f in enumerate(row.cells)
        ],
        "fewer": ngettext("fewer than %(k)s answer", "fewer than %(k)s answers", k) % {"k": k},
        "none": _("no answers"),
        "answers": _("Answers"),
    }


def drivers_chart(analysis: DriverAnalysis) -> dict:
    """One point per driver (importance, performance), the medians that split the quadrants, their names."""
    drivers = analysis.drivers
    return {
        "type": "scatter",
        "points": [
            {
                "name": d.label,
                "importance": round(d.importance, 3),
                "performance": round(d.performance, 1),
                "quadrant": d.quadrant,
            }
            for d in drivers
        ],
        "medians": {
            "importance": round(_median([d.importance for d in drivers]), 3),
            "performance": round(_median([d.performance for d in drivers]), 1),
        },
        "quadrants": {code: str(label) for code, label in QUADRANT_LABELS.items()},
        "axes": {"importance": _("Importance (r)"), "performance": _("Performance (0–100)")},
    }


def drivers_by_quadrant(analysis: DriverAnalysis) -> list[tuple]:
    """(driver, quadrant name) for the table: "act first" first, then by quadrant, most important first
    within each."""
    order = {code: i for i, code in enumerate(QUADRANT_ORDER)}
    ordered = sorted(analysis.drivers, key=lambda d: (order[d.quadrant], -d.importance, d.key))
    return [(d, QUADRANT_LABELS[d.quadrant]) for d in ordered]


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
