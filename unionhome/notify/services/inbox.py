"""The inbox: sending a notification (and planning its deliveries) and marking notifications read."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.notify.models import Notification
from unionhome.notify.services.deliveries import deliveries_plan


def notification_send(
    *, recipient: Any, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Put a notification in ``recipient``'s inbox (once per ``dedupe_key`` when one is given).

    Returns the notification, or None when one with the same ``dedupe_key`` was already sent.
    Titles and bodies are stored as given: translate them in the recipient's language before calling.
    In the same transaction it writes one ``Delivery`` per external channel the recipient chose for the
    event group (``kind`` up to the first dot); the task worker sends them once the transaction commits
    (nothing is sent for a change that is rolled back, and no web request waits for a channel).
    """
    if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title[:200], body=body, url=url[:300], dedupe_key=dedupe_key
            )
            deliveries_plan(notification, recipient)
    except IntegrityError:  # the same reminder sent at the same moment by another worker
        return None
    return notification


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (nobody else's: that is ``OutOfScope``)."""
    if actor is None or notification.recipient_id != actor.pk:
        raise OutOfScope
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("Log in to read your notifications."))
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
