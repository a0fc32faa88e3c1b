"""API for motions, votes and elections: set up, open and close live, cast ballots (idempotent per
representative), read the live turnout and, after the close, the result with the published ballots.
The same selectors, services and rules as the pages."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema, Status

from unionhome.access.policy import OutOfScope, can
from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, Id, PlainText
from unionhome.congress.models import CongressSession, Motion, Representative, Vote
from unionhome.congress.selectors import votes as selectors
from unionhome.congress.services import ballots as ballot_services
from unionhome.congress.services.motions import motion_create
from unionhome.congress.services.votes import VoteSpec, vote_close, vote_create, vote_open
from unionhome.org.models import Member

router = Router(tags=["congress"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
Mark = Literal["for", "against", "abstain"]


class OptionOut(Schema):
    id: int
    label: str
    meaning: str = Field(description="`for`, `against`, `abstain`, or `candidate` (a candidate or a named option).")
    candidate_id: int | None = Field(description="Elections: the candidate's member id.")


class VoteOut(Schema):
    id: int
    session_id: int
    motion_id: int | None
    kind: Vote.Kind
    title: str
    secrecy: Vote.Secrecy
    method: Vote.Method
    seats: int
    quorum: str = Field(description="Share of seated representatives who must be present, e.g. `2/3`.")
    threshold: str = Field(description="Share of `threshold_base` the votes for must exceed (or reach), e.g. `1/2`.")
    threshold_base: Vote.Base
    threshold_strict: bool = Field(description="True: more than the threshold; false: at least.")
    status: Vote.Status
    outcome: str = Field(description="Empty until the close: `passed`, `failed`, `no_quorum`, `elected` or `tie`.")
    options: list[OptionOut]
    participation: int = Field(description="Representatives who have voted so far (live, at most a second old).")
    present: int
    seated: int
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None


def vote_out(vote: Vote, live: selectors.Live | None = None) -> dict:
    live = live or selectors.vote_live(vote)
    return {
        "id": vote.pk,
        "session_id": vote.session_id,
        "motion_id": vote.motion_id,
        "kind": vote.kind,
        "title": vote.title,
        "secrecy": vote.secrecy,
        "method": vote.method,
        "seats": vote.seats,
        "quorum": f"{vote.quorum_numerator}/{vote.quorum_denominator}",
        "threshold": f"{vote.threshold_numerator}/{vote.threshold_denominator}",
        "threshold_base": vote.threshold_base,
        "threshold_strict": vote.threshold_strict,
        "status": live.status,
        "outcome": vote.outcome,
        "options": [
            {"id": o.pk, "label": o.label, "meaning": o.meaning, "candidate_id": o.candidate_id}
            for o in vote.options.all()
        ],
        "participation": live.participation,
        "present": live.present,
        "seated": live.seated,
        "opened_at": vote.opened_at,
        "closed_at": vote.closed_at,
    }


class VoteFilters(Schema):
    session: int | None = Field(None, ge=1, le=MAX_ID, description="Only votes of this session.")
    status: Vote.Status | None = None


@router.get(
    "/votes",
    response={200: list[VoteOut], 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_vote_list",
    summary="Votes the caller can watch",
)
def vote_list(request: HttpRequest, filters: Query[VoteFilters]):
    """Votes of the caller's union (members watch their congress) and of units where the caller holds
    ``congress.view``; newest session first, at most 100."""
    votes = selectors.vote_list(request.auth, session_id=filters.session, status=filters.status or "")
    prefetch_related_objects(votes, "options")
    live = selectors.vote_live_many(votes)
    return [vote_out(v, live[v.pk]) for v in votes]


@router.get(
    "/votes/{vote_id}",
    response={200: VoteOut, **ERRORS},
    operation_id="congress_vote_detail",
    summary="A vote with its options and live turnout",
)
def vote_detail(request: HttpRequest, vote_id: int = Path(..., ge=1, le=MAX_ID)):
    """The vote, its rules and options, and how many have voted so far (never how)."""
    return vote_out(selectors.vote_for(request.auth, vote_id))


class VoteIn(Schema):
    session_id: Id
    motion_id: Id | None = Field(None, description="The motion voted on (motion votes).")
    title: str = Field(max_length=200)
    kind: Vote.Kind = Vote.Kind.MOTION
    secrecy: Vote.Secrecy = Vote.Secrecy.SECRET
    method: Vote.Method = Vote.Method.CHOOSE_ONE
    seats: int = Field(1, ge=1, le=50, description="Elections: seats to fill.")
    options: list[PlainText] = Field(
        [], max_length=50, description="Motion votes: option labels; empty: 赞成/反对/弃权."
    )
    candidate_ids: list[Id] = Field([], max_length=50, description="Elections: member ids of the candidates.")
    quorum: tuple[int, int] = Field((2, 3), description="[numerator, denominator] of seated who must be present.")
    threshold: tuple[int, int] = Field((1, 2), description="[numerator, denominator] of the base to pass.")
    threshold_base: Vote.Base = Vote.Base.SEATED
    threshold_strict: bool = True
    scrutineer_ids: list[Id] = Field([], max_length=10, description="Representative ids of the scrutineers.")


@router.post(
    "/votes",
    response={201: VoteOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_vote_create",
    summary="Set up a vote or an election",
)
def vote_new(request: HttpRequest, payload: VoteIn):
    """Set up a vote on a motion (named or secret; options; quorum and threshold rules) or an election, for
    the congress office or the chair (``congress.manage``). It opens later with ``/open``."""
    viewer = request.auth
    session = CongressSession.objects.filter(pk=payload.session_id).first()
    if session is None or not (can(viewer, "congress.view", session) or can(viewer, "congress.manage", session)):
        raise OutOfScope()
    motion = None
    if payload.motion_id is not None:
        motion = Motion.objects.filter(pk=payload.motion_id, session=session).first()
        if motion is None:
            raise ValidationError({"motion_id": _("The motion belongs to another session.")})
    candidates = list(Member.objects.filter(pk__in=payload.candidate_ids))
    if len(candidates) != len(set(payload.candidate_ids)):
        raise ValidationError({"candidate_ids": _("There is no such member.")})
    order = {pk: i for i, pk in enumerate(payload.candidate_ids)}
    candidates.sort(key=lambda m: order[m.pk])
    scrutineers = list(Representative.objects.filter(pk__in=payload.scrutineer_ids))
    if len(scrutineers) != len(set(payload.scrutineer_ids)):
        raise ValidationError({"scrutineer_ids": _("Scrutineers must be seated representatives of this congress.")})
    spec = VoteSpec(
        title=payload.title,
        kind=payload.kind,
        secrecy=payload.secrecy,
        method=payload.method,
        seats=payload.seats,
        options=payload.options,
        candidates=candidates,
        quorum=payload.quorum,
        threshold=payload.threshold,
        threshold_base=payload.threshold_base,
        threshold_strict=payload.threshold_strict,
        scrutineers=scrutineers,
    )
    vote = vote_create(actor=viewer, session=session, spec=spec, motion=motion)
    return Status(201, vote_out(vote))


def _run(request: HttpRequest, vote_id: int, service) -> dict:
    vote = selectors.vote_for(request.auth, vote_id)
    try:
        vote = service(actor=request.auth, vote=vote)
    except ValidationError as exc:
        raise ApiProblem(409, "vote_state", " ".join(exc.messages)) from None
    selectors.forget_live(vote)
    return vote_out(vote)


@router.post(
    "/votes/{vote_id}/open",
    response={200: VoteOut, 409: ErrorOut, **ERRORS},
    operation_id="congress_vote_open",
    summary="Open a vote",
)
def vote_open_endpoint(request: HttpRequest, vote_id: int = Path(..., ge=1, le=MAX_ID)):
    """Open the vote (``congress.run_votes``). 409 ``vote_state`` when it was opened before, the session is
    not in progress, or the quorum of seated representatives is not checked in (the message gives the counts)."""
    return _run(request, vote_id, vote_open)


@router.post(
    "/votes/{vote_id}/close",
    response={200: VoteOut, 409: ErrorOut, **ERRORS},
    operation_id="congress_vote_close",
    summary="Close a vote and count it",
)
def vote_close_endpoint(request: HttpRequest, vote_id: int = Path(..., ge=1, le=MAX_ID)):
    """Close the vote and count it (``congress.run_votes``); read the result at ``/result``. 409 ``vote_state``
    when it is not open or paper ballots are still to be entered."""
    return _run(request, vote_id, vote_close)


class MarkIn(Schema):
    option_id: Id
    mark: Mark = "for"


class BallotIn(Schema):
    marks: list[MarkIn] = Field(
        max_length=50,
        description="Choose one: one mark `for` the option chosen. Elections choosing up to the seats: a `for` "
        "mark per candidate chosen. Per candidate: `for`, `against` or `abstain` each (left out: abstain).",
    )


class BallotOut(Schema):
    receipt: str = Field(description="Secret ballots: the receipt code to find in the published list. Named: empty.")
    recorded: bool = Field(description="False when this retry found the ballot already recorded.")


@router.post(
    "/votes/{vote_id}/ballots",
    response={201: BallotOut, 200: BallotOut, 400: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_ballot_cast",
    summary="Cast the caller's ballot",
)
def ballot_cast(
    request: HttpRequest,
    payload: BallotIn,
    vote_id: int = Path(..., ge=1, le=MAX_ID),
    ballot_key: str = Header(
        ...,
        alias="Idempotency-Key",
        min_length=16,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="A random key (16–100 visible ASCII characters) made by the client for this one ballot and "
        "kept secret. Send the same key again to retry safely: the ballot is recorded once and the same receipt "
        "comes back (200).",
    ),
):
    """Cast the caller's ballot: one per seated, checked-in representative. 201 with the receipt; 200 with the
    same receipt for a retry with the same key; 409 ``already_voted`` for a second ballot with another key;
    400 ``vote_state`` when the vote is not open or closed, or the caller has not checked in; 422 for an
    option not on the ballot; 403 for someone without a seat in this congress."""
    vote = selectors.vote_for(request.auth, vote_id)
    marks = [[m.option_id, m.mark] for m in payload.marks]
    try:
        cast = ballot_services.ballot_cast(actor=request.auth, vote=vote, marks=marks, ballot_key=ballot_key)
    except ballot_services.AlreadyVoted as exc:
        raise ApiProblem(409, "already_voted", exc.messages[0]) from None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ApiProblem(400, "vote_state", " ".join(exc.messages)) from None
    return Status(201 if cast.recorded else 200, {"receipt": cast.receipt, "recorded": cast.recorded})


class OptionResultOut(Schema):
    id: int
    label: str
    meaning: str
    count: int = Field(description="Votes for (choose one, up to the seats) or `for` marks (per candidate).")
    votes_for: int = Field(alias="for")
    against: int
    abstain: int


class PublishedBallotOut(Schema):
    receipt: str = Field(description="Secret: the receipt code (empty for a paper ballot).")
    voter: str = Field(description="Named votes: the representative. Secret: empty.")
    choices: list[tuple[str, str]] = Field(description="[option label, mark] pairs.")


class ResultOut(Schema):
    vote_id: int
    outcome: str
    seated: int
    present: int
    participation: int = Field(description="Ballots counted: always the number of representatives who voted.")
    quorum_met: bool
    quorum_needed: int
    needed: int = Field(description="Votes for needed to pass (or be elected).")
    winners: list[int] = Field(description="Option ids passed, adopted or elected.")
    tied: list[int] = Field(description="Elections: candidates tied for the last seats (none of them elected).")
    options: list[OptionResultOut]
    ballots: list[PublishedBallotOut]
    next: str | None = Field(description="Pass as `after` for the next page of ballots; null on the last.")


class ResultFilters(Schema):
    receipt: PlainText = Field("", max_length=16, description="Find one secret ballot by its receipt code.")
    after: PlainText = Field("", max_length=20, description="The `next` cursor of the previous page.")


@router.get(
    "/votes/{vote_id}/result",
    response={200: ResultOut, 409: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_vote_result",
    summary="The result of a closed vote, with the published ballots",
)
def vote_result(request: HttpRequest, filters: Query[ResultFilters], vote_id: int = Path(..., ge=1, le=MAX_ID)):
    """Only after the close (409 ``vote_open`` before: no partial results). Secret votes publish every ballot
    by its receipt code; named votes publish how each representative voted. 200 ballots a page."""
    vote = selectors.vote_for(request.auth, vote_id)
    if vote.status != Vote.Status.CLOSED:
        raise ApiProblem(409, "vote_open", _("The result is published when the vote is closed."))
    ballots, cursor = selectors.published_ballots(vote, receipt=filters.receipt, after=filters.after)
    result = vote.result
    return {
        "vote_id": vote.pk,
        **{k: result[k] for k in ("outcome", "seated", "present", "participation", "quorum_met", "quorum_needed")},
        "needed": result["needed"],
        "winners": result["winners"],
        "tied": result["tied"],
        "options": result["options"],
        "ballots": [{"receipt": b.receipt, "voter": b.voter, "choices": b.choices} for b in ballots],
        "next": cursor or None,
    }


class MotionIn(Schema):
    session_id: Id
    kind: Motion.Kind
    title: str = Field(max_length=200)
    summary: str = Field("", max_length=20000)


class MotionOut(Schema):
    id: int
    session_id: int
    kind: Motion.Kind
    title: str
    summary: str
    position: int


@router.post(
    "/motions",
    response={201: MotionOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_motion_create",
    summary="Put a motion on a session's agenda",
)
def motion_new(request: HttpRequest, payload: MotionIn):
    """A deliberation item (wage plan, collective contract, welfare scheme…), by ``congress.manage``."""
    session = CongressSession.objects.filter(pk=payload.session_id).first()
    if session is None or not (
        can(request.auth, "congress.view", session) or can(request.auth, "congress.manage", session)
    ):
        raise OutOfScope()
    motion = motion_create(
        actor=request.auth, session=session, kind=payload.kind, title=payload.title, summary=payload.summary
    )
    return Status(201, motion)


class MotionFilters(Schema):
    session: int = Field(..., ge=1, le=MAX_ID)


@router.get(
    "/motions",
    response={200: list[MotionOut], 422: ValidationErrorOut, **ERRORS},
    operation_id="congress_motion_list",
    summary="The motions of a session",
)
def motion_list(request: HttpRequest, filters: Query[MotionFilters]):
    """The agenda of a session the caller can watch, in order."""
    session = CongressSession.objects.filter(pk=filters.session).first()
    if session is None or not ballot_services.can_watch(request.auth, session):
        raise OutOfScope()
    return selectors.motions_of_session(session)
