"""API: the satisfaction index for cadres with ``satisfaction.view_index``, under ``/api/v1/satisfaction/index``.

The same selectors as the dashboard (``index_reads.py``). A suppressed figure (fewer than k answers) answers
its ``n`` with ``suppressed: true`` and null for the index, its interval and any comparison; an infinite t
statistic (two periods without any spread) answers null as well.
"""

import math
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.satisfaction import index_reads
from unionhome.satisfaction.index_figures import Figure
from unionhome.satisfaction.index_math import Comparison
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import is_service_line

router = Router(tags=["satisfaction index"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _period(value: str | None) -> str | None:
    return str(Period.parse(value)) if value else None  # ValueError: a translated 422


def _line(value: str | None) -> str | None:
    if value and not is_service_line(value):
        raise ValueError(index_reads.unknown_line_error(value))
    return value or None


PeriodText = Annotated[str | None, AfterValidator(_period)]
LineCode = Annotated[str | None, AfterValidator(_line)]
UNIT = Field(None, ge=1, le=MAX_ID, description="The unit looked at (default: the caller's first scope root).")
PERIOD = Field(None, description="`2026-11` (a month), `2026-Q4` (a quarter) or `2026` (a year); default: this month.")
LINE = Field(None, description="One service line's code (default: every line, weighted).")


class IndexFilters(Schema):
    unit_id: int | None = UNIT
    period: PeriodText = PERIOD
    service_line: LineCode = LINE


class TrendFilters(Schema):
    unit_id: int | None = UNIT
    kind: Literal["month", "quarter", "year"] = Field("month", description="The length of each period.")
    periods: int = Field(12, ge=1, le=index_reads.MAX_PERIODS, description="How many periods, up to this one.")
    service_line: LineCode = LINE


LIMIT, MAX_LIMIT = 100, 500
ORDER = Field(
    "best",
    description="`best`: highest index first; `lowest`: lowest shown index first. The suppressed, then those "
    "without answers come last either way.",
)


class UnitsFilters(IndexFilters):
    order: Literal["best", "lowest"] = ORDER
    limit: int = Field(LIMIT, ge=1, le=MAX_LIMIT, description="At most this many units (a federation has a thousand).")


class CadreFilters(Schema):
    unit_id: int | None = UNIT
    period: PeriodText = PERIOD
    order: Literal["best", "lowest"] = ORDER
    limit: int = Field(LIMIT, ge=1, le=MAX_LIMIT, description="At most this many cadres (a federation has thousands).")


class UnitRefOut(Schema):
    id: int
    name: str
    kind: str


class FigureOut(Schema):
    index: float | None = Field(description="0–100; null when suppressed or without answers.")
    n: int = Field(description="The answers counted (for a suppressed overall: the answers held back).")
    suppressed: bool = Field(description="Fewer answers than `min_group`: nothing but n is shown.")
    se: float | None
    ci_low: float | None = Field(description="The 95 % confidence interval, cut to 0–100.")
    ci_high: float | None


class ComparisonOut(Schema):
    difference: float | None = Field(description="This period less the previous one, in index points.")
    t: float | None = Field(description="Welch's t; null when infinite (no spread in either period).")
    df: float | None
    p_value: float | None
    significant: bool = Field(description="p < 0.05 and both periods with at least 10 answers.")
    drop: bool = Field(description="Significant and lower than before.")


class LineOut(Schema):
    code: str
    label: str
    weight: float
    current: FigureOut
    previous: FigureOut
    comparison: ComparisonOut | None = Field(description="Null unless both periods are shown.")


class UnitIndexOut(Schema):
    unit: UnitRefOut
    period: str
    period_label: str
    previous_period: str | None
    min_group: int = Field(description="k: groups with fewer answers are suppressed.")
    overall: FigureOut = Field(description="Over the lines shown only (or the one `service_line`).")
    previous: FigureOut
    comparison: ComparisonOut | None
    lines: list[LineOut]


class TrendPointOut(Schema):
    period: str
    label: str
    figure: FigureOut
    comparison: ComparisonOut | None = Field(description="Against the period before; null unless both are shown.")


class TrendOut(Schema):
    unit: UnitRefOut
    kind: str
    service_line: str | None
    min_group: int
    points: list[TrendPointOut] = Field(description="Oldest first.")


class UnitFigureOut(FigureOut):
    unit: UnitRefOut
    is_self: bool = Field(description="Members attached to the unit looked at itself, not to a unit below.")


class UnitsOut(Schema):
    unit: UnitRefOut
    period: str
    period_label: str
    service_line: str | None
    min_group: int
    trail: list[UnitRefOut] = Field(description="From the caller's scope root down to the parent of `unit`.")
    total: int = Field(description="How many rows there are: the units just below, and the unit itself if it has any.")
    units: list[UnitFigureOut] = Field(description="In the `order` asked for, at most `limit` of them.")


class RoleOut(Schema):
    role: str
    label: str
    unit: UnitRefOut


class CadreOut(Schema):
    id: int
    name: str
    roles: list[RoleOut]
    overall: FigureOut
    lines: dict[str, FigureOut] = Field(description="By service line code.")


class CadresOut(Schema):
    unit: UnitRefOut
    period: str
    period_label: str
    min_group: int
    total: int = Field(description="How many cadres hold a role on the unit or below it.")
    cadres: list[CadreOut] = Field(description="In the `order` asked for, at most `limit` of them.")


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def unit_out(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind}


def figure_out(figure: Figure) -> dict:
    e = figure.estimate  # None when suppressed: nothing but n and the flag
    return {
        "index": _finite(e.index) if e else None,
        "n": figure.n,
        "suppressed": figure.suppressed,
        **{name: _finite(getattr(e, name)) if e else None for name in ("se", "ci_low", "ci_high")},
    }


def _comparison(c: Comparison | None) -> dict | None:
    if c is None:
        return None
    return {
        **{name: _finite(getattr(c, name)) for name in ("difference", "t", "df", "p_value")},
        "significant": c.significant,
        "drop": c.drop,
    }


def chosen_period(text: str | None) -> Period:
    return Period.parse(text) if text else Period.containing("month", timezone.localdate())


@router.get(
    "/index",
    response={200: UnitIndexOut, **ERRORS},
    operation_id="satisfaction_index",
    summary="A unit's satisfaction index per service line, with the previous period",
)
def unit_index(request: HttpRequest, filters: Query[IndexFilters]):
    """The index of `unit_id` (with its subtree) in `period`, per service line and overall, beside the
    previous period's with Welch's test. Needs `satisfaction.view_index` (403); a unit outside the caller's
    scope is 404."""
    result = index_reads.unit_index(
        request.auth, unit_id=filters.unit_id, period=chosen_period(filters.period), service_line=filters.service_line
    )
    return {
        "unit": unit_out(result.unit),
        "period": str(result.period),
        "period_label": result.period.label(),
        "previous_period": str(result.previous_period) if result.previous_period else None,
        "min_group": result.min_group,
        "overall": figure_out(result.overall),
        "previous": figure_out(result.previous),
        "comparison": _comparison(result.comparison),
        "lines": [
            {
                "code": line.code,
                "label": line.label,
                "weight": line.weight,
                "current": figure_out(line.current),
                "previous": figure_out(line.previous),
                "comparison": _comparison(line.comparison),
            }
            for line in result.lines
        ],
    }


@router.get(
    "/index/trend",
    response={200: TrendOut, **ERRORS},
    operation_id="satisfaction_index_trend",
    summary="A unit's satisfaction index period by period",
)
def index_trend(request: HttpRequest, filters: Query[TrendFilters]):
    """The overall index (or one line's) of `unit_id` in each of the last `periods` months, quarters or
    years up to this one, oldest first, each compared with the period before."""
    trend = index_reads.index_trend(
        request.auth,
        unit_id=filters.unit_id,
        kind=filters.kind,
        periods=filters.periods,
        service_line=filters.service_line,
    )
    return {
        "unit": unit_out(trend.unit),
        "kind": trend.kind,
        "service_line": trend.service_line,
        "min_group": trend.min_group,
        "points": [
            {
                "period": str(p.period),
                "label": p.period.label(),
                "figure": figure_out(p.figure),
                "comparison": _comparison(p.comparison),
            }
            for p in trend.points
        ],
    }


@router.get(
    "/index/units",
    response={200: UnitsOut, **ERRORS},
    operation_id="satisfaction_index_units",
    summary="The satisfaction index of the units just below a unit",
)
def index_units(request: HttpRequest, filters: Query[UnitsFilters]):
    """The units just below `unit_id`, each with its index in `period` (overall or one line's), best (or
    lowest) first, at most `limit` of them: the top and the bottom units. Members attached to the unit itself
    make a row of their own (`is_self`)."""
    below = index_reads.units_below(
        request.auth,
        unit_id=filters.unit_id,
        period=chosen_period(filters.period),
        service_line=filters.service_line,
        order=filters.order,
        limit=filters.limit,
    )
    return {
        "unit": unit_out(below.unit),
        "period": str(below.period),
        "period_label": below.period.label(),
        "service_line": below.service_line,
        "min_group": below.min_group,
        "trail": [unit_out(u) for u in below.trail],
        "total": below.total,
        "units": [{"unit": unit_out(u.unit), "is_self": u.is_self, **figure_out(u.figure)} for u in below.units],
    }


@router.get(
    "/index/cadres",
    response={200: CadresOut, **ERRORS},
    operation_id="satisfaction_index_cadres",
    summary="The satisfaction index of the cadres of a unit",
)
def index_cadres(request: HttpRequest, filters: Query[CadreFilters]):
    """The cadres holding a role on `unit_id` or below, each with the index in `period` of the services
    they were answerable for, best (or lowest) first, at most `limit` of them."""
    result = index_reads.cadre_indexes(
        request.auth,
        unit_id=filters.unit_id,
        period=chosen_period(filters.period),
        order=filters.order,
        limit=filters.limit,
    )
    return {
        "total": result.total,
        "unit": unit_out(result.unit),
        "period": str(result.period),
        "period_label": result.period.label(),
        "min_group": result.min_group,
        "cadres": [
            {
                "id": c.user_id,
                "name": c.name,
                "roles": [
                    {"role": a.role, "label": str(a.get_role_display()), "unit": unit_out(a.unit)} for a in c.roles
                ],
                "overall": figure_out(c.overall),
                "lines": {code: figure_out(f) for code, f in c.lines.items()},
            }
            for c in result.cadres
        ],
    }
