"""Driver analysis of a survey: reads its answers and hands them to ``satisfaction.drivers``.

Two queries: the survey's Likert, recommendation and matrix questions, then one streamed query of their
answers (response, question, item, value) ordered by response, served by the ``answer_results`` index. Response
ids only group the answers of one respondent here and are never shown, so anonymous surveys are read the same
way.
"""

from collections.abc import Iterator
from dataclasses import asdict
from itertools import groupby
from operator import itemgetter

from unionhome.access.scope import paths_scope_q
from unionhome.satisfaction.drivers import (
    LIKERT,
    RECOMMENDATION,
    Driver,
    DriverAnalysis,
    DriverItem,
    drivers_analyse,
)
from unionhome.surveys.models import Answer, Question, QuestionKind, Survey
from unionhome.surveys.results_breakdown import Breakdown, survey_breakdown

SCORED_KINDS = (QuestionKind.LIKERT, QuestionKind.RECOMMENDATION, QuestionKind.MATRIX)
MIN_RESPONDENTS = 10


def question_key(question_id: int, item: int | None = None) -> str:
    return f"q{question_id}" if item is None else f"q{question_id}.{item}"


def driver_items(questions) -> tuple[list[DriverItem], dict[tuple[int, int], str]]:
    """The items to analyse, and (question id, item index) → key for the answer rows."""
    items, keys = [], {}
    for question in questions:
        if question.kind == QuestionKind.MATRIX:
            for index, text in enumerate(question.items or []):
                key = question_key(question.pk, index)
                items.append(DriverItem(key=key, label=str(text), scale=LIKERT, service_line=question.service_line))
                keys[(question.pk, index)] = key
            continue
        key = question_key(question.pk)
        scale = RECOMMENDATION if question.kind == QuestionKind.RECOMMENDATION else LIKERT
        items.append(
            DriverItem(
                key=key,
                label=question.text,
                scale=scale,
                service_line=question.service_line,
                is_overall=question.is_overall,
            )
        )
        keys[(question.pk, 0)] = key
    return items, keys


def min_respondents(survey: Survey) -> int:
    return max(survey.min_group, MIN_RESPONDENTS)


def _rows(answers, keys) -> Iterator[dict[str, int]]:
    for _response, group in groupby(answers, key=itemgetter(0)):
        row = {}
        for _r, question_id, item, value in group:
            key = keys.get((question_id, item))
            if key is not None:
                row[key] = value
        yield row


def survey_drivers(survey: Survey, *, unit_path: str | None = None) -> DriverAnalysis | None:
    """None without an overall question or with fewer than max(survey.min_group, 10) respondents who answered it
    (in the subtree ``unit_path`` when given). A closed survey's whole analysis is kept on the survey the first
    time it is read (``Survey.drivers``): a federation's survey has a million answers to go through."""
    whole = not unit_path or unit_path == survey.unit_path
    if whole and survey.status == Survey.Status.CLOSED:
        return _kept(survey)
    return _analysed(survey, None if whole else unit_path)


def _analysed(survey: Survey, unit_path: str | None) -> DriverAnalysis | None:
    """Two queries: the scored questions, then their answers streamed in the order of the responses."""
    questions = list(
        Question.objects.filter(survey_id=survey.pk, kind__in=SCORED_KINDS)
        .only("pk", "kind", "text", "items", "is_overall", "service_line", "position")
        .order_by("position")
    )
    if not any(question.is_overall for question in questions):
        return None
    items, keys = driver_items(questions)
    answers = Answer.objects.filter(question_id__in=[question.pk for question in questions])
    if unit_path:
        answers = answers.filter(paths_scope_q([unit_path], "response__unit_path"))
    answers = answers.order_by("response_id").values_list("response_id", "question_id", "item", "value")
    return drivers_analyse(_rows(answers.iterator(chunk_size=2000), keys), items, min_n=min_respondents(survey))


def _kept(survey: Survey) -> DriverAnalysis | None:
    """The closed survey's whole analysis: read from the survey (one query), or worked out and kept."""
    kept = Survey.objects.filter(pk=survey.pk).values_list("drivers", flat=True).first()
    if kept is not None:
        return analysis_from(kept)
    analysis = _analysed(survey, None)
    Survey.objects.filter(pk=survey.pk, drivers__isnull=True).update(drivers=analysis_to(analysis))
    return analysis


def analysis_to(analysis: DriverAnalysis | None) -> dict:
    if analysis is None:
        return {"analysed": False}
    return {"analysed": True, **asdict(analysis)}


def analysis_from(data: dict) -> DriverAnalysis | None:
    if not data.get("analysed"):
        return None
    drivers = [Driver(**driver) for driver in data["drivers"]]
    return DriverAnalysis(
        drivers=drivers, n=data["n"], r_squared=data["r_squared"], overall_label=data["overall_label"]
    )


def unit_drivers_shown(survey: Survey, unit, *, breakdown: Breakdown | None = None) -> DriverAnalysis | None:
    """The drivers of ``unit``'s subtree (the whole survey for its own unit or None), only when the breakdown by
    unit (``breakdown``, worked out when not given) shows every figure of that unit: a unit whose figures are
    suppressed (small, or hidden so that a small neighbour cannot be worked out) must not show its scores
    through its drivers' performance either."""
    if unit is None or unit.pk == survey.unit_id:
        return survey_drivers(survey)
    total = (breakdown or survey_breakdown(survey, unit_id=unit.pk)).total
    if total is None or total.responses.suppressed or any(cell.suppressed for cell in total.cells.values()):
        return None
    return survey_drivers(survey, unit_path=unit.path)
