"""The voices API for the worker, under /api/v1/voices/appeals: send a named appeal, list and read one's own,
write to the handler, rate the answer (and change the rating within the edit window: PATCH), reopen, withdraw.
Anonymous appeals, by follow-up code, are ``anonymous.py``. Same selectors and services as the pages.
Attachments are sent from the pages only (the API takes JSON)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status

from unionhome.api.errors import ValidationErrorOut
from unionhome.api.fields import MAX_ID
from unionhome.voices.api.appeal_access import act_on_own, own_appeal, send_appeal
from unionhome.voices.api.appeal_out import appeal_out, fresh_out, summary_out
from unionhome.voices.api.appeal_schemas import (
    ERRORS,
    SUBMITTER,
    AppealIn,
    AppealOut,
    MessageIn,
    MineFilters,
    MineOut,
    RateIn,
    RatingChangeIn,
    ReopenIn,
    WithdrawIn,
)
from unionhome.voices.selectors import appeals as selectors
from unionhome.voices.services.appeals import appeal_follow_up, appeal_withdraw
from unionhome.voices.services.feedback import appeal_rate, appeal_rating_change, appeal_reopen

router = Router(tags=["voices"])


@router.post(
    "/appeals",
    response={201: AppealOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_appeal_submit",
    summary="Send a named appeal",
)
def submit(request: HttpRequest, payload: AppealIn):
    """A union member sends an appeal under their name (403 for an account without an active member
    record). It is routed at once; the answer is due within the category's working days."""
    appeal, _code = send_appeal(request, payload, anonymous=False)
    return Status(201, fresh_out(appeal))


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
    return {"items": [summary_out(a, now) for a in page.items], "next": page.next_cursor}


@router.get(
    "/appeals/{appeal_id}",
    response=SUBMITTER,
    operation_id="voices_my_appeal",
    summary="One of my appeals",
)
def detail(request: HttpRequest, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """Details, files, replies (public and private), history and what the caller may do now. Anyone
    else's appeal is 404."""
    return appeal_out(own_appeal(request, appeal_id))


@router.post(
    "/appeals/{appeal_id}/messages",
    response=SUBMITTER,
    operation_id="voices_appeal_follow_up",
    summary="Write to the handler of my appeal",
)
def follow_up(request: HttpRequest, payload: MessageIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """While the appeal is open (422 otherwise)."""
    return act_on_own(request, appeal_id, appeal_follow_up, body=payload.body)


@router.post(
    "/appeals/{appeal_id}/rate",
    response=SUBMITTER,
    operation_id="voices_appeal_rate",
    summary="Rate the answer to my appeal",
)
def rate(request: HttpRequest, payload: RateIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """1 to 5 stars and an optional comment, once per answer, once the appeal is closed (422 otherwise)."""
    return act_on_own(request, appeal_id, appeal_rate, score=payload.score, comment=payload.comment)


@router.patch(
    "/appeals/{appeal_id}/rate",
    response=SUBMITTER,
    operation_id="voices_appeal_rating_change",
    summary="Change my rating of the answer",
)
def rating_change(request: HttpRequest, payload: RatingChangeIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """A new score (and comment) for the answer already rated, within `SATISFACTION_EDIT_DAYS` days of rating
    it (`rating_change_until`) and while the appeal stays closed with that answer (422 otherwise)."""
    return act_on_own(request, appeal_id, appeal_rating_change, score=payload.score, comment=payload.comment)


@router.post(
    "/appeals/{appeal_id}/reopen",
    response=SUBMITTER,
    operation_id="voices_appeal_reopen",
    summary="Reopen my appeal",
)
def reopen(request: HttpRequest, payload: ReopenIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    """Within the reopening window, when the answer is not rated or rated 1 or 2 stars, with a reason."""
    return act_on_own(request, appeal_id, appeal_reopen, reason=payload.reason)


@router.post(
    "/appeals/{appeal_id}/withdraw",
    response=SUBMITTER,
    operation_id="voices_appeal_withdraw",
    summary="Withdraw my open appeal",
)
def withdraw(request: HttpRequest, payload: WithdrawIn, appeal_id: int = Path(..., ge=1, le=MAX_ID)):
    return act_on_own(request, appeal_id, appeal_withdraw, reason=payload.reason)
