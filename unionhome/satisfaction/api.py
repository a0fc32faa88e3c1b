"""API for the served worker: what waits for their rating, and rating an item."""

import datetime
import unicodedata
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.satisfaction import selectors, services
from unionhome.satisfaction.models import ServiceLine

router = Router(tags=["ratings"])

ERRORS = {401: ErrorOut}


def _multiline_text(value: str) -> str:
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\n\r\t" for ch in value):
        raise ValueError(_("This text contains control characters or invalid characters."))
    return value


class PendingOut(Schema):
    item_type: str = Field(description='The kind of item, e.g. "assistance.assistance", "assistance.visit".')
    item_id: int
    service_line: ServiceLine
    title: str = Field(description="What was received, in words.")
    served_on: datetime.date | None
    url: str = Field(description="The rating page.")


class PendingListOut(Schema):
    items: list[PendingOut]


class RatingIn(Schema):
    item_type: PlainText = Field(..., max_length=100, description="As in `GET /ratings/pending`.")
    item_id: int = Field(..., ge=1, le=MAX_ID)
    score: int = Field(..., ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: Annotated[str, AfterValidator(_multiline_text)] = Field("", max_length=services.COMMENT_MAX_LENGTH)


class RatingOut(Schema):
    id: int
    item_type: str
    item_id: int
    service_line: ServiceLine
    score: int
    comment: str
    rated_at: datetime.datetime


@router.get(
    "/ratings/pending",
    response={200: PendingListOut, **ERRORS},
    operation_id="ratings_pending",
    summary="Services waiting for the caller's rating",
)
def ratings_pending(request: HttpRequest):
    """Items served to the caller (as a member) that are ready to rate and not rated yet; empty for
    an account without a member record."""
    items = selectors.pending_ratings(request.auth.member)
    return {
        "items": [
            {
                "item_type": p.item_type,
                "item_id": p.item_id,
                "service_line": p.service_line,
                "title": p.title,
                "served_on": p.served_on,
                "url": p.url,
            }
            for p in items
        ]
    }


@router.post(
    "/ratings",
    response={201: RatingOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="rating_submit",
    summary="Rate a service received",
)
def rating_create(request: HttpRequest, payload: RatingIn):
    """Rate an item the caller was served (1–5, optional comment up to 500 characters), once.

    Someone else's item, or an unknown one, is 404; an item not yet delivered, or rated already, is 422."""
    ratable, item = selectors.rateable_item_for(request.auth, payload.item_type, payload.item_id)
    rating = services.rating_submit(actor=request.auth, item=item, score=payload.score, comment=payload.comment)
    return Status(
        201,
        {
            "id": rating.pk,
            "item_type": rating.item_type,
            "item_id": rating.item_id,
            "service_line": rating.service_line,
            "score": rating.score,
            "comment": rating.comment,
            "rated_at": rating.rated_at,
        },
    )
