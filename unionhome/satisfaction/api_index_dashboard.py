"""API: the dashboard's heat map and driver analysis, under ``/api/v1/satisfaction/index`` (mounted by
``api_index.py``), for cadres with ``satisfaction.view_index``; the same reads as the page
(``index_heatmap.py``, ``index_drivers.py``)."""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from unionhome.satisfaction.api_index import ERRORS, UNIT, FigureOut, LineCode, UnitRefOut, figure_out, unit_out
from unionhome.satisfaction.index_drivers import unit_drivers
from unionhome.satisfaction.index_heatmap import MAX_COLUMNS, MIN_COLUMNS, units_heatmap
from unionhome.satisfaction.index_reads import chosen_unit
from unionhome.surveys.api_drivers import DriverOut, driver_out

router = Router(tags=["satisfaction index"])


class HeatmapFilters(Schema):
    unit_id: int | None = UNIT
    kind: Literal["month", "quarter"] = Field("month", description="The columns: months or quarters.")
    columns: int = Field(MIN_COLUMNS, ge=MIN_COLUMNS, le=MAX_COLUMNS, description="How many, up to this one.")
    service_line: LineCode = Field(None, description="One service line's code (default: every line, weighted).")


class DriverFilters(Schema):
    unit_id: int | None = UNIT


class PeriodOut(Schema):
    period: str
    label: str


class HeatmapRowOut(Schema):
    unit: UnitRefOut
    is_self: bool = Field(description="Members attached to the unit looked at itself, not to a unit below.")
    cells: list[FigureOut] = Field(description="One per period, oldest first; suppressed below `min_group`.")


class HeatmapOut(Schema):
    unit: UnitRefOut
    kind: str
    service_line: str | None
    min_group: int
    periods: list[PeriodOut] = Field(description="The columns, oldest first.")
    rows: list[HeatmapRowOut] = Field(
        description="The units just below in the tree's order (with more than 30 below, only the 30 whose newest "
        "index is lowest); then the unit itself."
    )
    units_below: int = Field(description="How many units are just below the unit.")


class SurveyRefOut(Schema):
    id: int
    title: str
    closed_at: datetime.datetime | None


class IndexDriversOut(Schema):
    unit: UnitRefOut
    survey: SurveyRefOut | None = Field(
        description="The latest closed survey with an overall question run by the unit or above it and reaching "
        "it; null when there is none."
    )
    min_respondents: int | None = Field(description="max(the survey's k, 10); null without a survey.")
    analysed: bool = Field(description="False without a survey or with fewer respondents in the unit.")
    n: int | None
    r_squared: float | None
    overall_label: str | None
    drivers: list[DriverOut] = Field(description="Most important first; over the unit's subtree's answers.")


@router.get(
    "/index/heatmap",
    response={200: HeatmapOut, **ERRORS},
    operation_id="satisfaction_index_heatmap",
    summary="The index of the units just below a unit, period by period",
)
def index_heatmap(request: HttpRequest, filters: Query[HeatmapFilters]):
    """The units just below `unit_id` (rows) × the last `columns` months or quarters up to this one: the
    overall index (or one line's) in each cell, suppressed below `min_group` answers. Five queries whatever
    the number of units."""
    heatmap = units_heatmap(
        request.auth,
        unit_id=filters.unit_id,
        kind=filters.kind,
        columns=filters.columns,
        service_line=filters.service_line,
        today=timezone.localdate(),
    )
    return {
        "unit": unit_out(heatmap.unit),
        "kind": heatmap.kind,
        "service_line": heatmap.service_line,
        "min_group": heatmap.min_group,
        "units_below": heatmap.units_below,
        "periods": [{"period": str(p), "label": p.label()} for p in heatmap.periods],
        "rows": [
            {"unit": unit_out(row.unit), "is_self": row.is_self, "cells": [figure_out(f) for f in row.cells]}
            for row in heatmap.rows
        ],
    }


@router.get(
    "/index/drivers",
    response={200: IndexDriversOut, **ERRORS},
    operation_id="satisfaction_index_drivers",
    summary="The drivers of overall satisfaction in a unit, from the latest survey reaching it",
)
def index_drivers(request: HttpRequest, filters: Query[DriverFilters]):
    """Importance (Pearson's r), relative weight and performance (0–100) of each item of the latest closed
    survey with an overall question reaching `unit_id`, over the answers given in the unit's subtree."""
    unit, _top = chosen_unit(request.auth, filters.unit_id)
    found = unit_drivers(unit)
    survey, analysis = found.survey, found.analysis
    return {
        "unit": unit_out(unit),
        "survey": {"id": survey.pk, "title": survey.title, "closed_at": survey.closed_at} if survey else None,
        "min_respondents": found.min_n if survey else None,
        "analysed": analysis is not None,
        "n": analysis.n if analysis else None,
        "r_squared": analysis.r_squared if analysis else None,
        "overall_label": analysis.overall_label if analysis else None,
        "drivers": [driver_out(d) for d in analysis.drivers] if analysis else [],
    }
