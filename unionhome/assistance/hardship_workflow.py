"""The hardship file's state machine: one explicit table, used by every transition service.

::

    draft ──submit──▶ submitted ──branch_review──▶ branch_reviewed ──approve──▶ publicity ──activate──▶ active
      ▲                  │  │                          │                        │                    │  ▲
      └──────return──────┘  └──reject──▶ rejected ◀──reject──┘       uphold_objection        re_review (continue)
                                            ▲                                   │                    │
                                            └───────────────────────────────────┘                  exit / re_review
                                                                                                     (exit) ▼
                                                                                                       exited

Each action lists the states it may start from and, per start state, who may take it (a ``Rule``:
the permission, whether it must be held on the file's union or above, whether the applicant member
may take it on their own file), the state it leads to, and its guards. ``check`` answers every
question in a fixed order, so that refusals are predictable:

1. a viewer who may not see the file at all gets ``OutOfScope`` (404, like a file that does not exist);
2. an actor who holds none of the action's permissions gets ``PermissionRefused`` (403, naming it);
3. a closed file (exited or rejected), or a state the action cannot start from: ``ValidationError``;
4. the rule for the current state: ``PermissionRefused`` when the actor does not meet it;
5. the action's guards (publicity period over, no open objection, approver is not the reviewer…):
   ``ValidationError``.

Nothing is written by ``check``; ``move`` writes the one ``FileEvent`` row of a transition (the history
the member sees) and sets the new state on the (locked) file, which the service then saves.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.assistance.models import FileEvent, HardshipFile, Objection

State = HardshipFile.State
CLOSED = frozenset({State.EXITED, State.REJECTED})


@dataclass(frozen=True)
class Rule:
    """Who may take an action from one state."""

    permission: str
    # The permission must be held on the file's union (or a federation above it), not only on the branch.
    union_level: bool = False
    # The applicant member may take the action on their own file (no permission needed then).
    applicant: bool = False


Guard = Callable[[HardshipFile, Any, datetime.date], None]


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: dict[str, Rule]
    target: str
    needs_note: bool = False  # a note or reason is required; the applicant sees it in the history
    guards: tuple[Guard, ...] = field(default=())

    @property
    def permissions(self) -> set[str]:
        """Every permission that lets someone take this action from some state."""
        return {rule.permission for rule in self.sources.values()}


# --- guards --------------------------------------------------------------------------------------


def _has_level(file: HardshipFile, actor: Any, today: datetime.date) -> None:
    if not file.level:
        raise ValidationError({"level": _("Choose the level of hardship first.")})


def _not_the_branch_reviewer(file: HardshipFile, actor: Any, today: datetime.date) -> None:
    if actor is not None and file.branch_reviewed_by_id is not None and file.branch_reviewed_by_id == actor.pk:
        raise ValidationError(_("You reviewed this file for the branch; another cadre must give the union's approval."))


def _publicity_over(file: HardshipFile, actor: Any, today: datetime.date) -> None:
    if file.publicity_ends_on is None or today <= file.publicity_ends_on:
        ends = file.publicity_ends_on.isoformat() if file.publicity_ends_on else "—"
        raise ValidationError(
            _("The publicity period runs until %(date)s; the file can be activated after it ends.") % {"date": ends}
        )


def _no_open_objection(file: HardshipFile, actor: Any, today: datetime.date) -> None:
    if Objection.objects.filter(hardship_file=file, resolution=Objection.Resolution.OPEN).exists():
        raise ValidationError(_("An objection to this file is still open; resolve it first."))


# --- the table -----------------------------------------------------------------------------------

REVIEW = Rule("assistance.review_file")
UNION_APPROVAL = Rule("assistance.approve_file", union_level=True)
APPROVAL = Rule("assistance.approve_file")

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit the application"),
            {State.DRAFT: Rule("assistance.manage_file", applicant=True)},
            State.SUBMITTED,
        ),
        Transition("return", gettext_lazy("Return to the applicant"), {State.SUBMITTED: REVIEW}, State.DRAFT, True),
        Transition(
            "branch_review",
            gettext_lazy("Pass branch review"),
            {State.SUBMITTED: REVIEW},
            State.BRANCH_REVIEWED,
            guards=(_has_level,),
        ),
        Transition(
            "reject",
            gettext_lazy("Reject"),
            {State.SUBMITTED: REVIEW, State.BRANCH_REVIEWED: UNION_APPROVAL},
            State.REJECTED,
            True,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve for the union and start publicity"),
            {State.BRANCH_REVIEWED: UNION_APPROVAL},
            State.PUBLICITY,
            guards=(_has_level, _not_the_branch_reviewer),
        ),
        Transition(
            "uphold_objection",
            gettext_lazy("Uphold the objection"),
            {State.PUBLICITY: UNION_APPROVAL},
            State.REJECTED,
            True,
        ),
        Transition(
            "activate",
            gettext_lazy("Activate"),
            {State.PUBLICITY: APPROVAL},
            State.ACTIVE,
            guards=(_publicity_over, _no_open_objection),
        ),
        Transition("re_review", gettext_lazy("Record the annual re-review"), {State.ACTIVE: APPROVAL}, State.ACTIVE),
        Transition("exit", gettext_lazy("Exit hardship"), {State.ACTIVE: APPROVAL}, State.EXITED, True),
    ]
}

# Actions a person picks from the file's page (``uphold_objection`` is taken by resolving an objection).
PAGE_ACTIONS = ["submit", "branch_review", "approve", "activate", "re_review", "return", "reject", "exit"]


OTHER_LABELS = {"open": gettext_lazy("Opened")}


def action_label(action: str) -> str:
    """How an action is named in the file's history."""
    if action in TRANSITIONS:
        return str(HISTORY_LABELS.get(action, TRANSITIONS[action].label))
    return str(OTHER_LABELS.get(action, action))


