"""The proposal's state machine (提案): one explicit table, used by every proposal service.

::

    suggested ──adopt──▶ draft ──submit──▶ seconding ──send_for_review──▶ submitted ──accept──▶ accepted
                                             (second ↺)                      │  │                  │
                                                                  convert ◀──┘  └──▶ merge      refer
                                                                  (final)           (final)       ▼
                      closed ◀──rate (satisfied / basically)── replied ◀──reply── referred
                        ▲                                      │   ▲
                        └──time_out (no rating in time)────────┘   └──reply── rehandling ◀──send_back (dissatisfied)

Each action lists the states it may start from, who may take it and its guards:

- ``PROPOSER``: the proposal's representative (``proposal.proposer``), by their member record;
- ``REPRESENTATIVE``: a seated representative of the session's term (not the proposer, for seconding);
- ``REVIEWER``: ``congress.review_proposals`` on the proposal's unit (the proposal committee);
- ``HANDLER``: a handler of the department the proposal is referred to;
- ``SYSTEM``: the daily sweep only.

``check`` answers in a fixed order, so that refusals are predictable:

1. a viewer who may not see the proposal gets ``OutOfScope`` (404);
2. an actor who is not who the action needs gets ``PermissionRefused`` (403) with a message naming why
   (the missing permission, or "not referred to your department"…);
3. a final proposal (closed, converted, merged) or a state the action cannot start from: ``ValidationError``;
4. the action's guards (proposals still open for the session, enough seconders…): ``ValidationError``.

Nothing is written by ``check``; ``move`` writes the ``ProposalEvent`` (the history the proposer sees,
with its reason) and sets the new state on the locked proposal, which the service saves.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.congress.models import CongressSession, HandlingDepartment, Proposal, ProposalEvent, Representative
from unionhome.congress.seats import seat_in

Status = Proposal.Status
FINAL = frozenset({Status.CLOSED, Status.CONVERTED, Status.MERGED})
# Representatives of the term see every proposal except drafts (suggestions, so that they can adopt them).
PRIVATE = frozenset({Status.DRAFT})
# A department records implementation progress from the referral on.
PROGRESS_STATES = frozenset({Status.REFERRED, Status.REPLIED, Status.REHANDLING, Status.CLOSED})

PROPOSER = "proposer"
REPRESENTATIVE = "representative"
REVIEWER = "reviewer"
HANDLER = "handler"
SYSTEM = "system"
REVIEW_PERMISSION = "congress.review_proposals"
VIEW_PERMISSION = "congress.view_proposals"


class ActionRefused(PermissionRefused):
    """A 403 whose message says why (not the proposer, not your department…) rather than a permission."""

    def __init__(self, message: str):
        self.permission = ""
        PermissionDenied.__init__(self, message)


Guard = Callable[[Proposal, Any, datetime.datetime], None]


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    target: str
    who: str
    needs_note: bool = False  # a reason is required; the proposer sees it in the history
    guards: tuple[Guard, ...] = field(default=())


# --- who is who ----------------------------------------------------------------------------------


def is_proposer(actor: Any, proposal: Proposal) -> bool:
    member_id = getattr(actor, "member_id", None)
    return member_id is not None and proposal.proposer_id is not None and proposal.proposer.member_id == member_id


def is_author(actor: Any, proposal: Proposal) -> bool:
    member_id = getattr(actor, "member_id", None)
    return member_id is not None and proposal.author_id == member_id


def is_handler(actor: Any, proposal: Proposal) -> bool:
    if proposal.department_id is None or not getattr(actor, "is_authenticated", False):
        return False
    return HandlingDepartment.handlers.through.objects.filter(
        handlingdepartment_id=proposal.department_id, user_id=actor.pk
    ).exists()


def may_see(actor: Any, proposal: Proposal) -> bool:
    """The author or proposer; cadres with ``congress.view_proposals`` on its unit; seated representatives
    of the term (all but drafts); handlers of the department it is referred to."""
    if is_author(actor, proposal) or is_proposer(actor, proposal):
        return True
    if can(actor, VIEW_PERMISSION, proposal):
        return True
    if proposal.status not in PRIVATE and seat_in(actor, proposal.session.congress_id) is not None:
        return True
    return is_handler(actor, proposal)


def _refuse_who(actor: Any, proposal: Proposal, transition: Transition) -> None:
    who = transition.who
    if who == REVIEWER:
        if not can(actor, REVIEW_PERMISSION, proposal):
            raise PermissionRefused(REVIEW_PERMISSION)
    elif who == PROPOSER:
        if not is_proposer(actor, proposal):
            raise ActionRefused(_("Only the proposer can do this."))
    elif who == HANDLER:
        if not is_handler(actor, proposal):
            raise ActionRefused(_("This proposal is not referred to your department; only its handlers can reply."))
    elif who == REPRESENTATIVE:
        if seat_in(actor, proposal.session.congress_id) is None:
            raise ActionRefused(_("Only seated representatives of this congress term can do this."))
    elif who == SYSTEM:
        raise ActionRefused(_("This happens automatically."))


# --- guards --------------------------------------------------------------------------------------


def proposals_open(session: CongressSession, now: datetime.datetime) -> bool:
    if session.status == CongressSession.Status.CLOSED:
        return False
    return session.proposals_close_at is None or now < session.proposals_close_at


def require_open(session: CongressSession, now: datetime.datetime) -> None:
    if proposals_open(session, now):
        return
    if session.status != CongressSession.Status.CLOSED and session.proposals_close_at is not None:
        moment = formats.date_format(timezone.localtime(session.proposals_close_at), "Y-m-d H:i")
        raise ValidationError(
            _("Proposals for this session closed at %(moment)s.") % {"moment": moment}, code="proposals_closed"
        )
    raise ValidationError(_("This session is closed; it takes no more proposals."), code="proposals_closed")


def _open(proposal: Proposal, actor: Any, now: datetime.datetime) -> None:
    require_open(proposal.session, now)


def _proposer_seated(proposal: Proposal, actor: Any, now: datetime.datetime) -> None:
    if proposal.proposer is None or proposal.proposer.status != Representative.Status.SEATED:
        raise ValidationError(_("The proposer is no longer a seated representative."), code="not_seated")


def _not_the_proposer(proposal: Proposal, actor: Any, now: datetime.datetime) -> None:
    if is_proposer(actor, proposal):
        raise ValidationError(_("You cannot second your own proposal."), code="own_proposal")


def seconders_needed(proposal: Proposal) -> int:
    return proposal.session.congress.min_seconders


def _enough_seconders(proposal: Proposal, actor: Any, now: datetime.datetime) -> None:
    needed, has = seconders_needed(proposal), proposal.secondings.count()
    if has < needed:
        raise ValidationError(
            _("This proposal needs %(needed)d seconders, it has %(has)d.") % {"needed": needed, "has": has},
            code="needs_seconders",
        )


def _has_department(proposal: Proposal, actor: Any, now: datetime.datetime) -> None:
    if proposal.department_id is None:
        raise ValidationError(_("This proposal has no handling department."), code="no_department")


# --- the table -----------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "adopt",
            gettext_lazy("Adopt as my proposal"),
            frozenset({Status.SUGGESTED}),
            Status.DRAFT,
            REPRESENTATIVE,
            guards=(_open,),
        ),
        Transition(
            "submit",
            gettext_lazy("Submit and open for seconding"),
            frozenset({Status.DRAFT}),
            Status.SECONDING,
            PROPOSER,
            guards=(_open, _proposer_seated),
        ),
        Transition(
            "second",
            gettext_lazy("Second this proposal"),
            frozenset({Status.SECONDING}),
            Status.SECONDING,
            REPRESENTATIVE,
            guards=(_open, _not_the_proposer),
        ),
        Transition(
            "send_for_review",
            gettext_lazy("Send for review"),
            frozenset({Status.SECONDING}),
            Status.SUBMITTED,
            PROPOSER,
            guards=(_open, _proposer_seated, _enough_seconders),
        ),
        Transition(
            "accept", gettext_lazy("Accept (立案)"), frozenset({Status.SUBMITTED}), Status.ACCEPTED, REVIEWER, True
        ),
        Transition(
            "convert",
            gettext_lazy("Convert to a suggestion"),
            frozenset({Status.SUBMITTED}),
            Status.CONVERTED,
            REVIEWER,
            True,
        ),
        Transition(
            "merge",
            gettext_lazy("Merge into another proposal"),
            frozenset({Status.SUBMITTED}),
            Status.MERGED,
            REVIEWER,
            True,
        ),
        Transition(
            "refer",
            gettext_lazy("Refer to a department"),
            frozenset({Status.ACCEPTED}),
            Status.REFERRED,
            REVIEWER,
        ),
        Transition(
            "reply",
            gettext_lazy("Reply"),
            frozenset({Status.REFERRED, Status.REHANDLING}),
            Status.REPLIED,
            HANDLER,
            guards=(_has_department,),
        ),
        Transition("rate", gettext_lazy("Rate the reply"), frozenset({Status.REPLIED}), Status.CLOSED, PROPOSER),
        Transition(
            "send_back",
            gettext_lazy("Dissatisfied: send back for re-handling"),
            frozenset({Status.REPLIED}),
            Status.REHANDLING,
            PROPOSER,
            True,
        ),
        Transition(
            "time_out",
            gettext_lazy("Close without a rating"),
            frozenset({Status.REPLIED}),
            Status.CLOSED,
            SYSTEM,
        ),
    ]
}

HISTORY_LABELS = {
    "draft": gettext_lazy("Drafted"),
    "suggest": gettext_lazy("Suggested by a member"),
    "adopt": gettext_lazy("Adopted by a representative"),
    "submit": gettext_lazy("Submitted; open for seconding"),
    "send_for_review": gettext_lazy("Sent for review"),
    "accept": gettext_lazy("Accepted (立案)"),
    "convert": gettext_lazy("Converted to a suggestion"),
    "merge": gettext_lazy("Merged into another proposal"),
    "refer": gettext_lazy("Referred to a department"),
    "reply": gettext_lazy("Replied"),
    "rate": gettext_lazy("Rated by the proposer"),
    "send_back": gettext_lazy("Sent back for re-handling"),
    "rating_change": gettext_lazy("Rating changed by the proposer"),
    "time_out": gettext_lazy("Closed: no rating in time"),
    "escalate": gettext_lazy("Reply overdue: escalated to the congress office"),
}


def action_label(action: str) -> str:
    return str(HISTORY_LABELS.get(action, action))


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def check(
    actor: Any, proposal: Proposal, action: str, *, now: datetime.datetime | None = None, system: bool = False
) -> Transition:
    """Raise unless ``actor`` may take ``action`` on ``proposal`` now; returns the transition. Writes nothing.

    ``system`` (the daily sweep, no actor) skips the questions about who, not the guards."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    now = now or timezone.now()
    if not system:
        if not may_see(actor, proposal):
            raise OutOfScope()
        _refuse_who(actor, proposal, transition)
    elif transition.who != SYSTEM and actor is None:
        raise ActionRefused(_("This needs a person."))
    if proposal.status in FINAL:
        raise ValidationError(
            _("This proposal is %(status)s; nothing more can be done with it.")
            % {"status": status_label(proposal.status)},
            code="final",
        )
    if proposal.status not in transition.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the proposal is “%(status)s”.")
            % {"action": transition.label, "status": status_label(proposal.status)},
            code="wrong_state",
        )
    for guard in transition.guards:
        guard(proposal, actor, now)
    return transition


def available(actor: Any, proposal: Proposal) -> list[str]:
    """Actions this actor could take now (who and state only; guards are answered on submitting)."""
    if proposal.status in FINAL:
        return []
    out = []
    for action, transition in TRANSITIONS.items():
        if transition.who == SYSTEM or proposal.status not in transition.sources:
            continue
        try:
            _refuse_who(actor, proposal, transition)
        except PermissionDenied:
            continue
        if action == "second" and is_proposer(actor, proposal):
            continue
        out.append(action)
    return out


def may_record_progress(actor: Any, proposal: Proposal) -> bool:
    return proposal.status in PROGRESS_STATES and is_handler(actor, proposal)


def move(actor: Any, proposal: Proposal, transition: Transition, *, note: str = "") -> ProposalEvent:
    """Set the new status and write the transition's history row (the caller saves the proposal)."""
    event = ProposalEvent.objects.create(
        proposal=proposal,
        action=transition.action,
        from_status=proposal.status,
        to_status=transition.target,
        note=note[:2000],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    proposal.status = transition.target
    return event
