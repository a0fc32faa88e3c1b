"""Sending one delivery, once: claim, call the channel, record the outcome. Run by the task worker only.

1. **Claim** with one conditional UPDATE (``queued`` and due → ``sending``, attempts + 1, ``claimed_at``):
   atomic on both databases, so of two workers (or a task run twice) exactly one gets the row.
2. Mark ``call_started_at``, then **call the channel** with no transaction open.
3. **Finish** with an UPDATE guarded by the claim: ``sent``; or, on a temporary failure, ``queued`` again
   after a backoff (a new task with ``run_after``), ``failed`` with the reason after the last attempt; or
   ``failed`` at once on a permanent failure.

A worker that stops (crash, kill, power) leaves the row ``sending``. The minute sweep
(``deliveries_sweep``) decides, once the claim is older than ``UNIONHOME_NOTIFY_CLAIM_TIMEOUT_SECONDS``:
the call had not started (``call_started_at`` empty) → nothing left the server, ``queued`` again; the call
had started → the message may or may not have arrived, so the delivery becomes ``uncertain`` and is
**never** sent again by itself: an admin reads the reason and resends by hand (``delivery_resend``).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.notify.channels import ChannelFailure, Outgoing, PermanentFailure, TemporaryFailure
from unionhome.notify.channels.email import send_email
from unionhome.notify.channels.robots import send_robot
from unionhome.notify.conf import setting
from unionhome.notify.models import Channel, Delivery, Preferences
from unionhome.notify.services.deliveries import deliveries_enqueue
from unionhome.notify.timing import backoff_delay

logger = logging.getLogger(__name__)
Status = Delivery.Status


class _Cancelled(Exception):
    """Nothing to send to any more (the channel was removed, the account disabled, the robot deleted)."""


def delivery_attempt(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt at a delivery; returns what happened: sent, retry, failed, cancelled, uncertain, or
    skipped (not queued, not due, or claimed by another worker)."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, call_started_at=None
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("recipient", "robot").get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING, claimed_at=now)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            call = _channel_call(delivery)
        except _Cancelled as exc:
            mine.update(status=Status.CANCELLED, last_error=str(exc)[:500], next_attempt_at=None)
            return "cancelled"
        mine.update(call_started_at=timezone.now())
        try:
            call()
        except TemporaryFailure as failure:
            return _after_temporary_failure(delivery, mine, failure)
        except PermanentFailure as failure:
            mine.update(status=Status.FAILED, last_error=failure.reason, next_attempt_at=None)
            return "failed"
        except Exception as exc:  # noqa: BLE001  (unknown: it may have been sent, so never again by itself)
            logger.exception("Delivery %s: unexpected error during the channel call", delivery.pk)
            reason = _("Unexpected error during the call (%(error)s): it may or may not have arrived.") % {
                "error": exc.__class__.__name__
            }
            mine.update(status=Status.UNCERTAIN, last_error=reason[:500], next_attempt_at=None)
            return "uncertain"
    mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None)
    return "sent"


def _after_temporary_failure(delivery: Delivery, mine, failure: ChannelFailure) -> str:
    attempts = delivery.attempts
    if attempts >= setting("UNIONHOME_NOTIFY_MAX_ATTEMPTS"):
        reason = _("Gave up after %(count)d attempts. Last error: %(reason)s") % {
            "count": attempts,
            "reason": failure.reason,
        }
        mine.update(status=Status.FAILED, last_error=reason[:500], next_attempt_at=None)
        return "failed"
    later = timezone.now() + backoff_delay(attempts)
    if mine.update(status=Status.QUEUED, last_error=failure.reason, next_attempt_at=later, call_started_at=None):
        deliveries_enqueue([(delivery.pk, later)])
    return "retry"


def _message(delivery: Delivery) -> Outgoing:
    return Outgoing(delivery.title, delivery.body, delivery.url, delivery.idempotency_key)


def _channel_call(delivery: Delivery):
    """What to call for this delivery, resolved now (a person may have changed their channels since)."""
    message = _message(delivery)
    if delivery.purpose == Delivery.Purpose.ROBOT:
        robot = delivery.robot
        if robot is None:
            raise _Cancelled(_("The robot was deleted."))
        if not robot.enabled:
            raise _Cancelled(_("The robot is switched off."))
        return lambda: send_robot(robot.platform, robot.webhook, robot.secret, message)
    person = delivery.recipient
    if person is None or not person.is_active:
        raise _Cancelled(_("The account is disabled."))
    if delivery.channel == Channel.EMAIL:
        if not person.email:
            raise _Cancelled(_("The person removed their email address."))
        return lambda: send_email(person.email, message)
    preferences = Preferences.objects.filter(user_id=person.pk).first()
    if delivery.channel == Channel.WECOM and preferences and preferences.wecom_webhook:
        return lambda: send_robot(Channel.WECOM, preferences.wecom_webhook, "", message)
    if delivery.channel == Channel.DINGTALK and preferences and preferences.dingtalk_webhook:
        return lambda: send_robot(Channel.DINGTALK, preferences.dingtalk_webhook, preferences.dingtalk_secret, message)
    raise _Cancelled(_("The person removed this robot from their preferences."))


# --- The minute sweep ----------------------------------------------------------------------------------


def deliveries_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Interrupted claims and lost tasks (see the module docstring). Run every minute by the scheduler."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=setting("UNIONHOME_NOTIFY_CLAIM_TIMEOUT_SECONDS"))
    with translation.override(settings.LANGUAGE_CODE):
        before_call = _("The worker stopped before calling the channel; nothing was sent. Queued again.")
        during_call = _(
            "The worker stopped during the call to the channel: the message may or may not have arrived. "
            "Check with the recipient, then resend by hand if it is missing."
        )
    interrupted = Delivery.objects.filter(status=Status.SENDING, claimed_at__lte=stale)
    requeued_ids = list(interrupted.filter(call_started_at__isnull=True).values_list("pk", flat=True)[:limit])
    Delivery.objects.filter(pk__in=requeued_ids, status=Status.SENDING, call_started_at__isnull=True).update(
        status=Status.QUEUED, next_attempt_at=now, last_error=before_call
    )
    uncertain = interrupted.filter(call_started_at__isnull=False).update(
        status=Status.UNCERTAIN, last_error=during_call, next_attempt_at=None
    )
    lost = _lost(now, limit)
    deliveries_enqueue([(pk, None) for pk in [*requeued_ids, *lost]])
    return {"requeued": len(requeued_ids), "uncertain": uncertain, "lost": len(lost)}


def _lost(now: datetime.datetime, limit: int) -> list[int]:
    """Queued deliveries due a while ago whose task is neither waiting nor running."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    overdue = now - datetime.timedelta(seconds=setting("UNIONHOME_NOTIFY_LOST_AFTER_SECONDS"))
    rows = list(
        Delivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", "task_id")[:limit]
    )
    task_ids = [task_id for _, task_id in rows if task_id]
    live = {
        str(pk)
        for pk in DBTaskResult.objects.filter(
            id__in=task_ids, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).values_list("id", flat=True)
    }
    return [pk for pk, task_id in rows if task_id not in live]