HISTORY_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "return": gettext_lazy("Returned to the applicant"),
    "branch_review": gettext_lazy("Passed branch review"),
    "reject": gettext_lazy("Rejected"),
    "approve": gettext_lazy("Approved by the union; publicity started"),
    "uphold_objection": gettext_lazy("Objection upheld; rejected"),
    "activate": gettext_lazy("Activated"),
    "re_review": gettext_lazy("Annual re-review"),
    "exit": gettext_lazy("Exited hardship"),
}


def is_applicant(actor: Any, file: HardshipFile) -> bool:
    member_id = getattr(actor, "member_id", None)
    return member_id is not None and member_id == file.member_id


def may_see(actor: Any, file: HardshipFile) -> bool:
    """The applicant, or a cadre holding ``assistance.view_file`` on the file's unit."""
    return is_applicant(actor, file) or can(actor, "assistance.view_file", file)


def meets(actor: Any, file: HardshipFile, rule: Rule) -> bool:
    if rule.applicant and is_applicant(actor, file):
        return True
    if is_applicant(actor, file):  # nobody decides on their own file
        return False
    target = file.union if rule.union_level else file
    return can(actor, rule.permission, target)


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def check(
    actor: Any, file: HardshipFile, action: str, *, today: datetime.date, system: bool = False, guards: bool = True
) -> Transition:
    """Raise unless ``actor`` may take ``action`` on ``file`` now; returns the transition. Writes nothing.

    ``system`` (the daily publicity sweep, no actor) skips the permission questions, not the guards.
    ``guards=False`` stops before the guards, for a service that first applies its input (a level chosen
    at review) and then calls ``run_guards``."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    if not system:
        if not may_see(actor, file):
            raise OutOfScope()
        applicant_may = is_applicant(actor, file) and any(r.applicant for r in transition.sources.values())
        if not applicant_may and not any(can(actor, p, file) for p in transition.permissions):
            raise PermissionRefused(sorted(transition.permissions)[0])
    if file.state in CLOSED:
        raise ValidationError(
            _("This file is closed (%(state)s); nothing more can be done with it.")
            % {"state": _state_label(file.state)}
        )
    rule = transition.sources.get(file.state)
    if rule is None:
        raise ValidationError(
            _("“%(action)s” is not possible while the file is “%(state)s”.")
            % {"action": transition.label, "state": _state_label(file.state)}
        )
    if not system and not meets(actor, file, rule):
        if is_applicant(actor, file):
            raise ValidationError(_("You cannot decide on your own file; another cadre must do it."))
        raise PermissionRefused(rule.permission)
    if guards:
        run_guards(actor, file, transition, today=today)
    return transition


def run_guards(actor: Any, file: HardshipFile, transition: Transition, *, today: datetime.date) -> None:
    for guard in transition.guards:
        guard(file, actor, today)


def available(actor: Any, file: HardshipFile) -> list[Transition]:
    """The page actions this actor could take on the file in its current state (guards not evaluated)."""
    if file.state in CLOSED:
        return []
    out = []
    for action in PAGE_ACTIONS:
        transition = TRANSITIONS[action]
        rule = transition.sources.get(file.state)
        if rule is not None and meets(actor, file, rule):
            out.append(transition)
    return out


def move(actor: Any, file: HardshipFile, transition: Transition, *, note: str = "") -> FileEvent:
    """Set the file's new state and write the transition's history row (the caller saves the file)."""
    event = FileEvent.objects.create(
        file=file,
        action=transition.action,
        from_state=file.state,
        to_state=transition.target,
        note=note[:500],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    file.state = transition.target
    return event
