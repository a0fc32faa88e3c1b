"""API for proposals (提案) under /api/v1/congress/: list, detail, write (draft or submit), suggest, adopt,
second, send for review, review (accept / convert / merge), refer, reply, progress, rate and change the
rating within the edit window (PATCH …/rate). Same
selectors, services and rules as the pages.

Errors: 404 for a proposal (or session) the caller may not see; 403 with a message naming why for an
action the caller may not take (a missing permission, not the proposer, not referred to your department);
400 ``{"detail", "code"}`` for a step the proposal's state or rules refuse (``needs_seconders``,
``proposals_closed``, ``wrong_state``, ``final``, ``already_seconded``, ``own_proposal``…); 422 naming the
field for bad input."""

import datetime
from contextlib import contextmanager
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, MultilineText, PlainText, TimeCursor
from unionhome.congress.models import CongressSession, HandlingDepartment, Proposal, ProposalReply
from unionhome.congress.selectors import proposals as selectors
from unionhome.congress.services import proposal_handling as handling
from unionhome.congress.services import proposal_rating
from unionhome.congress.services import proposals as services
from unionhome.org.models import OrgUnit

router = Router(tags=["congress: proposals"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_PAGE_SIZE = 100
ProposalId = Path(..., ge=1, le=MAX_ID)


@contextmanager
def refusals_as_problems():
    """A refusal not tied to a field (the proposal's state, the rules) is 400 with its code; field errors 422."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ApiProblem(400, exc.code or "refused", " ".join(exc.messages)) from exc


# --- schemas -------------------------------------------------------------------------------------


class ListFilters(Schema):
    status: Proposal.Status | None = Field(None, description="Only proposals in this status.")
    session_id: int | None = Field(None, ge=1, le=MAX_ID)
    department_id: int | None = Field(None, ge=1, le=MAX_ID)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Proposals from this unit and below.")
    mine: bool = Field(False, description="Only proposals the caller wrote or proposes.")
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ProposalOut(Schema):
    id: int
    session_id: int
    number: int | None = Field(description="The number given on acceptance (立案号); null before.")
    title: str
    category: Proposal.Category
    status: Proposal.Status
    proposer_id: int | None = Field(description="The proposer's representative id; null for a suggestion.")
    proposer_name: str | None
    author_name: str = Field(description="Who wrote it (the member, for an adopted suggestion).")
    seconders: int
    department_id: int | None
    department_name: str | None
    reply_due_on: datetime.date | None
    rating_due_on: datetime.date | None
    close_reason: str
    merged_into_id: int | None
    created_at: datetime.datetime


class ProposalPageOut(Schema):
    items: list[ProposalOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    note: str = Field(description="The reason given with the step; the proposer sees it.")
    actor: str
    at: datetime.datetime


class SecondingOut(Schema):
    representative_id: int
    name: str
    at: datetime.datetime


class ReplyOut(Schema):
    id: int
    round: int
    department_name: str
    body: str
    replied_at: datetime.datetime
    on_time: bool
    rating: ProposalReply.Rating | None
    rating_comment: str
    rating_change_until: datetime.datetime | None = Field(
        None, description="Until when the proposer may change this rating (PATCH …/rate); null when they cannot."
    )


class ProgressOut(Schema):
    percent: int
    note: str
    recorded_at: datetime.datetime


class ProposalDetailOut(ProposalOut):
    reasons: str
    measures: str
    seconders_needed: int
    events: list[EventOut]
    secondings: list[SecondingOut]
    replies: list[ReplyOut]
    progress: list[ProgressOut]
    actions: list[str] = Field(description="Steps the caller may take now (their rules are checked on taking).")


STEP = {200: ProposalDetailOut, 400: ErrorOut, 422: ValidationErrorOut, **ERRORS}


class ProposalIn(Schema):
    session_id: int = Field(..., ge=1, le=MAX_ID)
    title: PlainText = Field(..., max_length=services.MAX_TITLE)
    category: Proposal.Category
    reasons: MultilineText = Field(..., max_length=services.MAX_TEXT)
    measures: MultilineText = Field(..., max_length=services.MAX_TEXT)


class DraftIn(ProposalIn):
    submit: bool = Field(False, description="Submit at once (open for seconding) rather than keep a draft.")


class NoteIn(Schema):
    note: MultilineText = Field("", max_length=services.MAX_REASON)


class ReviewIn(Schema):
    decision: Literal["accept", "convert", "merge"]
    reason: MultilineText = Field(..., max_length=services.MAX_REASON, description="The proposer sees it.")
    into_id: int | None = Field(None, ge=1, le=MAX_ID, description="For merge: the proposal to merge into.")


class ReferIn(Schema):
    department_id: int = Field(..., ge=1, le=MAX_ID)
    reply_due_on: datetime.date | None = Field(None, description="Today + the term's reply days when absent.")
    note: MultilineText = Field("", max_length=services.MAX_REASON)


class ReplyIn(Schema):
    body: MultilineText = Field(..., max_length=services.MAX_TEXT)


class ProgressIn(Schema):
    note: MultilineText = Field(..., max_length=services.MAX_TEXT)
    percent: int = Field(..., ge=0, le=100)


class RateIn(Schema):
    rating: ProposalReply.Rating
    comment: MultilineText = Field("", max_length=handling.MAX_COMMENT, description="Required when dissatisfied.")


class RatingChangeIn(Schema):
    rating: ProposalReply.Rating
    comment: MultilineText | None = Field(
        None,
        max_length=handling.MAX_COMMENT,
        description='Omitted or null: the comment given is kept; "": removed. Required when dissatisfied.',
    )


# --- answers -------------------------------------------------------------------------------------


def proposal_out(p: Proposal, seconders: int | None = None) -> dict:
    return {
        "id": p.pk,
        "session_id": p.session_id,
        "number": p.number,
        "title": p.title,
        "category": p.category,
        "status": p.status,
        "proposer_id": p.proposer_id,
        "proposer_name": p.proposer.member.name if p.proposer_id else None,
        "author_name": p.author.name,
        "seconders": seconders if seconders is not None else getattr(p, "seconders", 0),
        "department_id": p.department_id,
        "department_name": p.department.name if p.department_id else None,
        "reply_due_on": p.reply_due_on,
        "rating_due_on": p.rating_due_on,
        "close_reason": p.close_reason,
        "merged_into_id": p.merged_into_id,
        "created_at": p.created_at,
    }


def detail_out(viewer, pk: int) -> dict:
    proposal = selectors.proposal_for(viewer, pk)
    d = selectors.proposal_detail(viewer, proposal)
    until = proposal_rating.rating_change_until(proposal, d["replies"]) if d["is_proposer"] else None
    changeable = until is not None and timezone.now() <= until
    return {
        **proposal_out(proposal, len(d["secondings"])),
        "reasons": proposal.reasons,
        "measures": proposal.measures,
        "seconders_needed": d["seconders_needed"],
        "events": d["events"],
        "secondings": [
            {"representative_id": s.representative_id, "name": s.representative.member.name, "at": s.created_at}
            for s in d["secondings"]
        ],
        "replies": [
            {
                "id": r.pk,
                "round": r.round,
                "department_name": r.department.name,
                "body": r.body,
                "replied_at": r.replied_at,
                "on_time": r.on_time,
                "rating": r.rating or None,
                "rating_comment": r.rating_comment,
                "rating_change_until": until if changeable and r is d["replies"][-1] else None,
            }
            for r in d["replies"]
        ],
        "progress": [{"percent": g.percent, "note": g.note, "recorded_at": g.recorded_at} for g in d["progress"]],
        "actions": d["actions"],
    }


def _session(pk: int) -> CongressSession:
    session = CongressSession.objects.select_related("congress").filter(pk=pk).first()
    if session is None:
        raise ApiProblem(404, "not_found", _("Not found, or not in your part of the union."))
    return session


# --- reading -------------------------------------------------------------------------------------


@router.get(
    "/proposals",
    response={200: ProposalPageOut, 422: ValidationErrorOut, 401: ErrorOut},
    operation_id="congress_proposal_list",
    summary="Proposals the caller may see",
)
def proposal_list(request: HttpRequest, filters: Query[ListFilters]):
    """Newest first, a page at a time (keyset): the caller's own, the term's proposals for a seated
    representative (all but drafts), all in scope for ``congress.view_proposals``, and those referred to
    the caller's departments. Filters narrow this; an id outside it simply matches nothing."""
    viewer = request.auth
    found_filters = selectors.Filters(
        status=filters.status or "",
        session=CongressSession.objects.filter(pk=filters.session_id).first() if filters.session_id else None,
        department=HandlingDepartment.objects.filter(pk=filters.department_id).first()
        if filters.department_id
        else None,
        unit=OrgUnit.objects.filter(pk=filters.unit_id).first() if filters.unit_id else None,
        mine=filters.mine,
    )
    found = selectors.proposals_for(viewer, found_filters)
    if (
        (filters.session_id and found_filters.session is None)
        or (filters.department_id and found_filters.department is None)
        or (filters.unit_id and found_filters.unit is None)
    ):
        found = found.none()
    page = selectors.proposal_page(found, filters.after, size=filters.limit)
    return {"items": [proposal_out(p) for p in page.items], "next": page.next_cursor}


# --- writing -------------------------------------------------------------------------------------


@router.post(
    "/proposals",
    response={201: ProposalDetailOut, 400: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_proposal_create",
    summary="Write a proposal (a seated representative)",
)
def proposal_create(request: HttpRequest, payload: DraftIn):
    """A draft, or (``submit: true``) a proposal open for seconding at once. 403 for a caller without a
    seat in the session's term; 400 ``proposals_closed`` after the session's closing time."""
    viewer = request.auth
    session = _session(payload.session_id)
    data = payload.dict(exclude={"session_id", "submit"})
    with refusals_as_problems():
        proposal = services.proposal_draft(actor=viewer, session=session, **data)
        if payload.submit:
            services.proposal_submit(actor=viewer, proposal=proposal)
    return Status(201, detail_out(viewer, proposal.pk))


@router.post(
    "/proposals/suggestions",
    response={201: ProposalDetailOut, 400: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_proposal_suggest",
    summary="Suggest a proposal (any member of the union)",
)
def proposal_suggest(request: HttpRequest, payload: ProposalIn):
    """A member's suggestion (status ``suggested``) that a seated representative may adopt. 404 for a
    session of another union or a caller without a member record."""
    viewer = request.auth
    session = _session(payload.session_id)
    with refusals_as_problems():
        proposal = services.proposal_suggest(actor=viewer, session=session, **payload.dict(exclude={"session_id"}))
    return Status(201, detail_out(viewer, proposal.pk))


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalDetailOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_proposal_get",
    summary="One proposal with its history, seconders, replies and progress",
)
def proposal_get(request: HttpRequest, proposal_id: int = ProposalId):
    return detail_out(request.auth, proposal_id)


def _step(request: HttpRequest, proposal_id: int, service, **kwargs) -> dict:
    viewer = request.auth
    proposal = selectors.proposal_for(viewer, proposal_id)
    with refusals_as_problems():
        service(actor=viewer, proposal=proposal, **kwargs)
    return detail_out(viewer, proposal_id)


@router.post("/proposals/{proposal_id}/adopt", response=STEP, operation_id="congress_proposal_adopt")
def proposal_adopt(request: HttpRequest, payload: NoteIn, proposal_id: int = ProposalId):
    """A seated representative of the term adopts a suggestion and becomes its proposer (a draft again)."""
    return _step(request, proposal_id, services.proposal_adopt, note=payload.note)


@router.post("/proposals/{proposal_id}/submit", response=STEP, operation_id="congress_proposal_submit")
def proposal_submit(request: HttpRequest, proposal_id: int = ProposalId):
    """The proposer opens a draft for seconding."""
    return _step(request, proposal_id, services.proposal_submit)


@router.post("/proposals/{proposal_id}/second", response=STEP, operation_id="congress_proposal_second")
def proposal_second(request: HttpRequest, proposal_id: int = ProposalId):
    """Another seated representative of the term seconds (附议) it, once: 400 ``already_seconded`` on a
    second try, ``own_proposal`` for the proposer."""
    return _step(request, proposal_id, services.proposal_second)


@router.post(
    "/proposals/{proposal_id}/send-for-review", response=STEP, operation_id="congress_proposal_send_for_review"
)
def proposal_send_for_review(request: HttpRequest, proposal_id: int = ProposalId):
    """The proposer sends it to the proposal committee: 400 ``needs_seconders`` ("needs N seconders, has M")
    without enough seconders."""
    return _step(request, proposal_id, services.proposal_send_for_review)


@router.post("/proposals/{proposal_id}/review", response=STEP, operation_id="congress_proposal_review")
def proposal_review(request: HttpRequest, payload: ReviewIn, proposal_id: int = ProposalId):
    """``congress.review_proposals``: accept (立案, the session's next number), convert to a suggestion, or
    merge into ``into_id`` (a submitted or accepted proposal of the same session), with a reason."""
    into = Proposal.objects.filter(pk=payload.into_id).first() if payload.into_id else None
    if payload.decision == "merge" and payload.into_id and into is None:
        raise ValidationError({"into": _("Choose another proposal of the same session.")})
    return _step(
        request, proposal_id, services.proposal_review, decision=payload.decision, reason=payload.reason, into=into
    )


@router.post("/proposals/{proposal_id}/refer", response=STEP, operation_id="congress_proposal_refer")
def proposal_refer(request: HttpRequest, payload: ReferIn, proposal_id: int = ProposalId):
    """``congress.review_proposals``: refer an accepted proposal to an active department of the union."""
    department = HandlingDepartment.objects.filter(pk=payload.department_id).first()
    return _step(
        request,
        proposal_id,
        services.proposal_refer,
        department=department,
        reply_due_on=payload.reply_due_on,
        note=payload.note,
    )


@router.post("/proposals/{proposal_id}/reply", response=STEP, operation_id="congress_proposal_reply")
def proposal_reply(request: HttpRequest, payload: ReplyIn, proposal_id: int = ProposalId):
    """A handler of the department it is referred to replies; 403 for anyone else who can see it."""
    return _step(request, proposal_id, handling.proposal_reply, body=payload.body)


@router.post("/proposals/{proposal_id}/progress", response=STEP, operation_id="congress_proposal_progress")
def proposal_progress(request: HttpRequest, payload: ProgressIn, proposal_id: int = ProposalId):
    """A handler records implementation progress (any time after the referral)."""
    return _step(request, proposal_id, handling.proposal_progress_record, note=payload.note, percent=payload.percent)


@router.post("/proposals/{proposal_id}/rate", response=STEP, operation_id="congress_proposal_rate")
def proposal_rate(request: HttpRequest, payload: RateIn, proposal_id: int = ProposalId):
    """The proposer rates the latest reply: satisfied / basically satisfied close it; dissatisfied (with a
    comment) sends it back to the department with a new deadline."""
    return _step(request, proposal_id, handling.proposal_rate, rating=payload.rating, comment=payload.comment)


@router.patch("/proposals/{proposal_id}/rate", response=STEP, operation_id="congress_proposal_rating_change")
def proposal_rating_change(request: HttpRequest, payload: RatingChangeIn, proposal_id: int = ProposalId):
    """The proposer changes the rating of the latest reply within `SATISFACTION_EDIT_DAYS` days of giving it
    (`rating_change_until` on the reply). Satisfied ↔ basically: the proposal stays closed; to dissatisfied
    (with a comment): sent back for re-handling as a first dissatisfied rating; from dissatisfied: refused
    (400 `sent_back`), only the comment may change. 400 `edit_window_over`, `not_rated`, `replied_again`;
    403 for anyone but the proposer. The same values again change nothing."""
    return _step(
        request,
        proposal_id,
        proposal_rating.proposal_rating_change,
        rating=payload.rating,
        comment=payload.comment,
    )
