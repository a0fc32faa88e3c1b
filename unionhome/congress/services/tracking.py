"""After the decision (决策后监督): tracking its implementation (决策落实监督) with milestones, and the
representatives' inspections.

Once decided, the office starts the tracking (a responsible department and a target date) and adds
milestones; progress is noted on each and a milestone is marked done. A tracking is "delayed" while
some milestone is past due and not done (worked out on every change and by the daily
``tracking_sweep``). Seated representatives of the union's current congress term inspect the work and
rate it from 1 to 5 with their findings; each inspection is also a satisfaction ``Rating``
(service line "implementation of congress decisions"). When every milestone is done the office marks
the decision implemented.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.congress.models import Decision, DecisionTracking, TrackingInspection, TrackingMilestone
from unionhome.congress.ratings import DECISION_IMPLEMENTATION
from unionhome.congress.selectors.decisions import current_seat, tracking_status
from unionhome.congress.services.decisions import PERMISSION, TITLE_MAX_LENGTH, clean_text, lock, move
from unionhome.congress.services.opinion_calls import opinion_calls_close_due
from unionhome.notify.services import notification_send
from unionhome.satisfaction.services import COMMENT_MAX_LENGTH, rating_record

RESPONSIBLE_MAX_LENGTH = 100
PROGRESS_MAX_LENGTH = 2000
FINDINGS_MAX_LENGTH = 2000
RATING_COMMENT_MAX_LENGTH = COMMENT_MAX_LENGTH
SCORES = range(1, 6)
INSPECTION_ITEM_TYPE = TrackingInspection._meta.label_lower  # "congress.trackinginspection"


def _lock_tracking(tracking: DecisionTracking) -> DecisionTracking:
    return DecisionTracking.objects.select_for_update().select_related("decision").get(pk=tracking.pk)


def _require_implementing(tracking: DecisionTracking) -> None:
    if tracking.decision.stage != Decision.Stage.IMPLEMENTING:
        raise ValidationError(_("Milestones change only while the decision is being implemented."))


def _refresh_status(tracking: DecisionTracking, today: datetime.date) -> bool:
    """Store the tracking's status as the milestones say; True when it changed."""
    status = tracking_status(tracking, list(tracking.milestones.all()), today)
    if status == tracking.status:
        return False
    tracking.status = status
    tracking.save(update_fields=["status"])
    return True


