"""The results of a survey, question by question, in a fixed number of queries whatever the number of responses.

Per question: how many answered it (respondents), and by kind

* single and multiple choice: per option the count and its share of the question's respondents (a multiple
  choice's shares add up to more than 100 %);
* Likert 1–5 and each matrix item: the count and share per score, the mean on 1–5 and the index on 0–100 with
  its 95 % interval (``index_math.line_estimate``);
* recommendation 0–10: the distribution, the NPS (promoters 9–10 less detractors 0–6, in % of respondents)
  with its three parts, and the index on 0–100;
* free text: the texts (at most ``TEXT_LIMIT`` per question; an anonymous survey's in random order, never
  with a response id).

Suppression (k = ``survey.min_group``): while the survey has fewer than k responses, nothing but the count is
given (``SurveyResults.shown`` is False). A question answered by fewer than k respondents (e.g. one shown
only to some) gives its n and nothing else: its figures, and its texts, are suppressed.

Queries (an open survey, live): the questions, the counts per (question, item, value) and the respondents of
the multiple choice and matrix questions (both on the ``answer_results`` index; the other kinds have one answer
row per respondent, so their counts say it), the texts (one window query for every text question), the
responses and the response rate: six at most. A closed survey's figures are final: they are worked out once and
kept (``results_kept``), then read in two queries.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can
from unionhome.satisfaction.index_math import LIKERT, RECOMMENDATION, Estimate, Moments, line_estimate, suppressed
from unionhome.surveys.models import Answer, Question, Response, Survey
from unionhome.surveys.selectors import ResponseRate, response_rate

TEXT_LIMIT = 200
VIEWER_PERMISSIONS = ("satisfaction.manage_surveys", "satisfaction.view_index")
SCORED = (Question.Kind.LIKERT, Question.Kind.MATRIX, Question.Kind.RECOMMENDATION)
CHOICES = (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
SEVERAL_ROWS = (Question.Kind.MULTIPLE, Question.Kind.MATRIX)  # kinds with more than one answer row a respondent

# counts[(item, value)] = number of answer rows
Counts = dict[tuple[int, int], int]


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    share: float  # of the respondents, 0–1


@dataclass(frozen=True)
class Score:
    """The scores of one Likert question, matrix item or recommendation question."""

    n: int
    distribution: list[Share]
    mean: float | None
    estimate: Estimate  # on 0–100


@dataclass(frozen=True)
class Nps:
    promoters: float  # % of respondents
    passives: float
    detractors: float
    nps: float  # promoters − detractors, from −100 to 100


@dataclass(frozen=True)
class ItemResult:
    label: str
    score: Score


@dataclass
class QuestionResult:
    question: Question
    n: int  # respondents
    suppressed: bool
    options: list[Share] = field(default_factory=list)
    score: Score | None = None
    nps: Nps | None = None
    items: list[ItemResult] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    more_texts: int = 0  # texts not listed (beyond TEXT_LIMIT)

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    rate: ResponseRate
    min_group: int
    questions: list[QuestionResult]

    @property
    def shown(self) -> bool:
        return not suppressed(self.responses, self.min_group)


def may_see_results(viewer, survey: Survey) -> bool:
    """Cadres holding ``satisfaction.manage_surveys`` or ``satisfaction.view_index`` on the survey's unit."""
    return any(can(viewer, permission, survey) for permission in VIEWER_PERMISSIONS)


def results_survey(viewer, survey_id: int | None) -> Survey:
    """The survey whose results ``viewer`` may read (one query); anything else is "not found" (a denial is
    recorded, like every out-of-scope object). A draft has no results either."""
    survey = Survey.objects.select_related("unit").filter(pk=survey_id).first() if survey_id else None
    if survey is None or survey.status == Survey.Status.DRAFT or not may_see_results(viewer, survey):
        raise OutOfScope(_("There is no such survey."))
    return survey


# --- pure figures -------------------------------------------------------------------------------------------


def score_of(counts: Counts, item: int, low: int, high: int) -> Score:
    """The scores ``low``–``high`` of one item (0 unless a matrix) from the answer counts."""
    per_value = {v: counts.get((item, v), 0) for v in range(low, high + 1)}
    n = sum(per_value.values())
    moments = Moments(n, sum(v * c for v, c in per_value.items()), sum(v * v * c for v, c in per_value.items()))
    return Score(
        n=n,
        distribution=[Share(str(v), c, c / n if n else 0.0) for v, c in per_value.items()],
        mean=moments.total / n if n else None,
        estimate=line_estimate(moments, low, high),
    )


