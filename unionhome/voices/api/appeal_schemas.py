"""The schemas of the member's voices API (``appeals.py`` by id, ``anonymous.py`` by follow-up code)."""

import datetime

from ninja import Field, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MultilineText, PlainText, TimeCursor
from unionhome.voices.models import Appeal, AppealCategory, AppealKind
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import BODY_MAX_LENGTH, MESSAGE_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH
from unionhome.voices.services.feedback import COMMENT_MAX_LENGTH

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100


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


SUBMITTER = {200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS}
BY_CODE = {200: AppealOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut, **ERRORS}
