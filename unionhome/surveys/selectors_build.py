"""Reads for the cadres who build surveys (``satisfaction.manage_surveys``): their surveys, one survey,
the units they may run a survey for or send it to, and response rates for a whole page at once.

Scope: a survey is the builder's when its unit lies in a subtree where they hold the permission; any
other survey is ``OutOfScope`` (404), so ids elsewhere reveal nothing. A page of surveys costs a fixed
number of queries: the surveys (keyset on (created_at, id), newest first) and one grouped count of their
invitations (from the ``invitation_rate`` index), whatever the number of rows.
"""

from django.db.models import Count, Q, QuerySet

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.org.models import MemberTag, OrgUnit
from unionhome.surveys.models import Invitation, Question, Survey
from unionhome.surveys.selectors import ResponseRate

BUILD = "satisfaction.manage_surveys"
PAGE_SIZE = 30
# The unit lists show the builder's top units and this many levels below them (a union's branches and
# groups), so the lists stay short whatever the size of the tree below.
UNIT_LEVELS = 2


def require_builder(viewer) -> list[str]:
    """The top units where ``viewer`` builds surveys; ``PermissionRefused`` (403) when there is none."""
    if not has_permission_anywhere(viewer, BUILD):
        raise PermissionRefused(BUILD)
    return scope_roots(viewer, BUILD)


def managed_surveys(viewer, *, status: str = "") -> QuerySet[Survey]:
    """The surveys of the units where ``viewer`` builds, optionally of one status (newest first)."""
    surveys = Survey.objects.filter(paths_scope_q(scope_roots(viewer, BUILD), "unit_path"))
    if status in Survey.Status.values:
        surveys = surveys.filter(status=status)
    return surveys.select_related("unit").order_by("-created_at", "-id")


def manage_page(surveys: QuerySet[Survey], cursor: str | None, *, size: int = PAGE_SIZE) -> KeysetPage:
    """One page by keyset on (created_at, id), newest first; an invalid cursor starts from the first page."""
    return time_keyset_page(surveys, cursor, field="created_at", size=size)


def rates_for(survey_ids: list[int]) -> dict[int, ResponseRate]:
    """Invited and answered per survey, for a whole page in one grouped query (0 and 0 when none)."""
    rows = (
        Invitation.objects.filter(survey_id__in=survey_ids)
        .values("survey_id")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    )
    found = {row["survey_id"]: ResponseRate(row["invited"], row["responded"]) for row in rows}
    return {pk: found.get(pk, ResponseRate(0, 0)) for pk in survey_ids}


def managed_survey(viewer, pk: int | None) -> Survey:
    """A survey ``viewer`` builds: 403 for someone who builds nowhere, 404 for an unknown survey or one
    of another unit."""
    require_builder(viewer)
    survey = Survey.objects.select_related("unit").filter(pk=pk).first() if pk else None
    if survey is None or not can(viewer, BUILD, survey):
        raise OutOfScope()
    return survey


def survey_question(survey: Survey, pk: int | None) -> Question:
    """A question of ``survey`` (404 for any other id)."""
    question = Question.objects.filter(survey=survey, pk=pk).first() if pk else None
    if question is None:
        raise OutOfScope()
    return question


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questions in order (one query)."""
    return list(Question.objects.filter(survey=survey).order_by("position"))


def _units_below(roots: list[str], *, also: Q | None = None) -> QuerySet[OrgUnit]:
    q = also or Q(pk__in=[])
    for root in roots:
        depth = len(root) // OrgUnit.steplen
        q |= Q(path__startswith=root, depth__lte=depth + UNIT_LEVELS)
    return OrgUnit.objects.filter(q).order_by("path")


def builder_units(viewer) -> QuerySet[OrgUnit]:
    """Units a survey may be run by: where ``viewer`` builds, and two levels below."""
    return _units_below(scope_roots(viewer, BUILD))


def audience_unit_choices(viewer, survey: Survey | None = None) -> QuerySet[OrgUnit]:
    """Units a survey may be sent to: inside the survey's unit (or, for a new one, the builder's units),
    two levels deep, and those it is sent to already (chosen deeper through the API: kept, not lost). The
    service checks again that they lie inside the survey's unit."""
    if survey is not None:
        chosen = Survey.audience_units.through.objects.filter(survey_id=survey.pk).values("orgunit_id")
        return _units_below([survey.unit_path], also=Q(pk__in=chosen))
    return builder_units(viewer)


def tag_choices() -> QuerySet[MemberTag]:
    return MemberTag.objects.order_by("name", "pk")


def audience_of(survey: Survey) -> tuple[list[OrgUnit], list[MemberTag]]:
    """The survey's audience units and tags (two queries)."""
    return list(survey.audience_units.order_by("path")), list(survey.audience_tags.order_by("name"))