# --- Resending by hand -----------------------------------------------------------------------------------


@transaction.atomic
def delivery_resend(*, actor, delivery: Delivery) -> Delivery:
    """Give a failed, uncertain or cancelled delivery one more attempt (the same delivery, the same key:
    still sent at most once more). ``notify.view_deliveries`` on it (else 403 / 404)."""
    from django.core.exceptions import ValidationError

    from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
    from unionhome.audit.recorder import record
    from unionhome.notify.selectors.deliveries import deliveries_for

    if not has_permission_anywhere(actor, "notify.view_deliveries"):
        raise PermissionRefused("notify.view_deliveries")
    locked = deliveries_for(actor).select_for_update().filter(pk=delivery.pk).first()
    if locked is None:
        raise OutOfScope
    if not locked.resendable:
        raise ValidationError(_("Only a failed, uncertain or unsent delivery can be sent again."))
    now = timezone.now()
    previous = locked.status
    Delivery.objects.filter(pk=locked.pk).update(
        status=Status.QUEUED, next_attempt_at=now, resent_by=actor, resent_at=now, claimed_at=None
    )
    locked.refresh_from_db()
    record(actor, "notify.delivery.resent", locked, channel=locked.channel, status=[previous, Status.QUEUED])
    transaction.on_commit(lambda: deliveries_enqueue([(locked.pk, None)]))
    return locked
