"""The survey builder's API under ``/api/v1/satisfaction/surveys/manage`` (``satisfaction.manage_surveys``):
the caller's surveys, creating and changing a draft and its questions, opening, closing, reminding and the
live response rate. The same selectors (``selectors_build``) and services as the pages: 403 for a caller
who builds nowhere, 404 for a survey of another unit, 422 (per field) for whatever a service refuses.

There is no delete: the services keep every survey (a draft is changed, an open one closed)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.org.models import OrgUnit
from unionhome.surveys import selectors_build as selectors
from unionhome.surveys.api_build_schemas import (
    ManageFilters,
    OrderIn,
    QuestionIn,
    QuestionOut,
    QuestionPatch,
    QuestionsOut,
    RateOut,
    RemindOut,
    SurveyIn,
    SurveyListOut,
    SurveyOut,
    SurveyPatch,
    question_out,
    rate_out,
    summary_out,
    survey_out,
)
from unionhome.surveys.models import Survey
from unionhome.surveys.selectors import response_rate
from unionhome.surveys.services import (
    question_add,
    question_remove,
    question_update,
    questions_reorder,
    survey_close,
    survey_create,
    survey_open,
    survey_remind,
    survey_update,
)
from unionhome.surveys.workflow import is_answerable

router = Router(tags=["survey building"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
SurveyId = Path(..., ge=1, le=MAX_ID)
QuestionId = Path(..., ge=1, le=MAX_ID)


def _full(survey: Survey) -> dict:
    survey = Survey.objects.select_related("unit").get(pk=survey.pk)
    return survey_out(survey, response_rate(survey), selectors.questions_of(survey))


@router.get(
    "/manage",
    response={200: SurveyListOut, **ERRORS},
    operation_id="survey_build_list",
    summary="The surveys of the caller's units",
)
def survey_list(request: HttpRequest, filters: Query[ManageFilters]):
    """The surveys run by the units where the caller builds surveys, newest first, each with its response
    rate; keyset pages (`next` → `after`). A fixed number of queries per page."""
    selectors.require_builder(request.auth)
    surveys = selectors.managed_surveys(request.auth, status=filters.status or "")
    page = selectors.manage_page(surveys, filters.after, size=filters.limit)
    rates = selectors.rates_for([s.pk for s in page.items])
    return {"items": [summary_out(s, rates[s.pk]) for s in page.items], "next": page.next_cursor}


@router.post(
    "/manage",
    response={201: SurveyOut, **ERRORS},
    operation_id="survey_build_create",
    summary="Create a draft survey",
)
def survey_new(request: HttpRequest, payload: SurveyIn):
    """A draft run by `unit_id` (a unit where the caller builds: 403 otherwise); fields as in `docs/surveys.md`.
    The audience defaults to the unit itself."""
    selectors.require_builder(request.auth)
    unit = OrgUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Choose a unit where you build surveys.")})
    fields = payload.model_dump(exclude={"unit_id"}, exclude_none=True)
    survey = survey_create(actor=request.auth, unit=unit, **fields)
    return Status(201, _full(survey))


@router.get(
    "/manage/{int:survey_id}",
    response={200: SurveyOut, **ERRORS},
    operation_id="survey_build_read",
    summary="One survey with its questions",
)
def survey_read(request: HttpRequest, survey_id: int = SurveyId):
    return _full(selectors.managed_survey(request.auth, survey_id))


@router.patch(
    "/manage/{int:survey_id}",
    response={200: SurveyOut, **ERRORS},
    operation_id="survey_build_update",
    summary="Change a draft survey",
)
def survey_change(request: HttpRequest, payload: SurveyPatch, survey_id: int = SurveyId):
    """Only the fields sent change; a survey that is no longer a draft is 422 (`status`)."""
    survey = selectors.managed_survey(request.auth, survey_id)
    survey_update(actor=request.auth, survey=survey, **payload.model_dump(exclude_unset=True))
    return _full(survey)


@router.post(
    "/manage/{int:survey_id}/questions",
    response={201: QuestionOut, **ERRORS},
    operation_id="survey_build_question_add",
    summary="Add a question at the end of a draft",
)
def question_new(request: HttpRequest, payload: QuestionIn, survey_id: int = SurveyId):
    """Refused (422, by field) when the kind's rules are not met, the condition names a later question or
    values its question cannot take, or a second overall question is added."""
    survey = selectors.managed_survey(request.auth, survey_id)
    question = question_add(actor=request.auth, survey=survey, **payload.model_dump())
    return Status(201, question_out(question))


@router.patch(
    "/manage/{int:survey_id}/questions/{int:question_id}",
    response={200: QuestionOut, **ERRORS},
    operation_id="survey_build_question_update",
    summary="Change a question of a draft",
)
def question_change(
    request: HttpRequest, payload: QuestionPatch, survey_id: int = SurveyId, question_id: int = QuestionId
):
    survey = selectors.managed_survey(request.auth, survey_id)
    question = selectors.survey_question(survey, question_id)
    question = question_update(actor=request.auth, question=question, **payload.model_dump(exclude_unset=True))
    return question_out(question)


@router.delete(
    "/manage/{int:survey_id}/questions/{int:question_id}",
    response={204: None, **ERRORS},
    operation_id="survey_build_question_remove",
    summary="Remove a question of a draft",
)
def question_drop(request: HttpRequest, survey_id: int = SurveyId, question_id: int = QuestionId):
    """The questions after it move up; refused (422) while another question depends on it."""
    survey = selectors.managed_survey(request.auth, survey_id)
    question_remove(actor=request.auth, question=selectors.survey_question(survey, question_id))
    return Status(204, None)


@router.post(
    "/manage/{int:survey_id}/questions/order",
    response={200: QuestionsOut, **ERRORS},
    operation_id="survey_build_questions_reorder",
    summary="Put a draft's questions in a new order",
)
def questions_order(request: HttpRequest, payload: OrderIn, survey_id: int = SurveyId):
    """Every question id once (422 `order` otherwise); refused when a condition would depend on a later
    question."""
    survey = selectors.managed_survey(request.auth, survey_id)
    questions_reorder(actor=request.auth, survey=survey, order=payload.order)
    return {"questions": [question_out(q) for q in selectors.questions_of(survey)]}


@router.post(
    "/manage/{int:survey_id}/open",
    response={200: SurveyOut, **ERRORS},
    operation_id="survey_build_open",
    summary="Open a draft and invite its audience",
)
def survey_start(request: HttpRequest, survey_id: int = SurveyId):
    """Refused (422) with every problem listed: no question, a broken condition, two overall questions,
    a date missing, or a closing time already passed. `rate.invited` says how many were invited."""
    survey = selectors.managed_survey(request.auth, survey_id)
    return _full(survey_open(actor=request.auth, survey=survey))


@router.post(
    "/manage/{int:survey_id}/close",
    response={200: SurveyOut, **ERRORS},
    operation_id="survey_build_close",
    summary="Close an open survey",
)
def survey_end(request: HttpRequest, survey_id: int = SurveyId):
    """Nobody can answer any more; final. A survey that is not open is 422 (`status`)."""
    survey = selectors.managed_survey(request.auth, survey_id)
    return _full(survey_close(actor=request.auth, survey=survey))


@router.post(
    "/manage/{int:survey_id}/remind",
    response={200: RemindOut, **ERRORS},
    operation_id="survey_build_remind",
    summary="Remind now those who have not answered",
)
def survey_nudge(request: HttpRequest, survey_id: int = SurveyId):
    """An inbox reminder to each invited member with a login who has not answered, at most once a day
    each; 422 (`status`) unless the survey can be answered now."""
    survey = selectors.managed_survey(request.auth, survey_id)
    if not is_answerable(survey, timezone.now()):
        raise ValidationError({"status": _("Reminders are sent only while the survey can be answered.")})
    return {"reminded": survey_remind(survey=survey, actor=request.auth)}


@router.get(
    "/manage/{int:survey_id}/rate",
    response={200: RateOut, **ERRORS},
    operation_id="survey_build_rate",
    summary="The live response rate",
)
def survey_rate(request: HttpRequest, survey_id: int = SurveyId):
    """Invited and answered members (one query after the permission check)."""
    return rate_out(response_rate(selectors.managed_survey(request.auth, survey_id)))
