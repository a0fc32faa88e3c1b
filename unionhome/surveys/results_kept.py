"""A closed survey's results and breakdowns by unit, worked out once and kept (``SurveyResult``).

Once a survey is closed its answers are final, so its figures are too: at a federation's size (600,000
responses, 6 million answers) working them out takes seconds (the breakdown, tens of seconds), reading them
kept takes two or three queries. ``results_keep`` works out, from the live selectors (``results.live_results``
and ``results_breakdown``: the suppression rules live there alone, the kept figures are their output as it
was), the results and the breakdown below every unit on offer (one pass over the answers for all of them), and
keeps each as one JSON row. It runs when a survey is closed (``services/closing.py``: at once for a survey of
up to ``SURVEYS_SHUFFLE_SYNC_MAX`` responses, else by the closing job), or at the first read after closing.
A breakdown below a unit not on offer (a group) is worked out at its first read and kept the same way.

Reads: ``kept_results`` two queries (the kept row, the questions); ``kept_breakdown`` three at most (the
chosen unit, the units on offer, the kept row); ``kept_overall`` one for any number of surveys (the headline
figure: the overall question's respondents and index, kept as a small part of its own for lists of surveys).
An anonymous survey's texts are shuffled again at each read.
"""

import random
from dataclasses import asdict

from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_math import Estimate
from unionhome.surveys.models import Question, Survey
from unionhome.surveys.models.surveys import SurveyResult
from unionhome.surveys.results import ItemResult, Nps, QuestionResult, Score, Share, SurveyResults, live_results
from unionhome.surveys.results_breakdown import (
    Breakdown,
    Cell,
    Measure,
    Row,
    UnitTree,
    breakdown_below,
    chosen_unit,
    live_breakdown,
    measures_of,
    offered_units,
    survey_tallies,
    units_on_offer,
)
from unionhome.surveys.selectors import ResponseRate

RESULTS = "results"
OVERALL = "overall"


def breakdown_part(unit_id: int) -> str:
    return f"breakdown.{unit_id}"


# --- to and from JSON (pure) ---------------------------------------------------------------------------------


def _score_to(score: Score | None) -> dict | None:
    if score is None:
        return None
    shares = [[s.label, s.count, s.share] for s in score.distribution]
    return {"n": score.n, "distribution": shares, "mean": score.mean, "estimate": asdict(score.estimate)}


def _score_from(data: dict | None) -> Score | None:
    if data is None:
        return None
    shares = [Share(*s) for s in data["distribution"]]
    return Score(data["n"], shares, data["mean"], Estimate(**data["estimate"]))


def results_to(results: SurveyResults) -> dict:
    questions = [
        {
            "id": r.question.pk,
            "n": r.n,
            "suppressed": r.suppressed,
            "options": [[s.label, s.count, s.share] for s in r.options],
            "score": _score_to(r.score),
            "nps": asdict(r.nps) if r.nps else None,
            "items": [[i.label, _score_to(i.score)] for i in r.items],
            "texts": r.texts,
            "more_texts": r.more_texts,
        }
        for r in results.questions
    ]
    rate = [results.rate.invited, results.rate.responded]
    return {"responses": results.responses, "rate": rate, "min_group": results.min_group, "questions": questions}


def results_from(survey: Survey, data: dict, questions: dict[int, Question]) -> SurveyResults:
    found = [
        QuestionResult(
            questions[q["id"]],
            q["n"],
            q["suppressed"],
            options=[Share(*s) for s in q["options"]],
            score=_score_from(q["score"]),
            nps=Nps(**q["nps"]) if q["nps"] else None,
            items=[ItemResult(label, _score_from(score)) for label, score in q["items"]],
            texts=list(q["texts"]),
            more_texts=q["more_texts"],
        )
        for q in data["questions"]
        if q["id"] in questions
    ]
    return SurveyResults(survey, data["responses"], ResponseRate(*data["rate"]), data["min_group"], found)


def overall_to(results: SurveyResults) -> dict:
    """The headline figure: the overall question's respondents and index (None when suppressed or none);
    ``n`` None while the survey has fewer than k responses (its questions are not looked at then)."""
    if not results.shown:
        return {"n": 0 if results.responses == 0 else None, "index": None}
    for r in results.questions:
        if r.question.is_overall and r.kind in (Question.Kind.LIKERT, Question.Kind.RECOMMENDATION):
            return {"n": r.n, "index": r.score.estimate.index if r.score else None}
    return {"n": 0, "index": None}


def _unit_to(unit: OrgUnit) -> list:
    return [unit.pk, unit.path, unit.name, unit.kind, unit.depth]


def _unit_from(data: list) -> OrgUnit:
    pk, path, name, kind, depth = data
    return OrgUnit(pk=pk, path=path, name=name, kind=kind, depth=depth)


def _row_to(row: Row) -> dict:
    cells = {key: [c.n, c.value, c.suppressed] for key, c in row.cells.items()}
    responses = [row.responses.n, row.responses.value, row.responses.suppressed]
    return {"unit": _unit_to(row.unit), "is_self": row.is_self, "responses": responses, "cells": cells}


