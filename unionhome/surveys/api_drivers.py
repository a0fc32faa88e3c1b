"""The survey API for driver analysis: ``GET /manage/{survey_id}/drivers`` under
``/api/v1/satisfaction/surveys``.

Which items move the answers to the overall question (importance: Pearson's r; weight: Johnson's relative
weight) and how well each does (performance, 0–100), for the whole survey or one unit's subtree
(``surveys/drivers_read.py``, ``satisfaction/drivers.py``). Callers with ``satisfaction.manage_surveys`` or
``satisfaction.view_index`` on the survey's unit; anyone else gets 404, as for a survey that does not exist.
Figures only, never a response: with fewer than max(k, 10) respondents nothing is analysed.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from unionhome.access.policy import OutOfScope, can
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.drivers import QUADRANTS, Driver
from unionhome.surveys.drivers_read import min_respondents, survey_drivers, unit_drivers_shown
from unionhome.surveys.models import Question, Survey

router = Router(tags=["surveys"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
VIEWERS = ("satisfaction.manage_surveys", "satisfaction.view_index")


class DriverFilters(Schema):
    unit: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only the answers given in this unit's subtree (within the survey's)."
    )


class DriverOut(Schema):
    key: str = Field(description="`q<question id>`, or `q<question id>.<item index>` for a matrix item.")
    label: str
    service_line: str = Field(description="The service line the question asks about; empty when none.")
    importance: float = Field(description="Pearson's r with the overall question (−1 to 1), pairwise complete.")
    weight: float | None = Field(
        description="Johnson's relative weight: the share of R² (the weights sum to 1), on the respondents who "
        "answered every item; null when they are too few."
    )
    performance: float = Field(description="The item's mean on 0–100.")
    n: int = Field(description="Respondents who answered both this item and the overall question.")
    quadrant: str = Field(description="By the medians of importance and performance: " + ", ".join(QUADRANTS) + ".")


class UnitRefOut(Schema):
    id: int
    name: str


class DriversOut(Schema):
    survey_id: int
    unit: UnitRefOut | None
    min_respondents: int = Field(description="max(the survey's k, 10): fewer respondents, no analysis.")
    analysed: bool
    reason: str | None = Field(
        description="Why there is no analysis: `no_overall`, `too_few`, or `suppressed` (the unit's figures are "
        "hidden in the breakdown); null otherwise."
    )
    message: str | None = Field(description="The reason in words.")
    n: int | None = Field(description="Respondents who answered the overall question (null when not analysed).")
    r_squared: float | None
    overall_label: str | None
    drivers: list[DriverOut] = Field(description="Most important first.")


def driver_out(driver: Driver) -> dict:
    return {name: getattr(driver, name) for name in DriverOut.model_fields}


def _visible_survey(viewer, survey_id: int) -> Survey:
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or not any(can(viewer, permission, survey) for permission in VIEWERS):
        raise OutOfScope()
    return survey


def _unit_in(survey: Survey, unit_id: int | None) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not unit.path.startswith(survey.unit_path):
        raise OutOfScope()
    return unit


@router.get(
    "/manage/{survey_id}/drivers",
    response={200: DriversOut, **ERRORS},
    operation_id="survey_drivers",
    summary="Driver analysis of a survey: importance × performance of each item",
)
def drivers(request: HttpRequest, filters: Query[DriverFilters], survey_id: int = Path(..., ge=1, le=MAX_ID)):
    """Each Likert, recommendation and matrix item of the survey against its overall question: importance
    (Pearson's r), relative weight and performance (0–100), with its quadrant, most important first; for the
    answers given in `unit`'s subtree when given. Not analysed (`analysed` false, with the reason) without an
    overall question or with fewer than `min_respondents` who answered it. Callers need
    `satisfaction.manage_surveys` or `satisfaction.view_index` on the survey's unit (404 otherwise)."""
    viewer = request.auth
    survey = _visible_survey(viewer, survey_id)
    unit = _unit_in(survey, filters.unit)
    analysis = unit_drivers_shown(survey, unit)
    k = min_respondents(survey)
    reason = message = None
    if analysis is None:
        if not Question.objects.filter(survey_id=survey.pk, is_overall=True).exists():
            reason = "no_overall"
            message = _("This survey has no overall satisfaction question to analyse against.")
        elif unit is not None and survey_drivers(survey, unit_path=unit.path) is not None:
            reason = "suppressed"
            message = _(
                "Not shown for this unit: its figures are hidden in the breakdown so that no small group "
                "can be worked out."
            )
        else:
            reason = "too_few"
            message = _("Fewer than %(k)s respondents answered the overall question: no analysis.") % {"k": k}
    return {
        "survey_id": survey.pk,
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        "min_respondents": k,
        "analysed": analysis is not None,
        "reason": reason,
        "message": message,
        "n": analysis.n if analysis else None,
        "r_squared": analysis.r_squared if analysis else None,
        "overall_label": analysis.overall_label if analysis else None,
        "drivers": [driver_out(d) for d in analysis.drivers] if analysis else [],
    }
