"""The satisfaction chapter's surveys: those run by the unit or a unit below and closed in the year, each with its
response rate and, when its overall question (Likert 1–5 or recommendation 0–10) has at least the survey's k
answers (``Survey.min_group``), its overall index on 0–100 (``index_math.line_estimate``); and the "you said,
we did" actions published in the year, when the ``FeedbackAction`` model exists.

A closed survey's overall figure is read from its kept figures (``results_kept.kept_overall``: the overall
question's respondents and index, one query for all the surveys); its answers are summed (the old way, one
query) only for the surveys whose figures are not kept yet, or were kept while the survey had fewer than k
responses (they keep no count then; a handful of answers to sum), so the table is the same before and after
the figures are kept. Three queries for the surveys (the surveys, their invitations counted, their kept
figures), a fourth only when some are not kept (or were kept below k), and one for the actions, whatever the
number of responses."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from unionhome.org.models import OrgUnit
from unionhome.satisfaction import models as satisfaction_models
from unionhome.satisfaction.index_math import LIKERT, RECOMMENDATION, Moments, line_estimate, suppressed
from unionhome.surveys.models import Answer, Invitation, Question, Survey
from unionhome.surveys.results_kept import kept_overall
from unionhome.surveys.selectors import ResponseRate
from unionhome.work_report.chapters.base import Rate, ReportYear, Table

MAX_SURVEYS = 100
MAX_ACTIONS = 100
SCALES = {Question.Kind.LIKERT: LIKERT, Question.Kind.RECOMMENDATION: RECOMMENDATION}
ACTION_FIELDS = {"unit", "unit_path", "title", "done", "published_at"}
DONE_SHOWN = 120  # characters of "what was done" in the table


def closed_surveys(unit: OrgUnit, period: ReportYear) -> list[tuple[Survey, ResponseRate, object]]:
    """(survey, response rate, overall cell) for the surveys closed in the year, oldest first."""
    surveys = list(
        Survey.objects.filter(
            unit_path__prefix=unit.path,
            status=Survey.Status.CLOSED,
            closed_at__gte=period.start_at,
            closed_at__lt=period.end_before,
        )
        .select_related("unit")
        .order_by("closed_at", "pk")[:MAX_SURVEYS]
    )
    if not surveys:
        return []
    ids = [s.pk for s in surveys]
    rates = {
        row["survey_id"]: ResponseRate(row["invited"], row["responded"])
        for row in Invitation.objects.filter(survey_id__in=ids)
        .values("survey_id")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    }
    kept = {pk: (f["n"], f["index"]) for pk, f in kept_overall(ids).items() if f["n"] is not None}
    overall = {**overall_summed([s for s in surveys if s.pk not in kept]), **kept}
    return [(s, rates.get(s.pk, ResponseRate(0, 0)), _overall_cell(s, overall.get(s.pk))) for s in surveys]


def overall_summed(surveys: list[Survey]) -> dict[int, tuple[int, float | None]]:
    """``{survey id: (n, index)}``: the first overall question's answers and index (None below the survey's k),
    from its answers summed; one query, none for no survey."""
    if not surveys:
        return {}
    k = {s.pk: s.min_group for s in surveys}
    sums = (
        Answer.objects.filter(
            question__survey_id__in=list(k), question__is_overall=True, question__kind__in=list(SCALES), item=0
        )
        .values("question__survey_id", "question_id", "question__kind")
        .annotate(n=Count("response_id"), total=Sum("value"), total_sq=Sum(F("value") * F("value")))
        .order_by("question__survey_id", "question_id")
    )
    figures: dict[int, tuple[int, float | None]] = {}
    for row in sums:
        survey_id = row["question__survey_id"]
        if survey_id in figures:
            continue  # the first overall question of the survey only
        moments = Moments(row["n"], row["total"] or 0, row["total_sq"] or 0)
        index = None
        if moments.n and not suppressed(moments.n, k[survey_id]):
            scale = SCALES[row["question__kind"]]
            index = line_estimate(moments, scale.low, scale.high).index
        figures[survey_id] = (moments.n, index)
    return figures


def _overall_cell(survey: Survey, figures: tuple[int, float | None] | None):
    """A dash when nobody answered (or there is no overall question), "fewer than k" below k, else the index."""
    n, index = figures or (0, None)
    if not n:
        return "—"
    if index is None or suppressed(n, survey.min_group):
        return _("Fewer than %(k)s answers") % {"k": survey.min_group}
    return round(index, 1)


def survey_table(unit: OrgUnit, period: ReportYear) -> Table:
    rows = []
    for survey, rate, overall in closed_surveys(unit, period):
        share = None if rate.rate is None else (rate.rate * 100)
        rows.append(
            [
                survey.title,
                survey.unit.name,
                f"{localtime(survey.closed_at):%Y-%m-%d}",
                rate.invited,
                rate.responded,
                Rate(None if share is None else _one_decimal(share)),
                overall,
            ]
        )
    return Table(
        _("Surveys closed in the year"),
        [
            _("Survey"),
            _("Run by"),
            _("Closed on"),
            _("Invited"),
            _("Answered"),
            _("Response rate"),
            _("Overall satisfaction (0–100)"),
        ],
        rows,
    )


def _one_decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


def feedback_model():
    """The "you said, we did" model when it exists (another part of the project adds it) with the fields read here."""
    model = getattr(satisfaction_models, "FeedbackAction", None)
    if model is None:
        return None
    names = {f.name for f in model._meta.get_fields()}
    return model if ACTION_FIELDS <= names else None


def feedback_table(unit: OrgUnit, period: ReportYear) -> Table | None:
    """The actions published in the year by the unit or a unit below, oldest first; None without the model."""
    model = feedback_model()
    if model is None:
        return None
    actions = (
        model.objects.filter(
            unit_path__prefix=unit.path,
            published_at__gte=period.start_at,
            published_at__lt=period.end_before,
        )
        .select_related("unit")
        .order_by("published_at", "pk")[:MAX_ACTIONS]
    )
    return Table(
        _("You said, we did: actions published in the year"),
        [_("Action taken"), _("Unit"), _("Published on"), _("What was done")],
        [[a.title, a.unit.name, f"{localtime(a.published_at):%Y-%m-%d}", _shortened(a.done)] for a in actions],
    )


def _shortened(text: str) -> str:
    return text if len(text) <= DONE_SHOWN else text[: DONE_SHOWN - 1] + "…"