@transaction.atomic
def tracking_start(*, actor, decision: Decision, responsible: str, target_on: datetime.date) -> DecisionTracking:
    """Start tracking a decided decision's implementation: who is responsible, and by when."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    old = move(decision, "start_tracking")
    errors: dict[str, str] = {}
    responsible = clean_text(
        responsible, field="responsible", max_length=RESPONSIBLE_MAX_LENGTH, required=True, errors=errors
    )
    if target_on is None:
        errors["target_on"] = _("This field is required.")
    elif target_on < timezone.localdate():
        errors["target_on"] = _("The target date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    decision.save(update_fields=["stage", "updated_at"])
    tracking = DecisionTracking.objects.create(
        decision=decision, unit_path=decision.unit_path, responsible=responsible, target_on=target_on
    )
    record(
        actor,
        "congress.tracking.started",
        decision,
        stage=[old, decision.stage],
        responsible=responsible,
        target_on=target_on.isoformat(),
    )
    return tracking


@transaction.atomic
def milestone_add(*, actor, tracking: DecisionTracking, title: str, due_on: datetime.date) -> TrackingMilestone:
    require(actor, PERMISSION, tracking)
    tracking = _lock_tracking(tracking)
    _require_implementing(tracking)
    errors: dict[str, str] = {}
    title = clean_text(title, field="title", max_length=TITLE_MAX_LENGTH, required=True, errors=errors)
    if due_on is None:
        errors["due_on"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    milestone = TrackingMilestone.objects.create(tracking=tracking, title=title, due_on=due_on)
    _refresh_status(tracking, timezone.localdate())
    record(
        actor,
        "congress.tracking.milestone_added",
        tracking,
        milestone=milestone.pk,
        title=title,
        due_on=due_on.isoformat(),
    )
    return milestone


@transaction.atomic
def milestone_update(
    *, actor, milestone: TrackingMilestone, progress_note: str = "", done: bool = False
) -> TrackingMilestone:
    """Note progress on a milestone and, when ``done``, mark it done today."""
    require(actor, PERMISSION, milestone.tracking)
    tracking = _lock_tracking(milestone.tracking)
    _require_implementing(tracking)
    milestone = TrackingMilestone.objects.select_for_update().get(pk=milestone.pk, tracking=tracking)
    if milestone.done_on is not None:
        raise ValidationError(
            _("This milestone was already done on %(date)s.") % {"date": milestone.done_on.isoformat()}
        )
    errors: dict[str, str] = {}
    note = clean_text(
        progress_note, field="progress_note", max_length=PROGRESS_MAX_LENGTH, required=False, errors=errors
    )
    if not note and not done and not errors:
        errors["progress_note"] = _("Write down the progress, or mark the milestone done.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    old_done = milestone.done_on
    if note:
        milestone.progress_note = note
    if done:
        milestone.done_on = today
    milestone.save(update_fields=["progress_note", "done_on", "updated_at"])
    _refresh_status(tracking, today)
    record(
        actor,
        "congress.tracking.milestone_updated",
        tracking,
        milestone=milestone.pk,
        done_on=[
            old_done.isoformat() if old_done else None,
            milestone.done_on.isoformat() if milestone.done_on else None,
        ],
    )
    return milestone


@transaction.atomic
def tracking_inspect(*, actor, tracking: DecisionTracking, score: int, findings: str) -> TrackingInspection:
    """A seated representative of the union's current congress term inspects the implementation and rates it.

    Once per representative and day; the score (1–5) is also a satisfaction rating of the decision's
    implementation by the representative's member record (no cadre is answerable for it)."""
    tracking = _lock_tracking(tracking)
    seat = current_seat(actor, tracking.unit_path)
    if seat is None:
        raise PermissionDenied(
            _("Only the seated representatives of this union's congress inspect the implementation.")
        )
    if tracking.decision.stage not in (Decision.Stage.IMPLEMENTING, Decision.Stage.DONE):
        raise ValidationError(_("The implementation can be inspected once it has started."))
    today = timezone.localdate()
    if TrackingInspection.objects.filter(tracking=tracking, representative=seat, inspected_on=today).exists():
        raise ValidationError(_("You have already inspected this implementation today."))
    errors: dict[str, str] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = _("Choose a rating from 1 to 5.")
    findings = clean_text(findings, field="findings", max_length=FINDINGS_MAX_LENGTH, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    inspection = TrackingInspection.objects.create(
        tracking=tracking,
        representative=seat,
        member_id=seat.member_id,
        unit_path=tracking.unit_path,
        score=score,
        findings=findings,
        inspected_on=today,
    )
    rating_record(
        service_line=DECISION_IMPLEMENTATION,
        item_type=INSPECTION_ITEM_TYPE,
        item_id=inspection.pk,
        member=seat.member,
        unit_path=seat.member.unit_path,  # where the worker is, like every rating
        cadre_id=None,
        score=score,
        comment=findings[:RATING_COMMENT_MAX_LENGTH],
    )
    # As for every rating, the trail notes that it was given, not the score.
    record(actor, "congress.tracking.inspected", tracking, inspection=inspection.pk, representative=seat.pk)
    return inspection


@transaction.atomic
def decision_complete(*, actor, decision: Decision) -> Decision:
    """Mark the decision implemented: every milestone of its tracking must be done."""
    require(actor, PERMISSION, decision)
    decision = lock(decision)
    old = move(decision, "complete")
    tracking = DecisionTracking.objects.select_for_update().filter(decision=decision).first()
    milestones = list(tracking.milestones.all()) if tracking else []
    if not milestones:
        raise ValidationError(_("Add the implementation's milestones first."))
    open_count = sum(1 for m in milestones if m.done_on is None)
    if open_count:
        raise ValidationError(
            ngettext(
                "%(count)s milestone is not done yet. Mark every milestone done first.",
                "%(count)s milestones are not done yet. Mark every milestone done first.",
                open_count,
            )
            % {"count": open_count}
        )
    decision.save(update_fields=["stage", "updated_at"])
    tracking.status = DecisionTracking.Status.DONE
    tracking.save(update_fields=["status"])
    record(actor, "congress.decision.completed", decision, stage=[old, decision.stage])
    return decision


# --- the daily sweep -----------------------------------------------------------------------------


def tracking_sweep(today: datetime.date) -> dict[str, int]:
    """The daily sweep (for the congress daily job): close opinion calls past their deadline, and set each
    implementation's status: "delayed" while a milestone is past due and not done, else "on track".
    The office member who started the decision is told once when a milestone makes it late.
    Returns ``{"calls_closed": n, "delayed": n, "back_on_track": n}``."""
    result = {"calls_closed": opinion_calls_close_due(now=timezone.now()), "delayed": 0, "back_on_track": 0}
    trackings = (
        DecisionTracking.objects.exclude(status=DecisionTracking.Status.DONE)
        .filter(decision__stage=Decision.Stage.IMPLEMENTING)
        .values_list("pk", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for pk in list(trackings):
            with transaction.atomic():
                tracking = (
                    DecisionTracking.objects.select_for_update(of=("self",))
                    .select_related("decision__created_by")
                    .get(pk=pk)
                )
                if not _refresh_status(tracking, today):
                    continue
                if tracking.status == DecisionTracking.Status.DELAYED:
                    result["delayed"] += 1
                    _tell_delayed(tracking, today)
                else:
                    result["back_on_track"] += 1
                record(None, "congress.tracking.status_changed", tracking, status=tracking.status)
    return result


def _tell_delayed(tracking: DecisionTracking, today: datetime.date) -> None:
    decision = tracking.decision
    if decision.created_by is None or not decision.created_by.is_active:
        return
    late = tracking.milestones.filter(done_on__isnull=True, due_on__lt=today).order_by("due_on", "id").first()
    notification_send(
        recipient=decision.created_by,
        kind="congress.tracking.delayed",
        title=_("Implementation delayed: %(title)s") % {"title": decision.title},
        body=_("The milestone “%(milestone)s” was due on %(due)s and is not done.")
        % {"milestone": late.title, "due": late.due_on.isoformat()}
        if late
        else "",
        url=reverse("congress:decision_detail", args=[decision.pk]),
        dedupe_key=f"congress.tracking:{tracking.pk}:delayed:{late.pk if late else 0}",
    )
