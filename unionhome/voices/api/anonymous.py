"""The voices API for an anonymous appeal, under /api/v1/voices/anonymous/: send one, then read it, write to
the handler, rate (and change the rating: PATCH), reopen or withdraw it by its follow-up code, always in the
JSON body, never in the URL (this prefix is left out of the access log). A wrong code answers 404
``unknown_code`` and too many wrong codes 429 ``too_many_attempts`` (``appeal_access.py``)."""

from django.http import HttpRequest
from ninja import Router, Status

from unionhome.api.errors import ValidationErrorOut
from unionhome.voices.api.appeal_access import act_by_code, appeal_by_code, send_appeal
from unionhome.voices.api.appeal_out import appeal_out, fresh_out
from unionhome.voices.api.appeal_schemas import (
    BY_CODE,
    ERRORS,
    AppealIn,
    CodeIn,
    CodeMessageIn,
    CodeRateIn,
    CodeRatingChangeIn,
    CodeReopenIn,
    CodeWithdrawIn,
    SentOut,
)
from unionhome.voices.services.appeals import appeal_follow_up, appeal_withdraw
from unionhome.voices.services.feedback import appeal_rate, appeal_rating_change, appeal_reopen

router = Router(tags=["voices"])


@router.post(
    "/anonymous/appeals",
    response={201: SentOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="voices_anonymous_submit",
    summary="Send an anonymous appeal",
)
def submit_anonymous(request: HttpRequest, payload: AppealIn):
    """A union member sends an appeal that keeps no link to them. The answer holds the follow-up code,
    shown this once: only with it can the appeal be read, rated, reopened or withdrawn."""
    appeal, code = send_appeal(request, payload, anonymous=True)
    return Status(201, {"appeal": fresh_out(appeal), "code": code})


@router.post("/anonymous/appeal", response=BY_CODE, operation_id="voices_anonymous_appeal", summary="Read by code")
def by_code(request: HttpRequest, payload: CodeIn):
    """The anonymous appeal of this follow-up code. Wrong codes are limited per address and overall."""
    return appeal_out(appeal_by_code(request, payload.code))


@router.post(
    "/anonymous/messages",
    response=BY_CODE,
    operation_id="voices_anonymous_follow_up",
    summary="Write to the handler, by code",
)
def follow_up_by_code(request: HttpRequest, payload: CodeMessageIn):
    return act_by_code(request, payload.code, appeal_follow_up, body=payload.body)


@router.post("/anonymous/rate", response=BY_CODE, operation_id="voices_anonymous_rate", summary="Rate, by code")
def rate_by_code(request: HttpRequest, payload: CodeRateIn):
    return act_by_code(request, payload.code, appeal_rate, score=payload.score, comment=payload.comment)


@router.patch(
    "/anonymous/rate",
    response=BY_CODE,
    operation_id="voices_anonymous_rating_change",
    summary="Change the rating, by code",
)
def rating_change_by_code(request: HttpRequest, payload: CodeRatingChangeIn):
    return act_by_code(request, payload.code, appeal_rating_change, score=payload.score, comment=payload.comment)


@router.post("/anonymous/reopen", response=BY_CODE, operation_id="voices_anonymous_reopen", summary="Reopen, by code")
def reopen_by_code(request: HttpRequest, payload: CodeReopenIn):
    return act_by_code(request, payload.code, appeal_reopen, reason=payload.reason)


@router.post(
    "/anonymous/withdraw", response=BY_CODE, operation_id="voices_anonymous_withdraw", summary="Withdraw, by code"
)
def withdraw_by_code(request: HttpRequest, payload: CodeWithdrawIn):
    return act_by_code(request, payload.code, appeal_withdraw, reason=payload.reason)
