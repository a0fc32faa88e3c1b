"""API under ``/api/v1/satisfaction/``: for the served worker, what waits for their rating, rating an item
and changing that rating; for cadres, the satisfaction index (``api_index.py``, added here); for everyone,
"you said, we did" (``api_you_said.py``)."""

import datetime

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, MultilineText, PlainText
from unionhome.satisfaction import selectors, services
from unionhome.satisfaction.api_alerts import router as alerts_router
from unionhome.satisfaction.api_index import router as index_router
from unionhome.satisfaction.api_index_comments import router as index_comments_router
from unionhome.satisfaction.api_index_dashboard import router as dashboard_router
from unionhome.satisfaction.api_you_said import router as you_said_router
from unionhome.satisfaction.edit_window import change_until
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.service_lines import service_line_label

router = Router(tags=["ratings"])
router.add_router("", index_router)  # /index…: the satisfaction index for cadres
router.add_router("", dashboard_router)  # /index/heatmap, /index/drivers: the dashboard's charts
router.add_router("", index_comments_router)  # /index/comments: the lowest ratings' comments
router.add_router("", alerts_router)  # /alerts: index drops and runs of low ratings
router.add_router("", you_said_router)  # /you-said: "you said, we did"

ERRORS = {401: ErrorOut}


class PendingOut(Schema):
    item_type: str = Field(description='The kind of item, e.g. "assistance.assistance", "assistance.visit".')
    item_id: int
    service_line: str = Field(description='The service line\'s code, e.g. "visits", "appeals".')
    service_line_label: str = Field(description="The service line in words, in the caller's language.")
    title: str = Field(description="What was received, in words.")
    served_on: datetime.date | None
    url: str = Field(description="The rating page.")


class PendingListOut(Schema):
    items: list[PendingOut]


class RatingIn(Schema):
    item_type: PlainText = Field(..., max_length=100, description="As in `GET /ratings/pending`.")
    item_id: int = Field(..., ge=1, le=MAX_ID)
    score: int = Field(..., ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: MultilineText = Field("", max_length=services.COMMENT_MAX_LENGTH)


class RatingChangeIn(Schema):
    score: int | None = Field(None, ge=1, le=5, description="The new score; left as it is when not sent.")
    comment: MultilineText | None = Field(
        None, max_length=services.COMMENT_MAX_LENGTH, description="The new comment; left as it is when not sent."
    )


class RatingOut(Schema):
    id: int
    item_type: str
    item_id: int
    service_line: str
    service_line_label: str
    score: int
    comment: str
    rated_at: datetime.datetime
    changed_at: datetime.datetime | None
    change_until: datetime.datetime = Field(description="Until when the caller may change this rating.")


def rating_out(rating: Rating) -> dict:
    return {
        "id": rating.pk,
        "item_type": rating.item_type,
        "item_id": rating.item_id,
        "service_line": rating.service_line,
        "service_line_label": service_line_label(rating.service_line),
        "score": rating.score,
        "comment": rating.comment,
        "rated_at": rating.rated_at,
        "changed_at": rating.changed_at,
        "change_until": change_until(rating.rated_at),
    }


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
                "service_line_label": p.service_line_label,
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
    return Status(201, rating_out(rating))


@router.patch(
    "/ratings/{rating_id}",
    response={200: RatingOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="rating_change",
    summary="Change a rating the caller gave",
)
def rating_change(request: HttpRequest, payload: RatingChangeIn, rating_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change the score and/or the comment of the caller's own rating, within the edit window
    (`SATISFACTION_EDIT_DAYS` days after it was given; `change_until` in the answer).

    Someone else's rating, an anonymous one or an unknown id is 404; after the window, or a rating kept
    with a proposal, an inspection or an appeal (changed there), 422."""
    rating = selectors.own_rating(request.auth, rating_id)
    changed = services.rating_change(
        actor=request.auth,
        rating=rating,
        score=payload.score if payload.score is not None else rating.score,
        comment=payload.comment if payload.comment is not None else rating.comment,
    )
    return rating_out(changed)