def _row_from(data: dict, measures: list[Measure], unit: OrgUnit | None = None) -> Row:
    cells = {key: Cell(*c) for key, c in data["cells"].items()}
    unit = unit if unit is not None else _unit_from(data["unit"])
    return Row(unit, data["is_self"], Cell(*data["responses"]), cells, measures)


def breakdown_to(breakdown: Breakdown) -> dict:
    return {
        "min_group": breakdown.min_group,
        "shown": breakdown.shown,
        "measures": [asdict(m) for m in breakdown.measures],
        "total": _row_to(breakdown.total) if breakdown.total else None,
        "rows": [_row_to(r) for r in breakdown.rows],
    }


def breakdown_from(survey: Survey, unit: OrgUnit, units: list[OrgUnit], data: dict) -> Breakdown:
    """The kept breakdown below ``unit``; the total's and the unit's own row carry ``unit`` itself."""
    measures = [Measure(**m) for m in data["measures"]]
    total = _row_from(data["total"], measures, unit) if data["total"] else None
    rows = [_row_from(r, measures, unit if r["unit"][0] == unit.pk else None) for r in data["rows"]]
    return Breakdown(survey, unit, units, data["min_group"], data["shown"], measures, total, rows)


# --- keeping and reading -------------------------------------------------------------------------------------


def _keep(survey: Survey, parts: dict[str, dict]) -> None:
    """Keep the parts not kept yet (a concurrent first read may have kept them already: theirs stays)."""
    rows = [SurveyResult(survey_id=survey.pk, part=part, figures=figures) for part, figures in parts.items()]
    SurveyResult.objects.bulk_create(rows, ignore_conflicts=True)


def results_keep(survey: Survey) -> dict[str, dict]:
    """Work out and keep a closed survey's results and its breakdown below every unit on offer; returns the
        parts kept. One pass over the answers for the results, one for every breakdown (each subtree's sums and each
    level's rows worked out once), one query for the units."""
    results = live_results(survey)
    parts = {RESULTS: results_to(results), OVERALL: overall_to(results)}
    every = units_on_offer(survey)
    tree = UnitTree(survey, max(unit.depth for unit in every) + 1)
    if results.shown:
        questions = [r.question for r in results.questions]
        measures, tallies = measures_of(questions), survey_tallies(survey, questions)
        for unit in every:
            units = offered_units(survey, unit, tree)
            parts[breakdown_part(unit.pk)] = breakdown_to(breakdown_below(survey, unit, units, measures, tallies, tree))
    else:
        for unit in every:
            hidden = Breakdown(survey, unit, offered_units(survey, unit, tree), survey.min_group, False, [], None, [])
            parts[breakdown_part(unit.pk)] = breakdown_to(hidden)
    _keep(survey, parts)
    return parts


def _kept(survey: Survey, part: str) -> dict | None:
    """One kept part (one query on the ``survey_result_once`` key)."""
    return SurveyResult.objects.filter(survey_id=survey.pk, part=part).values_list("figures", flat=True).first()


def kept_results(survey: Survey) -> SurveyResults:
    """A closed survey's results: two queries once kept (else worked out and kept first)."""
    data = _kept(survey, RESULTS) or results_keep(survey)[RESULTS]
    questions = {}
    if data["questions"]:
        questions = {q.pk: q for q in Question.objects.filter(survey_id=survey.pk).order_by("position")}
    results = results_from(survey, data, questions)
    if survey.is_anonymous:
        shuffle = random.SystemRandom().shuffle
        for result in results.questions:
            shuffle(result.texts)
    return results


def kept_overall(survey_ids: list[int]) -> dict[int, dict]:
    """``{survey id: {"n", "index"}}`` of the closed surveys whose figures are kept, in one query: the overall
    question's respondents and its index on 0–100 (None below k), for lists of closed surveys ("you said, we
    did", the annual report). Surveys not kept yet are missing: their callers work them out."""
    rows = SurveyResult.objects.filter(survey_id__in=survey_ids, part=OVERALL).values_list("survey_id", "figures")
    return dict(rows)


def kept_breakdown(survey: Survey, *, unit_id: int | None = None) -> Breakdown:
    """A closed survey's breakdown below ``unit_id`` (default: its unit): three queries once kept. Nothing kept
    yet: everything is worked out and kept at once; a unit not on offer: its breakdown alone."""
    unit = chosen_unit(survey, unit_id)
    units = offered_units(survey, unit)
    part = breakdown_part(unit.pk)
    data = _kept(survey, part)
    if data is None:
        kept = {} if SurveyResult.objects.filter(survey_id=survey.pk, part=RESULTS).exists() else results_keep(survey)
        data = kept.get(part)
    if data is None:  # a unit not on offer (or added since): its breakdown alone
        breakdown = live_breakdown(survey, unit_id=unit.pk)
        _keep(survey, {part: breakdown_to(breakdown)})
        return breakdown
    return breakdown_from(survey, unit, units, data)
