"""Schemas of the survey builder's API (``api_build.py``): what a builder sends and gets back.

Input field names are the services' (``audience_units``, ``condition_question``…), so that a service's
refusal comes back as 422 with ``loc: ["body", <that field>]``. Times without a zone are read in the
union's time zone; ids are bounded so that no database sees a number it cannot hold.
"""

import datetime
from typing import Annotated

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from unionhome.api.fields import Id, PlainText, TimeCursor
from unionhome.surveys import selectors_build
from unionhome.surveys.models import Question, QuestionKind, Survey
from unionhome.surveys.selectors import ResponseRate
from unionhome.surveys.services.building import INTRO_MAX_LENGTH, MIN_GROUP_MAX, TITLE_MAX_LENGTH
from unionhome.surveys.structure import CHOICE_MAX_LENGTH, TEXT_MAX_LENGTH
from unionhome.surveys.text_rules import text_problem

LIST_MAX = 100  # ids or texts in one list; the services allow fewer (50 units, 20 tags, 20 options)


def _moment(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is None:
        return None
    if not 2000 <= value.year <= 2100:
        raise ValueError(_("Give a date between 2000 and 2100."))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _multiline(value: str) -> str:
    problem = text_problem(value, max_length=INTRO_MAX_LENGTH, multiline=True) if value else None
    if problem:
        raise ValueError(problem)
    return value


Moment = Annotated[datetime.datetime, AfterValidator(_moment)]
Multiline = Annotated[str, AfterValidator(_multiline)]
Score = Annotated[int, Field(ge=-1000, le=1000)]


# --- input ---------------------------------------------------------------------------------------


class SurveyFields(Schema):
    intro: Multiline = Field("", max_length=INTRO_MAX_LENGTH)
    is_anonymous: bool = Field(False, description="Anonymous: responses keep no member, only their branch.")
    opens_at: Moment | None = Field(None, description="When members may start answering.")
    closes_at: Moment | None = Field(None, description="When answering ends; after `opens_at`.")
    min_group: int | None = Field(
        None, ge=1, le=MIN_GROUP_MAX, description="k: results are not broken down for smaller groups (≥ 5)."
    )
    audience_units: list[Id] | None = Field(
        None, max_length=LIST_MAX, description="Ids of 1–50 units inside the survey's unit (default: that unit)."
    )
    audience_tags: list[Id] | None = Field(
        None, max_length=LIST_MAX, description="Ids of up to 20 member tags: only members with one of them."
    )
    representatives_only: bool = Field(False, description="Only seated congress representatives.")


class SurveyIn(SurveyFields):
    title: PlainText = Field(..., max_length=TITLE_MAX_LENGTH)
    unit_id: Id = Field(..., description="The unit that runs the survey: one where the caller builds surveys.")


class SurveyPatch(SurveyFields):
    """Only the fields sent are changed (a draft only); `null` clears a date."""

    title: PlainText | None = Field(None, max_length=TITLE_MAX_LENGTH)
    is_anonymous: bool | None = None
    representatives_only: bool | None = None
    intro: Multiline | None = Field(None, max_length=INTRO_MAX_LENGTH)


class QuestionFields(Schema):
    required: bool = False
    options: list[Annotated[PlainText, Field(max_length=CHOICE_MAX_LENGTH)]] = Field(
        default_factory=list, max_length=LIST_MAX, description="Single and multiple choice: 2–20 different texts."
    )
    items: list[Annotated[PlainText, Field(max_length=CHOICE_MAX_LENGTH)]] = Field(
        default_factory=list, max_length=LIST_MAX, description="Matrix: 2–20 rows, each answered 1–5."
    )
    is_overall: bool = Field(False, description="The overall satisfaction question (Likert or recommendation).")
    service_line: PlainText = Field(
        "", max_length=40, description="A Likert or recommendation question's service line code (not the overall)."
    )
    condition_question: Id | None = Field(None, description="Id of an earlier question this one depends on.")
    condition_values: list[Score] = Field(
        default_factory=list,
        max_length=LIST_MAX,
        description="Shown when that question's answer is one of these: option indexes from 0, or scores.",
    )


class QuestionIn(QuestionFields):
    kind: QuestionKind
    text: PlainText = Field(..., max_length=TEXT_MAX_LENGTH)


class QuestionPatch(QuestionFields):
    """Only the fields sent are changed; a kind without options (or items) drops them."""

    kind: QuestionKind | None = None
    text: PlainText | None = Field(None, max_length=TEXT_MAX_LENGTH)
    required: bool | None = None
    is_overall: bool | None = None


class OrderIn(Schema):
    order: list[Id] = Field(..., max_length=1000, description="Every question id of the survey, once, in order.")


class ManageFilters(Schema):
    status: Survey.Status | None = Field(None, description="Only surveys with this status.")
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors_build.PAGE_SIZE, ge=1, le=100)


