"""Reads of "you said, we did" (你说我做).

A member sees the published notes of their own unit and of every unit above it (a branch's note is for the
branch's members, the union's for everyone), newest first, and the closed surveys of those units with their
headline figures: the response rate, and the overall index when at least k (``survey.min_group``) answered the
survey and its overall question. A closed survey's headline is read from its kept figures
(``results_kept.kept_overall``: one query for all the surveys listed); the overall question's answers are summed
by value (the old way, one query) only for the surveys whose figures are not kept yet, or were kept while the
survey had fewer than k responses (they keep no count then; a handful of answers to sum), so the headline is
the same before and after the figures are kept. A cadre with ``satisfaction.manage_surveys`` lists every note of
their subtrees, drafts too. Each read is a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from unionhome.access.policy import OutOfScope, scope_q
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.satisfaction.index_math import LIKERT, RECOMMENDATION, Moments, line_estimate, suppressed
from unionhome.satisfaction.models import FeedbackAction
from unionhome.surveys.models import Answer, Invitation, Question, Survey
from unionhome.surveys.results_kept import kept_overall

PAGE_SIZE = 20
SURVEYS_SHOWN = 10
PERMISSION = "satisfaction.manage_surveys"
SCALES = {Question.Kind.LIKERT: LIKERT, Question.Kind.RECOMMENDATION: RECOMMENDATION}


def member_paths(viewer) -> list[str]:
    """The paths of the viewer's member's unit and the units above it; [] for an account with no member."""
    member = getattr(viewer, "member", None) if getattr(viewer, "member_id", None) else None
    return ancestor_paths(member.unit_path) if member is not None and member.unit_path else []


def you_said_page(viewer, cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of the notes published for the viewer, newest first (keyset on published_at, id): one query."""
    rows = FeedbackAction.objects.filter(unit_path__in=member_paths(viewer), published_at__isnull=False)
    return time_keyset_page(rows.select_related("unit", "survey"), cursor, field="published_at", size=size)


def published_action_for(viewer, pk: int) -> FeedbackAction:
    """One published note the viewer may read; ``OutOfScope`` (404) otherwise."""
    action = (
        FeedbackAction.objects.filter(pk=pk, unit_path__in=member_paths(viewer), published_at__isnull=False)
        .select_related("unit", "survey")
        .first()
    )
    if action is None:
        raise OutOfScope
    return action


@dataclass(frozen=True)
class SurveyHeadline:
    survey: Survey
    invited: int
    responded: int
    index: float | None  # the overall question's index on 0–100; None when hidden (fewer than k) or absent
    index_n: int  # how many answered the overall question

    @property
    def response_rate(self) -> float | None:
        """Per cent of the invited members who answered."""
        return 100 * self.responded / self.invited if self.invited else None


def closed_surveys_for(viewer, *, limit: int = SURVEYS_SHOWN) -> list[SurveyHeadline]:
    """The newest closed surveys of the viewer's units (their own and those above), with headline figures.
    Three queries (the surveys, their invitation counts, their kept headline figures) and a fourth only when some
    survey's figures are not kept (or were kept below k): the answers of its overall question by value."""
    paths = member_paths(viewer)
    if not paths:
        return []
    surveys = list(
        Survey.objects.filter(status=Survey.Status.CLOSED, unit_path__in=paths)
        .select_related("unit")
        .order_by("-closed_at", "-pk")[:limit]
    )
    if not surveys:
        return []
    ids = [s.pk for s in surveys]
    counts = {
        row["survey_id"]: row
        for row in Invitation.objects.filter(survey_id__in=ids)
        .values("survey_id")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
    }
    kept = {pk: (f["n"], f["index"]) for pk, f in kept_overall(ids).items() if f["n"] is not None}
    figures = {**overall_summed([s for s in surveys if s.pk not in kept]), **kept}
    return [_headline(s, counts.get(s.pk, {}), figures.get(s.pk)) for s in surveys]


def overall_summed(surveys: list[Survey]) -> dict[int, tuple[int, float | None]]:
    """``{survey id: (n, index)}``: the overall question's respondents and index (None below the survey's k),
    from its answers summed by value; one query, none for no survey."""
    if not surveys:
        return {}
    k = {s.pk: s.min_group for s in surveys}
    scores: dict[int, tuple[str, dict[int, int]]] = {}
    overall = Answer.objects.filter(
        question__survey_id__in=list(k), question__is_overall=True, question__kind__in=list(SCALES)
    )
    for row in overall.values("question__survey_id", "question__kind", "value").annotate(c=Count("response_id")):
        kind, values = scores.setdefault(row["question__survey_id"], (row["question__kind"], {}))
        values[row["value"]] = values.get(row["value"], 0) + row["c"]
    figures = {}
    for survey_id, (kind, values) in scores.items():
        moments = Moments(
            n=sum(values.values()),
            total=sum(v * c for v, c in values.items()),
            total_sq=sum(v * v * c for v, c in values.items()),
        )
        index = None
        if not suppressed(moments.n, k[survey_id]):
            scale = SCALES[kind]
            index = line_estimate(moments, scale.low, scale.high).index
        figures[survey_id] = (moments.n, index)
    return figures


def _headline(survey: Survey, counts: dict, figures: tuple[int, float | None] | None) -> SurveyHeadline:
    """The index is shown only when both the survey's responses and its overall question's answers reach k."""
    responded = counts.get("responded", 0)
    n, index = figures or (0, None)
    if suppressed(n, survey.min_group) or suppressed(responded, survey.min_group):
        index = None
    return SurveyHeadline(survey=survey, invited=counts.get("invited", 0), responded=responded, index=index, index_n=n)


# --- for cadres ----------------------------------------------------------------------------------------


def managed_actions(viewer) -> QuerySet[FeedbackAction]:
    """Every note of the viewer's subtrees where they hold ``satisfaction.manage_surveys``, drafts too."""
    return FeedbackAction.objects.filter(scope_q(viewer, PERMISSION, "unit_path")).select_related(
        "unit", "survey", "created_by"
    )


def managed_actions_page(viewer, cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of the viewer's notes, newest written first: one query."""
    return time_keyset_page(managed_actions(viewer), cursor, field="created_at", size=size)


def managed_action(viewer, pk: int | None) -> FeedbackAction:
    """A note the viewer may edit; ``OutOfScope`` (404) for any other or an unknown one."""
    action = managed_actions(viewer).filter(pk=pk).first() if pk is not None else None
    if action is None:
        raise OutOfScope
    return action


def writable_units(viewer) -> QuerySet[OrgUnit]:
    """The units the viewer may write notes for, top first."""
    return OrgUnit.objects.filter(scope_q(viewer, PERMISSION, "path")).order_by("path")


def linkable_surveys(viewer) -> QuerySet[Survey]:
    """Surveys of the viewer's subtrees a note may refer to, newest first."""
    return Survey.objects.filter(scope_q(viewer, PERMISSION, "unit_path")).order_by("-created_at", "-pk")
