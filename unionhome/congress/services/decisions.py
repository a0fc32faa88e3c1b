"""Decisions (决策前建议、决策中参与、决策后监督): the thread that follows one matter from the opinion call on
its draft, through the congress motion that decides it and the notice that announces it, to the
supervision of its implementation.

The decision's stage moves only through the explicit table ``TRANSITIONS`` below::

    consulting ──link_motion──▶ deliberating ──decide──▶ decided ──start_tracking──▶ implementing ──complete──▶ done
        │                          │  ▲ (re-link)
        └──────────drop────────────┴──┴──▶ dropped

Guards: a motion is linked only while no opinion call still takes comments and only a motion of the
decision's own union; "decided" needs a closed vote on that motion whose outcome is "passed";
"done" needs every milestone of the tracking done. Opinion calls live in ``opinion_calls.py`` and the
implementation tracking in ``tracking.py``; both use ``move`` from here.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import can, require
from unionhome.audit.recorder import record
from unionhome.congress.models import Decision, Motion, OpinionCall, Vote
from unionhome.disclosure.models import Notice
from unionhome.org.models import OrgUnit

PERMISSION = "congress.manage_decisions"
TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 1000

Stage = Decision.Stage


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    target: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "link_motion",
            gettext_lazy("Put to a congress motion"),
            frozenset({Stage.CONSULTING, Stage.DELIBERATING}),
            Stage.DELIBERATING,
        ),
        Transition("decide", gettext_lazy("Mark as decided"), frozenset({Stage.DELIBERATING}), Stage.DECIDED),
        Transition(
            "start_tracking",
            gettext_lazy("Start tracking the implementation"),
            frozenset({Stage.DECIDED}),
            Stage.IMPLEMENTING,
        ),
        Transition("complete", gettext_lazy("Mark as implemented"), frozenset({Stage.IMPLEMENTING}), Stage.DONE),
        Transition("drop", gettext_lazy("Drop"), frozenset({Stage.CONSULTING, Stage.DELIBERATING}), Stage.DROPPED),
    )
}
# A notice announcing the decision can be linked once it is decided.
NOTICE_STAGES = frozenset({Stage.DECIDED, Stage.IMPLEMENTING, Stage.DONE})


def allowed(decision: Decision, action: str) -> bool:
    return decision.stage in TRANSITIONS[action].sources


def move(decision: Decision, action: str) -> str:
    """Check that ``action`` may start from the decision's stage and set the new stage (not saved)."""
    transition = TRANSITIONS[action]
    if decision.stage not in transition.sources:
        raise ValidationError(
            _("“%(action)s” cannot be done while the decision is at the stage “%(stage)s”.")
            % {"action": transition.label, "stage": decision.get_stage_display()}
        )
    old = decision.stage
    decision.stage = transition.target
    return old


def clean_text(value: str | None, *, field: str, max_length: int, required: bool, errors: dict) -> str:
    """Trimmed text without NUL; adds a message for ``field`` to ``errors`` when empty or too long."""
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > max_length:
        errors[field] = _("Use at most %(max_length)s characters.") % {"max_length": max_length}
    return text


def lock(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


@transaction.atomic
def decision_create(*, actor, union: OrgUnit, title: str, summary: str = "") -> Decision:
    """Start a decision thread on a union (the congress office or the chair of that union)."""
    require(actor, PERMISSION, union)
    errors: dict[str, str] = {}
    if union.kind != OrgUnit.Kind.UNION:
        errors["union"] = _("A decision belongs to a union, not to a branch or a group.")
    title = clean_text(title, field="title", max_length=TITLE_MAX_LENGTH, required=True, errors=errors)
    summary = clean_text(summary, field="summary", max_length=SUMMARY_MAX_LENGTH, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(unit=union, unit_path=union.path, title=title, summary=summary, created_by=actor)
    record(actor, "congress.decision.created", decision, title=title)
    return decision


@transaction.atomic
def decision_link_motion(*, actor, decision: Decision, motion: Motion) -> Decision:
    """Put the decision to a motion of a congress session of the same union: stage "before the congress".

    Refused while an opinion call still takes (or is yet to take) comments."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    if not motion.unit_path.startswith(decision.unit_path):
        raise ValidationError({"motion": _("Choose a motion of this union's congress.")})
    require(actor, PERMISSION, motion)
    if OpinionCall.objects.filter(
        decision=decision, status=OpinionCall.Status.OPEN, closes_at__gt=timezone.now()
    ).exists():
        raise ValidationError(
            _("An opinion call on this decision is still open. Wait for its deadline or close it first.")
        )
    old_motion = decision.motion_id
    old = move(decision, "link_motion")
    decision.motion = motion
    decision.save(update_fields=["motion", "stage", "updated_at"])
    record(
        actor, "congress.decision.motion_linked", decision, motion=[old_motion, motion.pk], stage=[old, decision.stage]
    )
    return decision


def passed_vote(motion_id: int | None) -> Vote | None:
    """The latest closed vote on the motion whose outcome is "passed", if any."""
    if motion_id is None:
        return None
    return (
        Vote.objects.filter(
            motion_id=motion_id, kind=Vote.Kind.MOTION, status=Vote.Status.CLOSED, outcome=Vote.Outcome.PASSED
        )
        .order_by("-closed_at", "-id")
        .first()
    )


@transaction.atomic
def decision_mark_decided(*, actor, decision: Decision) -> Decision:
    """Mark the decision decided: its motion must have a closed vote that passed."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    old = move(decision, "decide")
    vote = passed_vote(decision.motion_id)
    if vote is None:
        raise ValidationError(
            _("The congress has not passed the motion yet: there is no closed vote on it with the outcome “passed”.")
        )
    decision.save(update_fields=["stage", "updated_at"])
    record(actor, "congress.decision.decided", decision, stage=[old, decision.stage], vote=vote.pk if vote else None)
    return decision


@transaction.atomic
def decision_link_notice(*, actor, decision: Decision, notice: Notice) -> Decision:
    """Link the published disclosure notice (厂务公开) that announces the decision."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    if decision.stage not in NOTICE_STAGES:
        raise ValidationError(_("Link the notice once the decision has been decided."))
    if not notice.unit_path.startswith(decision.unit_path) or not can(actor, PERMISSION, notice):
        raise ValidationError({"notice": _("Choose a notice of this union.")})
    if notice.status != Notice.Status.PUBLISHED:
        raise ValidationError({"notice": _("Choose a notice that has been published.")})
    old_notice = decision.notice_id
    decision.notice = notice
    decision.save(update_fields=["notice", "updated_at"])
    record(actor, "congress.decision.notice_linked", decision, notice=[old_notice, notice.pk])
    return decision


@transaction.atomic
def decision_drop(*, actor, decision: Decision, reason: str) -> Decision:
    """Drop a decision before it is decided (the draft was withdrawn or the motion failed), with a reason."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    errors: dict[str, str] = {}
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    old = move(decision, "drop")
    note = _("Dropped: %(reason)s") % {"reason": reason}
    decision.summary = f"{decision.summary}\n\n{note}".strip()
    decision.save(update_fields=["stage", "summary", "updated_at"])
    record(actor, "congress.decision.dropped", decision, stage=[old, decision.stage], reason=reason)
    return decision