def nps_of(score: Score) -> Nps | None:
    """The net promoter score of a 0–10 distribution: % scoring 9–10 less % scoring 0–6."""
    if not score.n:
        return None
    counts = [s.count for s in score.distribution]
    promoters, passives, detractors = (sum(counts[9:]), sum(counts[7:9]), sum(counts[:7]))
    p, m, d = (100 * x / score.n for x in (promoters, passives, detractors))
    return Nps(promoters=p, passives=m, detractors=d, nps=p - d)


def question_result(question: Question, counts: Counts, respondents: int, k: int) -> QuestionResult:
    """One question's figures from its answer counts; only n when fewer than ``k`` answered it."""
    if suppressed(respondents, k):
        return QuestionResult(question, respondents, suppressed=respondents > 0)
    result = QuestionResult(question, respondents, suppressed=False)
    if question.kind in CHOICES:
        result.options = [
            Share(label, counts.get((0, i), 0), counts.get((0, i), 0) / respondents)
            for i, label in enumerate(question.options)
        ]
    elif question.kind == Question.Kind.LIKERT:
        result.score = score_of(counts, 0, *LIKERT)
    elif question.kind == Question.Kind.RECOMMENDATION:
        result.score = score_of(counts, 0, *RECOMMENDATION)
        result.nps = nps_of(result.score)
    elif question.kind == Question.Kind.MATRIX:
        result.items = [ItemResult(label, score_of(counts, i, *LIKERT)) for i, label in enumerate(question.items)]
    return result


# --- reads ---------------------------------------------------------------------------------------------------


def answer_counts(question_ids: list[int]) -> dict[int, Counts]:
    """``{question id: {(item, value): rows}}`` in one query (index ``answer_results``)."""
    counts: dict[int, Counts] = defaultdict(dict)
    rows = (
        Answer.objects.filter(question_id__in=question_ids)
        .values_list("question_id", "item", "value")
        .annotate(n=Count("*"))
        .order_by()
    )
    for question_id, item, value, n in rows:
        counts[question_id][(item, value)] = n
    return counts


def respondents_per_question(questions: list[Question], counts: dict[int, Counts]) -> dict[int, int]:
    """Respondents per question. A single choice, Likert, recommendation or text answer is one row per
    respondent, so their counts already say it; only multiple choice and matrix questions (several rows per
    respondent) need distinct responses counted: one query, for them alone, on the ``answer_results`` index."""
    several = [q.pk for q in questions if q.kind in SEVERAL_ROWS]
    respondents = {q.pk: sum(counts.get(q.pk, {}).values()) for q in questions if q.kind not in SEVERAL_ROWS}
    if several:
        rows = (
            Answer.objects.filter(question_id__in=several)
            .values_list("question_id")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        )
        respondents.update(rows)
    return respondents


def texts_of(survey: Survey, question_ids: list[int]) -> dict[int, list[str]]:
    """Up to ``TEXT_LIMIT`` texts per question in one query: the newest first on a named survey; on an anonymous
    one, a random order (response ids never leave this function)."""
    if not question_ids:
        return {}
    rows = (
        Answer.objects.filter(question_id__in=question_ids)
        .exclude(text="")
        .annotate(rank=Window(RowNumber(), partition_by=[F("question_id")], order_by=F("response_id").desc()))
        .filter(rank__lte=TEXT_LIMIT)
        .values_list("question_id", "text")
    )
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in rows:
        texts[question_id].append(text)
    if survey.is_anonymous:
        shuffle = random.SystemRandom().shuffle
        for listed in texts.values():
            shuffle(listed)
    return texts


def survey_results(survey: Survey) -> SurveyResults:
    """A closed survey's results as kept (``results_kept``: two queries once worked out), an open one's live."""
    if survey.status == Survey.Status.CLOSED:
        from unionhome.surveys.results_kept import kept_results  # it builds on this module

        return kept_results(survey)
    return live_results(survey)


def live_results(survey: Survey) -> SurveyResults:
    """Every question's figures, suppressed below k (see the module's text); at most six queries."""
    k = survey.min_group
    responses = Response.objects.filter(survey_id=survey.pk).count()
    rate = response_rate(survey)
    if suppressed(responses, k):
        return SurveyResults(survey, responses, rate, k, [])
    questions = list(Question.objects.filter(survey_id=survey.pk).order_by("position"))
    ids = [q.pk for q in questions]
    counts = answer_counts(ids)
    respondents = respondents_per_question(questions, counts)
    results = [question_result(q, counts.get(q.pk, {}), respondents.get(q.pk, 0), k) for q in questions]
    shown_texts = [r.question.pk for r in results if r.kind == Question.Kind.TEXT and not r.suppressed and r.n]
    texts = texts_of(survey, shown_texts)
    for result in results:
        if result.question.pk in texts:
            result.texts = texts[result.question.pk]
            result.more_texts = max(0, result.n - len(result.texts))
    return SurveyResults(survey, responses, rate, k, results)
