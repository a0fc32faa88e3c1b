"""The member's survey API (``/api/v1/satisfaction/surveys``): the surveys waiting for the caller's answer,
one questionnaire, and answering it. The same reads (``selectors_answer``) and the same write
(``response_submit``) as the pages; a survey the caller was not invited to is 404, like one that does not
exist. An anonymous survey's answer returns nothing that could point to the response."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import StrictInt, StrictStr

from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.surveys import selectors_answer
from unionhome.surveys.models import Question
from unionhome.surveys.services.answering import member_of, response_submit
from unionhome.surveys.services.invitations import survey_url
from unionhome.surveys.structure import SCALES

router = Router(tags=["surveys"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
SurveyId = Path(..., ge=1, le=MAX_ID)


def _member(request: HttpRequest):
    member = member_of(request.auth)
    if member is None:
        message = _("Surveys are answered by union members. Your account is not linked to an active member record.")
        raise ApiProblem(403, "not_a_member", message)
    return member


class SurveyToAnswerOut(Schema):
    id: int
    title: str
    unit: str = Field(description="The unit that runs the survey.")
    anonymous: bool = Field(description="True: the response keeps no member, only their branch, and no time.")
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    question_count: int
    url: str = Field(description="The page where the member answers it.")


def survey_out(survey) -> dict:
    return {
        "id": survey.pk,
        "title": survey.title,
        "unit": survey.unit.name,
        "anonymous": survey.is_anonymous,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "question_count": getattr(survey, "question_count", None) or 0,
        "url": survey_url(survey),
    }


@router.get(
    "/surveys",
    response={200: list[SurveyToAnswerOut], **ERRORS},
    operation_id="surveys_to_answer",
    summary="Surveys waiting for the caller's answer",
)
def to_answer(request: HttpRequest):
    """The open surveys the caller was invited to and has not answered, that can be answered now, closing
    soonest first (at most 100). 403 ``not_a_member`` for an account without an active member record."""
    return [survey_out(s) for s in selectors_answer.waiting(_member(request))[:100]]


class ConditionOut(Schema):
    question_id: int = Field(description="An earlier question of this survey.")
    values: list[int] = Field(
        description="Shown only when that question was answered with one of these "
        "(option indexes, 0-based, or scores; any chosen option for a multiple choice)."
    )


class QuestionOut(Schema):
    id: int
    position: int
    kind: Question.Kind = Field(
        description="`single`, `multiple`, `likert` (1–5), `recommendation` (0–10), "
        "`matrix` (each item 1–5) or `text` (up to 2,000 characters)."
    )
    text: str
    required: bool
    options: list[str] = Field(description="Choice questions: answer with the option's index (0-based).")
    items: list[str] = Field(description="Matrix: answer with a list of one score per item, in this order.")
    scale: list[int] = Field(description="Scored questions: the lowest and highest score; empty otherwise.")
    condition: ConditionOut | None


class QuestionnaireOut(SurveyToAnswerOut):
    intro: str
    min_group: int = Field(description="Results are never shown for a group smaller than this.")
    state: Literal["open", "answered", "not_open", "closed"] = Field(
        description="`open`: answer it now; `answered`: the caller has answered; `not_open`: opens later; "
        "`closed`: no longer accepts answers."
    )
    questions: list[QuestionOut] = Field(description="Empty unless `state` is `open`.")


def question_out(question: Question) -> dict:
    scale = SCALES.get(question.kind)
    return {
        "id": question.pk,
        "position": question.position,
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "options": list(question.options),
        "items": list(question.items),
        "scale": [scale.start, scale.stop - 1] if scale else [],
        "condition": {"question_id": question.condition_question_id, "values": list(question.condition_values)}
        if question.condition_question_id
        else None,
    }


@router.get(
    "/surveys/{int:survey_id}",
    response={200: QuestionnaireOut, **ERRORS},
    operation_id="survey_questionnaire",
    summary="A survey's questionnaire, for the invited member",
)
def questionnaire(request: HttpRequest, survey_id: int = SurveyId):
    """The survey and its questions in order, with where the caller stands (`state`). 404 for a survey the
    caller was not invited to (as for one that does not exist)."""
    _member(request)
    found = selectors_answer.survey_for_answer(request.auth, survey_id)
    questions = selectors_answer.questions_of(found.survey) if found.state == "open" else []
    return {
        **survey_out(found.survey),
        "question_count": len(questions) if questions else found.survey.questions.count(),
        "intro": found.survey.intro,
        "min_group": found.survey.min_group,
        "state": found.state,
        "questions": [question_out(q) for q in questions],
    }


Answer = StrictInt | StrictStr | Annotated[list[StrictInt | None], Field(max_length=20)] | None


class AnswersIn(Schema):
    answers: dict[StrictStr, Answer] = Field(
        max_length=100,
        description='`{"<question id>": answer}`: single choice, Likert and recommendation a number; multiple '
        "choice a list of option indexes; matrix a list with one score per item (`null` for an item left out); "
        'text a string. `null`, `""` or `[]`: not answered. Answers to questions hidden by their condition '
        "are ignored.",
    )


class AnsweredOut(Schema):
    answered: bool = Field(description="Always true. No response id is given (an anonymous one has none to give).")


def _field_problems(exc: ValidationError) -> NinjaValidationError:
    """Per-question refusals as the API's 422, located at ``body.answers.<question id>``."""
    problems = []
    for key, messages in exc.message_dict.items():
        loc = ("body", "answers", key[1:]) if key.startswith("q") and key[1:].isdigit() else ("body", key)
        problems += [{"loc": loc, "type": "value_error", "ctx": {"error": m}} for m in messages]
    return NinjaValidationError(problems)


@router.post(
    "/surveys/{int:survey_id}/responses",
    response={201: AnsweredOut, 400: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="survey_answer",
    summary="Answer a survey",
)
def answer(request: HttpRequest, payload: AnswersIn, survey_id: int = SurveyId):
    """Answer once. 201 `{"answered": true}`; 409 `already_answered`; 400 `closed` or `not_open`; 422 with one
    problem per question (`loc` ends with the question id: a required question left out, a value out of
    range, an answer to a question not in this survey); 404 when the caller was not invited."""
    _member(request)
    found = selectors_answer.survey_for_answer(request.auth, survey_id)
    try:
        response_submit(actor=request.auth, survey=found.survey, answers=payload.answers)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise _field_problems(exc) from None
        code = exc.code or "refused"
        raise ApiProblem(409 if code == "already_answered" else 400, code, " ".join(exc.messages)) from None
    return Status(201, {"answered": True})
