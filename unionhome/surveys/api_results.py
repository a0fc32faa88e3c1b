"""API: a survey's results, their breakdown by unit and the Excel export, under
``/api/v1/satisfaction/surveys/manage/{id}/``, for cadres with ``satisfaction.manage_surveys`` or
``satisfaction.view_index`` on the survey's unit (anyone else: 404).

The same selectors as the page (``results.py``, ``results_breakdown.py``), so the same suppression: while the
survey has fewer than k responses only the counts (``shown`` false); a question answered by fewer than k shows
its ``n`` with ``suppressed`` true and nothing else; a suppressed group's cell is ``{"n": null, "value": null,
"suppressed": true}`` (its count is hidden too, see ``results_breakdown``).
"""

from django.http import FileResponse, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.surveys.results import Score, results_survey, survey_results
from unionhome.surveys.results_breakdown import Cell, Row, survey_breakdown
from unionhome.surveys.results_export import XLSX_CONTENT_TYPE, results_export

router = Router(tags=["surveys"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
SurveyId = Path(..., ge=1, le=MAX_ID)


class ShareOut(Schema):
    label: str
    count: int
    share: float = Field(description="Of the question's respondents, 0–1.")


class ScoreOut(Schema):
    n: int
    distribution: list[ShareOut]
    mean: float | None = Field(description="On the question's scale (1–5 or 0–10).")
    index: float | None = Field(description="The mean mapped to 0–100.")
    ci_low: float | None = Field(description="The 95 % confidence interval of the index.")
    ci_high: float | None


class NpsOut(Schema):
    promoters: float = Field(description="% of respondents scoring 9–10.")
    passives: float
    detractors: float = Field(description="% of respondents scoring 0–6.")
    nps: float = Field(description="Promoters less detractors, −100 to 100.")


class ItemOut(Schema):
    label: str
    score: ScoreOut


class QuestionResultOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    is_overall: bool
    n: int = Field(description="Respondents to the question.")
    suppressed: bool = Field(description="Fewer than `min_group` respondents: nothing but n is given.")
    options: list[ShareOut] = Field(description="Choice questions: per option.")
    score: ScoreOut | None = Field(description="Likert and recommendation questions.")
    nps: NpsOut | None = Field(description="Recommendation questions.")
    items: list[ItemOut] = Field(description="Matrix questions: per item.")
    texts: list[str] = Field(description="Text questions: up to 200 (anonymous: in random order).")
    more_texts: int = Field(description="Texts not listed (in the Excel export).")


class RateOut(Schema):
    invited: int
    responded: int
    rate: float | None


class ResultsOut(Schema):
    survey_id: int
    title: str
    status: str
    is_anonymous: bool
    min_group: int = Field(description="k: smaller groups are suppressed.")
    responses: int
    shown: bool = Field(description="False while fewer than `min_group` responses: no question is given.")
    rate: RateOut
    questions: list[QuestionResultOut]


class UnitRefOut(Schema):
    id: int
    name: str
    kind: str


class CellOut(Schema):
    n: int | None = Field(description="Respondents (the responses, for `responses`); null when suppressed.")
    value: float | None = Field(description="Index 0–100, NPS or share in %; null when suppressed or no answers.")
    suppressed: bool


class MeasureOut(Schema):
    key: str
    question_id: int
    label: str
    kind: str = Field(description="`index` (0–100), `nps` or `share` (% choosing the option).")


class RowOut(Schema):
    unit: UnitRefOut
    is_self: bool = Field(description="Responses from the chosen unit itself, not from a unit below.")
    responses: CellOut
    cells: dict[str, CellOut] = Field(description="By measure key.")


class BreakdownOut(Schema):
    survey_id: int
    unit: UnitRefOut
    units: list[UnitRefOut] = Field(description="The units that may be chosen.")
    min_group: int
    shown: bool
    measures: list[MeasureOut]
    total: RowOut | None = Field(description="The chosen unit as a whole.")
    rows: list[RowOut]


class BreakdownFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The unit broken down (default: the survey's).")


def _unit(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "kind": unit.kind}


def _score(score: Score | None) -> dict | None:
    if score is None:
        return None
    e = score.estimate
    return {
        "n": score.n,
        "distribution": score.distribution,
        "mean": score.mean,
        "index": e.index,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
    }


def _cell(cell: Cell) -> dict:
    if cell.suppressed:
        return {"n": None, "value": None, "suppressed": True}
    return {"n": cell.n, "value": cell.value, "suppressed": False}


def _row(row: Row) -> dict:
    return {
        "unit": _unit(row.unit),
        "is_self": row.is_self,
        "responses": _cell(row.responses),
        "cells": {key: _cell(cell) for key, cell in row.cells.items()},
    }


@router.get(
    "/manage/{survey_id}/results",
    response={200: ResultsOut, **ERRORS},
    operation_id="survey_results",
    summary="A survey's results, question by question",
)
def results(request: HttpRequest, survey_id: int = SurveyId):
    """Per question the respondents and, by kind, the counts and shares per option or score, the mean, the
    index with its 95 % interval, the NPS, or the texts; suppressed below `min_group` as the page is."""
    survey = results_survey(request.auth, survey_id)
    found = survey_results(survey)
    rate = found.rate
    return {
        "survey_id": survey.pk,
        "title": survey.title,
        "status": survey.status,
        "is_anonymous": survey.is_anonymous,
        "min_group": found.min_group,
        "responses": found.responses,
        "shown": found.shown,
        "rate": {"invited": rate.invited, "responded": rate.responded, "rate": rate.rate},
        "questions": [
            {
                "id": r.question.pk,
                "position": r.question.position,
                "kind": r.question.kind,
                "text": r.question.text,
                "is_overall": r.question.is_overall,
                "n": r.n,
                "suppressed": r.suppressed,
                "options": r.options,
                "score": _score(r.score),
                "nps": r.nps,
                "items": [{"label": i.label, "score": _score(i.score)} for i in r.items],
                "texts": r.texts,
                "more_texts": r.more_texts,
            }
            for r in found.questions
        ],
    }


@router.get(
    "/manage/{survey_id}/results/breakdown",
    response={200: BreakdownOut, **ERRORS},
    operation_id="survey_results_breakdown",
    summary="A survey's figures for each unit below a unit",
)
def results_breakdown(request: HttpRequest, filters: Query[BreakdownFilters], survey_id: int = SurveyId):
    """Each figure (a Likert question's or matrix item's index, a recommendation question's NPS, the share of
    each choice option) for the units just below `unit`. Groups with fewer than `min_group` answers are
    suppressed, and so is the next smallest when only one in a column is (complementary suppression)."""
    survey = results_survey(request.auth, survey_id)
    found = survey_breakdown(survey, unit_id=filters.unit)
    return {
        "survey_id": survey.pk,
        "unit": _unit(found.unit),
        "units": [_unit(u) for u in found.units],
        "min_group": found.min_group,
        "shown": found.shown,
        "measures": found.measures,
        "total": _row(found.total) if found.total else None,
        "rows": [_row(r) for r in found.rows],
    }


@router.get(
    "/manage/{survey_id}/results.xlsx",
    response={200: None, **ERRORS},
    operation_id="survey_results_export",
    summary="A survey's results as an Excel workbook",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The workbook: summary, by unit, answers.",
                "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def results_xlsx(request: HttpRequest, survey_id: int = SurveyId):
    """The summary, the breakdown by branch and the raw answers (anonymous: no member, time or id, in random
    order, branches under k merged). Each export is audited."""
    survey = results_survey(request.auth, survey_id)
    export = results_export(actor=request.auth, survey=survey)
    return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE)
