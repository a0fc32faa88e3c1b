"""The appeal's state machine (职工诉求): one explicit table, used by the appeals and handling services.

::

              submit                 acknowledge / reply
    (new) ──────────▶ submitted ───────────────────────▶ acknowledged
                        │  ▲ transfer, escalate,           │  transfer, escalate, reply,
                        │  └ follow_up (stay)               │  follow_up (stay)
                        │                                   │
                        ├──close──────────▶ closed ◀──close─┘
                        │                   │  ▲ rate (stays closed)
                        │        reopen     │  │
                        │   (within window) ▼  │ close
                        │                reopened ──acknowledge / reply──▶ acknowledged
                        │
                        └──withdraw (from any open state)──▶ withdrawn (final)

``transition(appeal, action)`` answers only *whether the appeal's state allows the action* (and the
action's guards, such as the reopening window); who may act is the services' question (the submitter
for submit/withdraw/follow_up/rate/reopen, the routed handler or a supervisor for the rest, the hourly
sweep for escalate). It sets ``appeal.status`` to the new status and returns it; the caller saves the
appeal and writes its ``AppealEvent``.

``submit`` starts a new appeal: call it on the unsaved appeal (``appeal.pk is None``), before creating it.
Every other action needs a saved appeal. A first reply acknowledges an appeal that was not acknowledged.
A closed appeal is not final: its submitter may rate it, and reopen it until ``reopen_until``. A
withdrawn appeal is final.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from unionhome.voices.models import Appeal

Status = Appeal.Status
# The state of an appeal that is not saved yet (only ``submit`` starts from it).
NEW = "new"
OPEN = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED, Status.REOPENED})
FINAL = frozenset({Status.WITHDRAWN})
# ``target`` of a transition that keeps the appeal's status.
STAY = None

Guard = Callable[[Appeal, datetime.datetime], None]


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    guards: tuple[Guard, ...] = field(default=())


def _within_reopen_window(appeal: Appeal, now: datetime.datetime) -> None:
    if appeal.reopen_until is None or now > appeal.reopen_until:
        if appeal.reopen_until is None:
            raise ValidationError(_("This appeal can no longer be reopened."), code="reopen_closed")
        moment = formats.date_format(timezone.localtime(appeal.reopen_until), "Y-m-d H:i")
        raise ValidationError(
            _("This appeal could be reopened until %(moment)s; that time has passed.") % {"moment": moment},
            code="reopen_closed",
        )


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("submit", gettext_lazy("Submit"), frozenset({NEW}), Status.SUBMITTED),
        Transition(
            "acknowledge",
            gettext_lazy("Acknowledge"),
            frozenset({Status.SUBMITTED, Status.REOPENED}),
            Status.ACKNOWLEDGED,
        ),
        # A first reply acknowledges; later replies keep the appeal being handled.
        Transition("reply", gettext_lazy("Reply"), OPEN, Status.ACKNOWLEDGED),
        Transition("transfer", gettext_lazy("Transfer"), OPEN, STAY),
        Transition("escalate", gettext_lazy("Escalate"), OPEN, STAY),
        Transition("close", gettext_lazy("Answer and close"), OPEN, Status.CLOSED),
        Transition("rate", gettext_lazy("Rate the answer"), frozenset({Status.CLOSED}), STAY),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            frozenset({Status.CLOSED}),
            Status.REOPENED,
            guards=(_within_reopen_window,),
        ),
        Transition("withdraw", pgettext_lazy("appeal action", "Withdraw"), OPEN, Status.WITHDRAWN),
        Transition("follow_up", gettext_lazy("Write to the handler"), OPEN, STAY),
    ]
}
ACTIONS = tuple(TRANSITIONS)


def state_of(appeal: Appeal) -> str:
    """The machine's state of ``appeal``: ``NEW`` before it is saved, else its status."""
    return NEW if appeal.pk is None else appeal.status


def status_label(status: str) -> str:
    if status == NEW:
        return _("not sent yet")
    return str(Status(status).label) if status in Status.values else status


def check(appeal: Appeal, action: str, *, now: datetime.datetime | None = None) -> Transition:
    """Raise ``ValidationError`` unless ``appeal``'s state allows ``action`` now; writes nothing."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    state = state_of(appeal)
    if state in FINAL:
        raise ValidationError(
            _("This appeal is “%(status)s”; nothing more can be done with it.") % {"status": status_label(state)},
            code="final",
        )
    if state not in transition.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the appeal is “%(status)s”.")
            % {"action": transition.label, "status": status_label(state)},
            code="wrong_state",
        )
    now = now or timezone.now()
    for guard in transition.guards:
        guard(appeal, now)
    return transition


def can_transition(appeal: Appeal, action: str, *, now: datetime.datetime | None = None) -> bool:
    """Whether ``action`` is possible on ``appeal`` now (its state and the action's guards)."""
    try:
        check(appeal, action, now=now)
    except ValidationError:
        return False
    return True


def transition(appeal: Appeal, action: str, *, now: datetime.datetime | None = None) -> str:
    """Move ``appeal`` by ``action``: sets ``appeal.status`` (not saved) and returns the new status.

    Raises ``ValidationError`` (code ``unknown_action``, ``final``, ``wrong_state`` or a guard's code)
    with a translated message, changing nothing."""
    step = check(appeal, action, now=now)
    if step.target is not STAY:
        appeal.status = step.target
    return appeal.status


def available(appeal: Appeal, actions: tuple[str, ...] = ACTIONS, *, now: datetime.datetime | None = None) -> list[str]:
    """Which of ``actions`` are possible on ``appeal`` now (for showing buttons)."""
    return [action for action in actions if can_transition(appeal, action, now=now)]
