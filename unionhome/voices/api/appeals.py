"""The voices API for the worker, under /api/v1/voices/: send an appeal, list and read one's own, write to
the handler, rate the answer (and change the rating within the edit window: PATCH), reopen, withdraw; and
the same by follow-up code for an anonymous appeal, under /api/v1/voices/anonymous/ (the code always in the
JSON body, never in the URL; that prefix is left out of the access log). Same selectors and services as
the pages. Attachments are sent from the pages only (the API takes JSON).

A wrong code answers 404 ``unknown_code`` and too many wrong codes 429 ``too_many_attempts``; neither is
recorded anywhere (an ordinary 404 of this API would write a refusal naming the caller to the audit trail).
"""

import datetime
import unicodedata
from typing import Annotated

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator

from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText, TimeCursor
from unionhome.satisfaction.edit_window import change_until
from unionhome.voices.models import Appeal, AppealCategory, AppealKind
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import (
    BODY_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    appeal_follow_up,
    appeal_submit,
    appeal_withdraw,
)
from unionhome.voices.services.feedback import (
    COMMENT_MAX_LENGTH,
    appeal_rate,
    appeal_rating_change,
    appeal_reopen,
    rating_changeable,
)

router = Router(tags=["voices"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100


def _multiline_text(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\n\r\t" for ch in value):
        raise ValueError(_("This text contains control characters or invalid characters."))
    return value


MultilineText = Annotated[str, AfterValidator(_multiline_text)]


# --- schemas -------------------------------------------------------------------------------------


class AppealIn(Schema):
    kind: AppealKind
    category: AppealCategory
    title: PlainText = Field(..., min_length=1, max_length=TITLE_MAX_LENGTH)
    body: MultilineText = Field(..., min_length=1, max_length=BODY_MAX_LENGTH)


class MineFilters(Schema):
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class AppealSummaryOut(Schema):
    id: int
    reference: str
    kind: AppealKind
    category: AppealCategory
    title: str
    status: Appeal.Status
    submitted_at: datetime.datetime
    answer_due: datetime.datetime
    overdue: bool = Field(description="Still open after the answer was due.")
    rating_score: int | None
    url: str


class MineOut(Schema):
    items: list[AppealSummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str | None = Field(description="Download address of a named appeal's file (null when anonymous).")


class ReplyOut(Schema):
    id: int
    body: str
    from_submitter: bool = Field(description="Written by the submitter (no author is stored).")
    author_name: str
    public: bool
    answer: bool = Field(description="The answer the appeal was closed with.")
    created_at: datetime.datetime


class EventOut(Schema):
    kind: str
    note: str
    at: datetime.datetime


class RatingOut(Schema):
    score: int
    comment: str


class AppealOut(AppealSummaryOut):
    body: str
    anonymous: bool
    unit_name: str
    answered_by: str
    acknowledge_due: datetime.datetime
    closed_at: datetime.datetime | None
    reopen_until: datetime.datetime | None
    attachments: list[AttachmentOut]
    replies: list[ReplyOut]
    events: list[EventOut]
    rating: RatingOut | None
    rating_change_until: datetime.datetime | None = Field(
        description="Until when the submitter may change the rating (PATCH …/rate); null once they no longer can."
    )
    actions: list[str] = Field(
        description="What the submitter may do now: follow_up, rate, change_rating, reopen, withdraw."
    )


class SentOut(Schema):
    appeal: AppealOut
    code: str = Field(description="The follow-up code: shown this once and kept nowhere. Write it down.")


class CodeIn(Schema):
    code: PlainText = Field(..., min_length=1, max_length=64, description="The follow-up code (dashes optional).")


class MessageIn(Schema):
    body: MultilineText = Field(..., min_length=1, max_length=MESSAGE_MAX_LENGTH)


class RateIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: MultilineText = Field("", max_length=COMMENT_MAX_LENGTH)


class RatingChangeIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: MultilineText | None = Field(
        None, max_length=COMMENT_MAX_LENGTH, description='The new comment; omitted keeps it, "" removes it.'
    )


class ReopenIn(Schema):
    reason: MultilineText = Field(..., min_length=1, max_length=REASON_MAX_LENGTH)


class WithdrawIn(Schema):
    reason: MultilineText = Field("", max_length=REASON_MAX_LENGTH)


class CodeMessageIn(CodeIn, MessageIn):
    pass


class CodeRateIn(CodeIn, RateIn):
    pass


class CodeRatingChangeIn(CodeIn, RatingChangeIn):
    pass


class CodeReopenIn(CodeIn, ReopenIn):
    pass


class CodeWithdrawIn(CodeIn, WithdrawIn):
    pass


# --- shaping -------------------------------------------------------------------------------------


def _summary(appeal: Appeal, now: datetime.datetime) -> dict:
    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "kind": appeal.kind,
        "category": appeal.category,
        "title": appeal.title,
        "status": appeal.status,
        "submitted_at": appeal.submitted_at,
        "answer_due": appeal.answer_due,
        "overdue": selectors.is_overdue(appeal, now),
        "rating_score": appeal.rating_score,
        "url": reverse("voices:appeal_detail", args=[appeal.pk]) if not appeal.is_anonymous else "",
    }


def _answered_by(appeal: Appeal) -> str:
    if appeal.department_id is not None:
        return appeal.department.name
    if appeal.handler_id is not None:
        return getattr(appeal.handler, "display_name", "") or appeal.handler.username
    return appeal.branch.name


def appeal_out(appeal: Appeal) -> dict:
    now = timezone.now()
    view = selectors.submitter_view(appeal, now)
    changeable = rating_changeable(appeal, view.answer, view.rating, now)
    return {
        **_summary(appeal, now),
        "body": appeal.body,
        "anonymous": appeal.is_anonymous,
        "unit_name": appeal.unit.name,
        "answered_by": _answered_by(appeal),
        "acknowledge_due": appeal.acknowledge_due,
        "closed_at": appeal.closed_at,
        "reopen_until": appeal.reopen_until,
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": None if appeal.is_anonymous else reverse("voices:appeal_file", args=[appeal.pk, a.pk]),
            }
            for a in view.attachments
        ],
        "replies": [
            {
                "id": r.pk,
                "body": r.body,
                "from_submitter": r.from_submitter,
                "author_name": "" if r.from_submitter or r.author is None else (r.author.display_name or ""),
                "public": r.is_public,
                "answer": r.is_answer,
                "created_at": r.created_at,
            }
            for r in view.replies
        ],
        "events": [
            {"kind": e.kind, "note": "" if e.kind in RATING_EVENTS else e.note, "at": e.at} for e in view.events
        ],
        "rating": {"score": view.rating.score, "comment": view.rating.comment} if view.rating else None,
        "rating_change_until": change_until(view.rating.rated_at) if changeable else None,
        "actions": _with_change(view.actions, changeable),
    }


# The history keeps the score in these events' notes: the submitter's own page does not repeat it.
RATING_EVENTS = ("rated", "rerated")


def _with_change(actions: list[str], changeable: bool) -> list[str]:
    if not changeable:
        return actions
    at = actions.index("rate") + 1 if "rate" in actions else 0
    return [*actions[:at], "change_rating", *actions[at:]]


def _own(request: HttpRequest, appeal_id: int) -> Appeal:
    return selectors.own_appeal(request.auth, appeal_id)


def _by_code(request: HttpRequest, code: str) -> Appeal:
    try:
        return selectors.appeal_by_code(code, client=request.META.get("REMOTE_ADDR", "") or "")
    except selectors.CodeRefused as exc:
        if exc.code == "too_many":
            raise ApiProblem(429, "too_many_attempts", exc.messages[0], {"Retry-After": "900"}) from None
        raise ApiProblem(404, "unknown_code", exc.messages[0]) from None


def _fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_related("branch", "unit", "department", "handler").get(pk=appeal.pk)


SUBMITTER = {200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS}
BY_CODE = {200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut, **ERRORS}


# --- named appeals -----------------------------------------------------------------------------------


@router.post(
    "/appeals",
    response={201: AppealOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_appeal_submit",
    summary="Send a named appeal",
)
def submit(request: HttpRequest, payload: AppealIn):
    """A union member sends an appeal under their name (403 for an account without an active member
    record). It is routed at once; the answer is due within the category's working days."""
    appeal, _code = appeal_submit(
        actor=request.auth,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        body=payload.body,
        anonymous=False,
    )
    return Status(201, appeal_out(_fresh(appeal)))


@router.get(
    "/appeals",
    response={200: MineOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_my_appeals",
    summary="My named appeals, newest first",
)
def mine(request: HttpRequest, filters: Query[MineFilters]):
    """The caller's named appeals a page at a time (anonymous ones are read by their code)."""
    page = selectors.my_appeals_page(request.auth, filters.after, size=filters.limit)
    now = timezone.now()
    return {"items": [_summary(a, now) for a in page.items], "next": page.next_cursor}


@router.get(
    "/appeals/{appeal_id}",
    response=SUBMITTER,
    operation_id="voices_my_appeal",
    summary="One of my appeals",
)
def detail(request: HttpRequest, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """Details, files, replies (public and private), history and what the caller may do now. Anyone
    else's appeal is 404."""
    return appeal_out(_own(request, appeal_id))


@router.post(
    "/appeals/{appeal_id}/messages",
    response=SUBMITTER,
    operation_id="voices_appeal_follow_up",
    summary="Write to the handler of my appeal",
)
def follow_up(request: HttpRequest, payload: MessageIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """While the appeal is open (422 otherwise)."""
    appeal = _own(request, appeal_id)
    appeal_follow_up(actor=request.auth, appeal=appeal, body=payload.body)
    return appeal_out(_fresh(appeal))


@router.post(
    "/appeals/{appeal_id}/rate",
    response=SUBMITTER,
    operation_id="voices_appeal_rate",
    summary="Rate the answer to my appeal",
)
def rate(request: HttpRequest, payload: RateIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """1 to 5 stars and an optional comment, once per answer, once the appeal is closed (422 otherwise)."""
    appeal = _own(request, appeal_id)
    appeal_rate(actor=request.auth, appeal=appeal, score=payload.score, comment=payload.comment)
    return appeal_out(_fresh(appeal))


@router.patch(
    "/appeals/{appeal_id}/rate",
    response=SUBMITTER,
    operation_id="voices_appeal_rating_change",
    summary="Change my rating of the answer",
)
def rating_change(request: HttpRequest, payload: RatingChangeIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """A new score (and comment) for the answer already rated, within `SATISFACTION_EDIT_DAYS` days of rating
    it (`rating_change_until`) and while the appeal stays closed with that answer (422 otherwise)."""
    appeal = _own(request, appeal_id)
    appeal_rating_change(actor=request.auth, appeal=appeal, score=payload.score, comment=payload.comment)
    return appeal_out(_fresh(appeal))


@router.post(
    "/appeals/{appeal_id}/reopen",
    response=SUBMITTER,
    operation_id="voices_appeal_reopen",
    summary="Reopen my appeal",
)
def reopen(request: HttpRequest, payload: ReopenIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """Within the reopening window, when the answer is not rated or rated 1 or 2 stars, with a reason."""
    appeal = _own(request, appeal_id)
    appeal_reopen(actor=request.auth, appeal=appeal, reason=payload.reason)
    return appeal_out(_fresh(appeal))


@router.post(
    "/appeals/{appeal_id}/withdraw",
    response=SUBMITTER,
    operation_id="voices_appeal_withdraw",
    summary="Withdraw my open appeal",
)
def withdraw(request: HttpRequest, payload: WithdrawIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    appeal = _own(request, appeal_id)
    appeal_withdraw(actor=request.auth, appeal=appeal, reason=payload.reason)
    return appeal_out(_fresh(appeal))


# --- anonymous appeals, by code --------------------------------------------------------------------------


@router.post(
    "/anonymous/appeals",
    response={201: SentOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_anonymous_submit",
    summary="Send an anonymous appeal",
)
def submit_anonymous(request: HttpRequest, payload: AppealIn):
    """A union member sends an appeal that keeps no link to them. The answer holds the follow-up code,
    shown this once: only with it can the appeal be read, rated, reopened or withdrawn."""
    appeal, code = appeal_submit(
        actor=request.auth,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        body=payload.body,
        anonymous=True,
    )
    return Status(201, {"appeal": appeal_out(_fresh(appeal)), "code": code})


@router.post("/anonymous/appeal", response=BY_CODE, operation_id="voices_anonymous_appeal", summary="Read by code")
def by_code(request: HttpRequest, payload: CodeIn):
    """The anonymous appeal of this follow-up code. Wrong codes are limited per address and overall."""
    return appeal_out(_by_code(request, payload.code))


@router.post(
    "/anonymous/messages",
    response=BY_CODE,
    operation_id="voices_anonymous_follow_up",
    summary="Write to the handler, by code",
)
def follow_up_by_code(request: HttpRequest, payload: CodeMessageIn):
    appeal = _by_code(request, payload.code)
    appeal_follow_up(actor=request.auth, appeal=appeal, body=payload.body, code=payload.code)
    return appeal_out(_fresh(appeal))


@router.post("/anonymous/rate", response=BY_CODE, operation_id="voices_anonymous_rate", summary="Rate, by code")
def rate_by_code(request: HttpRequest, payload: CodeRateIn):
    appeal = _by_code(request, payload.code)
    appeal_rate(actor=request.auth, appeal=appeal, score=payload.score, comment=payload.comment, code=payload.code)
    return appeal_out(_fresh(appeal))


@router.patch(
    "/anonymous/rate",
    response=BY_CODE,
    operation_id="voices_anonymous_rating_change",
    summary="Change the rating, by code",
)
def rating_change_by_code(request: HttpRequest, payload: CodeRatingChangeIn):
    appeal = _by_code(request, payload.code)
    appeal_rating_change(
        actor=request.auth, appeal=appeal, score=payload.score, comment=payload.comment, code=payload.code
    )
    return appeal_out(_fresh(appeal))


@router.post("/anonymous/reopen", response=BY_CODE, operation_id="voices_anonymous_reopen", summary="Reopen, by code")
def reopen_by_code(request: HttpRequest, payload: CodeReopenIn):
    appeal = _by_code(request, payload.code)
    appeal_reopen(actor=request.auth, appeal=appeal, reason=payload.reason, code=payload.code)
    return appeal_out(_fresh(appeal))


@router.post(
    "/anonymous/withdraw", response=BY_CODE, operation_id="voices_anonymous_withdraw", summary="Withdraw, by code"
)
def withdraw_by_code(request: HttpRequest, payload: CodeWithdrawIn):
    appeal = _by_code(request, payload.code)
    appeal_withdraw(actor=request.auth, appeal=appeal, reason=payload.reason, code=payload.code)
    return appeal_out(_fresh(appeal))
