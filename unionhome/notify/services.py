"""Sending notifications. Call ``notification_send`` from a service; it writes the inbox row now and
leaves delivery by email to the task worker once the transaction commits."""

from typing import Any

from django.db import IntegrityError, transaction

from unionhome.notify.models import Notification


def notification_send(
    *, recipient: Any, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Put a notification in ``recipient``'s inbox (once per ``dedupe_key`` when one is given).

    Returns the notification, or None when one with the same ``dedupe_key`` was already sent.
    Titles and bodies are stored as given: translate them in the recipient's language before calling.
    """
    if dedupe_key and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title[:200], body=body, url=url[:300], dedupe_key=dedupe_key
            )
    except IntegrityError:  # the same reminder sent at the same moment by another worker
        return None
    return notification
