"""Making deliveries: which channels a notification goes to, and queueing them for the worker.

Called inside the sending transaction. The worker's task is queued on commit; if queueing fails (or the
worker loses the task) the delivery stays ``queued`` and the minute sweep queues it again, so a message
is never lost and a web request never waits for a channel."""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from unionhome.audit.recorder import union_path_of_person
from unionhome.notify.events import event_group
from unionhome.notify.models import Channel, Delivery, Notification, Preferences
from unionhome.notify.timing import quiet_until

logger = logging.getLogger(__name__)


def available_channels(user, preferences: Preferences | None) -> list[str]:
    """The channels a person has set up: an email address, a WeCom or a DingTalk robot webhook."""
    channels = [Channel.EMAIL.value] if user.email else []
    if preferences is not None and preferences.wecom_webhook:
        channels.append(Channel.WECOM.value)
    if preferences is not None and preferences.dingtalk_webhook:
        channels.append(Channel.DINGTALK.value)
    return channels


def group_choice(preferences: Preferences | None, group: str) -> tuple[list[str], bool]:
    """(channels chosen, daily digest) for an event group; by default every channel, at once."""
    choice = (preferences.groups if preferences is not None else {}).get(group)
    if not isinstance(choice, dict):
        return list(Channel.values), False
    channels = [c for c in choice.get("channels", []) if c in Channel.values]
    return channels, bool(choice.get("digest", False))


def channels_for(user, preferences: Preferences | None, group: str) -> tuple[list[str], bool]:
    """The channels a notification of ``group`` goes to for ``user`` (chosen and set up), and whether
    they wait for the daily digest."""
    chosen, digest = group_choice(preferences, group)
    have = available_channels(user, preferences)
    return [c for c in Channel.values if c in chosen and c in have], digest


def deliveries_plan(notification: Notification, recipient) -> list[Delivery]:
    """Write the deliveries of a new notification per the recipient's preferences (inside its transaction)."""
    if not recipient.is_active:
        return []
    preferences = Preferences.objects.filter(user_id=recipient.pk).first()
    channels, digest = channels_for(recipient, preferences, event_group(notification.kind))
    if not channels:
        return []
    now = timezone.now()
    start = quiet_until(preferences.quiet_start, preferences.quiet_end, now) if preferences else None
    union_path = union_path_of_person(recipient)
    rows = [
        Delivery(
            idempotency_key=f"notification:{notification.pk}:{channel}",
            purpose=Delivery.Purpose.PERSONAL,
            channel=channel,
            status=Delivery.Status.HELD if digest else Delivery.Status.QUEUED,
            recipient=recipient,
            notification=notification,
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            url=notification.url,
            union_path=union_path,
            next_attempt_at=None if digest else (start or now),
        )
        for channel in channels
    ]
    made = Delivery.objects.bulk_create(rows)
    deliveries_enqueue_on_commit(d for d in made if d.status == Delivery.Status.QUEUED)
    return made


def deliveries_enqueue_on_commit(deliveries: Iterable[Delivery]) -> None:
    due = [(d.pk, d.next_attempt_at) for d in deliveries]
    if due:
        transaction.on_commit(lambda: deliveries_enqueue(due))


def deliveries_enqueue(due: list[tuple[int, datetime.datetime | None]]) -> None:
    """Queue the worker's task for each (delivery id, not before). A failure is logged, never raised: the
    delivery stays queued and the sweep picks it up."""
    from unionhome.notify.tasks import deliver

    now = timezone.now()
    for pk, when in due:
        try:
            task = deliver.using(run_after=when) if when is not None and when > now else deliver
            result = task.enqueue(pk)
            Delivery.objects.filter(pk=pk).update(task_id=str(result.id)[:64])
        except Exception:  # noqa: BLE001  (the sweep queues it again; a request must not fail for this)
            logger.exception("Could not queue delivery %s; the sweep will", pk)
