"""The disclosure API under /api/v1/disclosure/: a worker's board, one notice (its read recorded), marking
read, asking and reading questions; for cadres: creating and publishing notices, read receipts,
reminding non-readers and answering questions. Same selectors, services and policy as the pages."""

import datetime
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, field_validator

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, MultilineText, PlainText
from unionhome.disclosure.models import Notice, NoticeQuestion
from unionhome.disclosure.selectors import notices as selectors
from unionhome.disclosure.selectors import questions as question_selectors
from unionhome.disclosure.selectors.receipts import notice_receipts
from unionhome.disclosure.services import notices as services
from unionhome.disclosure.services.questions import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    question_answer,
    question_ask,
)
from unionhome.disclosure.services.reads import notice_mark_read, notice_remind_non_readers
from unionhome.org.models import OrgUnit

router = Router(tags=["disclosure"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100


def _moment(value: datetime.datetime | None) -> datetime.datetime | None:
    """A moment between 2000 and 2100; one without a time zone is read in the union's time zone."""
    if value is None:
        return None
    if not 2000 <= value.year <= 2100:
        raise ValueError(_("Give a date between 2000 and 2100."))
    return timezone.make_aware(value) if timezone.is_naive(value) else value


Moment = Annotated[datetime.datetime, AfterValidator(_moment)]


# --- schemas -------------------------------------------------------------------------------------


class BoardFilters(Schema):
    category: Notice.Category | None = Field(None, description="Only notices of this category.")
    after: PlainText | None = Field(None, max_length=300, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and not selectors.valid_board_cursor(value):
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


class NoticeSummaryOut(Schema):
    id: int
    title: str
    category: Notice.Category
    unit_name: str = Field(description="The publishing unit.")
    publish_from: datetime.datetime
    publish_until: datetime.datetime | None
    pinned: bool
    read: bool = Field(description="Whether the caller has read it.")
    url: str


class BoardOut(Schema):
    items: list[NoticeSummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download address (the same session or bearer token).")


class NoticeOut(Schema):
    id: int
    title: str
    category: Notice.Category
    body: str
    status: Notice.Status
    unit_id: int
    unit_name: str
    audience_id: int
    audience_name: str
    publish_from: datetime.datetime
    publish_until: datetime.datetime | None
    pinned: bool
    read: bool = Field(description="Whether the caller has read it (opening it as a reader records the read).")
    attachments: list[AttachmentOut]
    url: str


class ReadOut(Schema):
    notice_id: int
    read_at: datetime.datetime
    new: bool = Field(description="False when the notice had been read before.")


class QuestionOut(Schema):
    id: int
    notice_id: int
    body: str
    unit_name: str = Field(description="The asker's unit; the asker's name is never shown.")
    asked_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class QuestionsOut(Schema):
    answered: list[QuestionOut] = Field(description="Answered questions, public to the notice's audience.")
    mine_waiting: list[QuestionOut] = Field(description="The caller's own questions not answered yet.")


class QuestionIn(Schema):
    body: MultilineText = Field(..., min_length=1, max_length=QUESTION_MAX_LENGTH)


class AnswerIn(Schema):
    answer: MultilineText = Field(..., min_length=1, max_length=ANSWER_MAX_LENGTH)


class NoticeIn(Schema):
    title: PlainText = Field(..., max_length=services.TITLE_MAX_LENGTH)
    category: Notice.Category
    audience_id: int = Field(..., ge=1, le=MAX_ID, description="The org unit the notice is for (and below).")
    body: MultilineText = Field(..., max_length=services.BODY_MAX_LENGTH)
    publish_from: Moment | None = Field(None, description="When it appears on the board; now when not given.")
    publish_until: Moment | None = Field(None, description="When it leaves the board; never when not given.")
    pinned: bool = False
    publish: bool = Field(False, description="Publish at once instead of keeping a draft.")


class UnitReceiptOut(Schema):
    unit_id: int
    unit_name: str
    direct: bool = Field(description="True for the members placed in the unit itself rather than below it.")
    audience: int
    readers: int
    unread: int


class ReceiptsOut(Schema):
    notice_id: int
    unit_id: int
    unit_name: str
    audience: int
    readers: int
    unread: int
    units: list[UnitReceiptOut]


class ReceiptFilters(Schema):
    unit: PlainText | None = Field(
        None, max_length=255, description="Path of a unit inside the audience to drill into."
    )


class RemindOut(Schema):
    notice_id: int
    units: list[str] = Field(description="Paths of the units whose non-readers are being reminded.")


# --- shaping -------------------------------------------------------------------------------------


def _summary(notice: Notice, read: set[int]) -> dict:
    return {
        "id": notice.pk,
        "title": notice.title,
        "category": notice.category,
        "unit_name": notice.unit.name,
        "publish_from": notice.publish_from,
        "publish_until": notice.publish_until,
        "pinned": notice.pinned,
        "read": notice.pk in read,
        "url": reverse("disclosure:notice", args=[notice.pk]),
    }


def notice_out(viewer, notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "title": notice.title,
        "category": notice.category,
        "body": notice.body,
        "status": notice.status,
        "unit_id": notice.unit_id,
        "unit_name": notice.unit.name,
        "audience_id": notice.audience_id,
        "audience_name": notice.audience.name,
        "publish_from": notice.publish_from,
        "publish_until": notice.publish_until,
        "pinned": notice.pinned,
        "read": bool(selectors.read_notice_ids(viewer, [notice.pk])),
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("disclosure:attachment", args=[notice.pk, a.pk]),
            }
            for a in notice.attachments.all()
        ],
        "url": reverse("disclosure:notice", args=[notice.pk]),
    }


def question_out(question: NoticeQuestion, unit_name: str | None = None) -> dict:
    return {
        "id": question.pk,
        "notice_id": question.notice_id,
        "body": question.body,
        "unit_name": unit_name if unit_name is not None else getattr(question, "asker_unit_name", None) or "",
        "asked_at": question.asked_at,
        "answer": question.answer,
        "answered_at": question.answered_at,
    }


def _unit_name(path: str) -> str:
    return OrgUnit.objects.filter(path=path).values_list("name", flat=True).first() or ""


# --- workers -------------------------------------------------------------------------------------


@router.get(
    "/notices",
    response={200: BoardOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_board",
    summary="The caller's disclosure board",
)
def board(request: HttpRequest, filters: Query[BoardFilters]):
    """Notices shown now to the caller's unit and the units above it, pinned first, then newest, a page
    at a time. An account without an active member record gets an empty board."""
    viewer = request.auth
    notices = selectors.board_for(viewer, category=filters.category or "")
    page = selectors.board_page(notices, filters.after, size=filters.limit)
    read = selectors.read_notice_ids(viewer, [n.pk for n in page.items])
    return {"items": [_summary(n, read) for n in page.items], "next": page.next_cursor}


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice",
    summary="One notice (its read is recorded)",
)
def notice_detail(request: HttpRequest, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """A notice shown to the caller as a member of its audience (the read is recorded, once), or one a
    cadre looks after. Anything else is 404."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    if selectors.is_reader(viewer, notice):
        notice_mark_read(actor=viewer, notice=notice)
    return notice_out(viewer, notice)


@router.post(
    "/notices/{notice_id}/read",
    response={200: ReadOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice_read",
    summary="Mark a notice read",
)
def mark_read(request: HttpRequest, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """Record that the caller has read the notice; repeating it changes nothing. Only the audience (404)."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    receipt, new = notice_mark_read(actor=viewer, notice=notice)
    return {"notice_id": notice.pk, "read_at": receipt.read_at, "new": new}


@router.get(
    "/notices/{notice_id}/questions",
    response={200: QuestionsOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_questions",
    summary="Questions and answers of a notice",
)
def questions(request: HttpRequest, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """The answered questions (public, the asker shown by unit only) and the caller's own waiting ones."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    return {
        "answered": [question_out(q) for q in question_selectors.public_questions(notice)],
        "mine_waiting": [
            question_out(q, _unit_name(q.unit_path)) for q in question_selectors.own_waiting_questions(viewer, notice)
        ],
    }


@router.post(
    "/notices/{notice_id}/questions",
    response={201: QuestionOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_question_ask",
    summary="Ask a question on a notice",
)
def ask(request: HttpRequest, payload: QuestionIn, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """A member of the notice's audience asks (at most 1000 characters); others get 404."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    question = question_ask(actor=viewer, notice=notice, body=payload.body)
    return Status(201, question_out(question, _unit_name(question.unit_path)))


# --- cadres --------------------------------------------------------------------------------------


@router.post(
    "/notices",
    response={201: NoticeOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice_create",
    summary="Create a notice (a draft, or published at once)",
)
def create(request: HttpRequest, payload: NoticeIn):
    """``disclosure.publish``: a notice of the caller's publishing unit to an audience within it."""
    viewer = request.auth
    audience = OrgUnit.objects.filter(pk=payload.audience_id).first()
    with transaction.atomic():
        notice = services.notice_create(
            actor=viewer,
            audience=audience,
            category=payload.category,
            title=payload.title,
            body=payload.body,
            publish_from=payload.publish_from,
            publish_until=payload.publish_until,
            pinned=payload.pinned,
        )
        if payload.publish:
            notice = services.notice_publish(actor=viewer, notice=notice)
    return Status(201, notice_out(viewer, selectors.notice_for(viewer, notice.pk)))


@router.post(
    "/notices/{notice_id}/publish",
    response={200: NoticeOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice_publish",
    summary="Publish a draft notice",
)
def publish(request: HttpRequest, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """``disclosure.publish`` on the notice's unit. A notice that is not a draft, or whose window has
    ended, is 422."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    services.notice_publish(actor=viewer, notice=notice)
    return notice_out(viewer, selectors.notice_for(viewer, notice.pk))


@router.get(
    "/notices/{notice_id}/receipts",
    response={200: ReceiptsOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice_receipts",
    summary="Read receipts of a notice, per unit",
)
def receipts(request: HttpRequest, filters: Query[ReceiptFilters], notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """``disclosure.view_receipts``: readers against the audience for each unit one level below the
    audience (or below ``unit``), within the caller's scope."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    result = notice_receipts(viewer, notice, unit_path=filters.unit or "")
    return {
        "notice_id": notice.pk,
        "unit_id": result.unit.pk,
        "unit_name": result.unit.name,
        "audience": result.audience,
        "readers": result.readers,
        "unread": result.unread,
        "units": [
            {
                "unit_id": row.unit.pk,
                "unit_name": row.unit.name,
                "direct": row.direct,
                "audience": row.audience,
                "readers": row.readers,
                "unread": row.unread,
            }
            for row in result.rows
        ],
    }


@router.post(
    "/notices/{notice_id}/remind",
    response={202: RemindOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_notice_remind",
    summary="Remind the members who have not read a notice",
)
def remind(request: HttpRequest, notice_id: int = Path(..., ge=1, le=MAX_ID)):
    """``disclosure.view_receipts``: queue a reminder to each member of the caller's part of the audience
    who has not read the notice; a member is reminded of a notice once, however often this is called."""
    viewer = request.auth
    notice = selectors.notice_for(viewer, notice_id)
    units = notice_remind_non_readers(actor=viewer, notice=notice)
    return Status(202, {"notice_id": notice.pk, "units": units})


@router.post(
    "/questions/{question_id}/answer",
    response={200: QuestionOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="disclosure_question_answer",
    summary="Answer a question",
)
def answer(request: HttpRequest, payload: AnswerIn, question_id: int = Path(..., ge=1, le=MAX_ID)):
    """``disclosure.answer`` on the notice's unit or the asker's unit (403 without it anywhere, 404 out of
    scope). The answer is public on the notice; the asker is told."""
    viewer = request.auth
    question = question_selectors.question_to_answer(viewer, question_id)
    done = question_answer(actor=viewer, question=question, answer=payload.answer)
    return question_out(done, _unit_name(done.unit_path))