# --- output --------------------------------------------------------------------------------------


class RateOut(Schema):
    invited: int
    responded: int
    rate: float | None = Field(description="responded / invited, 0–1; null before anyone was invited.")


class UnitOut(Schema):
    id: int
    name: str


class TagOut(Schema):
    id: int
    code: str
    name: str


class QuestionOut(Schema):
    id: int
    position: int
    kind: QuestionKind
    text: str
    required: bool
    options: list[str]
    items: list[str]
    is_overall: bool
    service_line: str
    condition_question: int | None
    condition_values: list[int]


class SurveySummaryOut(Schema):
    id: int
    title: str
    status: Survey.Status
    unit: UnitOut
    is_anonymous: bool
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    created_at: datetime.datetime
    rate: RateOut
    url: str = Field(description="The builder's page of the survey.")


class SurveyOut(SurveySummaryOut):
    intro: str
    min_group: int
    audience_units: list[UnitOut]
    audience_tags: list[TagOut]
    representatives_only: bool
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    audience_size: int | None = Field(description="Members in the audience when it was opened.")
    inviting: bool = Field(description="True while a large audience is still being invited in the background.")
    questions: list[QuestionOut]


class SurveyListOut(Schema):
    items: list[SurveySummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class QuestionsOut(Schema):
    questions: list[QuestionOut]


class RemindOut(Schema):
    reminded: int = Field(description="Members reminded now (each is reminded at most once a day).")


# --- shaping -------------------------------------------------------------------------------------


def rate_out(rate: ResponseRate) -> dict:
    return {"invited": rate.invited, "responded": rate.responded, "rate": rate.rate}


def question_out(q: Question) -> dict:
    return {
        "id": q.pk,
        "position": q.position,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "options": q.options,
        "items": q.items,
        "is_overall": q.is_overall,
        "service_line": q.service_line,
        "condition_question": q.condition_question_id,
        "condition_values": q.condition_values,
    }


def summary_out(survey: Survey, rate: ResponseRate) -> dict:
    return {
        "id": survey.pk,
        "title": survey.title,
        "status": survey.status,
        "unit": {"id": survey.unit_id, "name": survey.unit.name},
        "is_anonymous": survey.is_anonymous,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "created_at": survey.created_at,
        "rate": rate_out(rate),
        "url": reverse("surveys:detail", args=[survey.pk]),
    }


def survey_out(survey: Survey, rate: ResponseRate, questions: list[Question]) -> dict:
    units, tags = selectors_build.audience_of(survey)
    return {
        **summary_out(survey, rate),
        "intro": survey.intro,
        "min_group": survey.min_group,
        "audience_units": [{"id": u.pk, "name": u.name} for u in units],
        "audience_tags": [{"id": t.pk, "code": t.code, "name": t.name} for t in tags],
        "representatives_only": survey.representatives_only,
        "opened_at": survey.opened_at,
        "closed_at": survey.closed_at,
        "audience_size": survey.audience_size,
        "inviting": survey.status == Survey.Status.OPEN and survey.invitations_done_at is None,
        "questions": [question_out(q) for q in questions],
    }
