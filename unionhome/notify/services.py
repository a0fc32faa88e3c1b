"""Sending notifications. Call ``notification_send`` from a service; it writes the inbox row now and
leaves delivery by email to the task worker once the transaction commits."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope
from unionhome.notify.models import Notification

# Emails that could not be sent are tried again by the hourly retry for this long.
EMAIL_RETRY_WINDOW = datetime.timedelta(days=1)
# …but not before the first attempt had a fair chance to run.
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=10)


def notification_send(
    *, recipient: Any, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> Notification | None:
    """Put a notification in ``recipient``'s inbox (once per ``dedupe_key`` when one is given).

    Returns the notification, or None when one with the same ``dedupe_key`` was already sent.
    Titles and bodies are stored as given: translate them in the recipient's language before calling.
    When the recipient gave an email address, the task worker also emails it once this transaction
    commits (nothing is sent for a change that is rolled back).
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
    if getattr(recipient, "email", ""):
        from unionhome.notify.tasks import email_notification

        transaction.on_commit(lambda: email_notification.enqueue(notification.pk))
    return notification


# --- Email ---------------------------------------------------------------------------------------


def _email_text(notification: Notification) -> tuple[str, str]:
    subject = " ".join(notification.title.split())  # no line breaks in a mail header
    parts = [notification.body.strip()] if notification.body.strip() else []
    if notification.url and settings.UNIONHOME_SITE_URL and notification.url.startswith("/"):
        parts.append(_("Open it in UnionHome: %(url)s") % {"url": settings.UNIONHOME_SITE_URL + notification.url})
    parts.append(
        "-- \n"
        + _(
            "You receive this email because you gave this address to UnionHome for notifications. "
            "You can change or remove it on your account page."
        )
    )
    return subject, "\n\n".join(parts)


def notification_email(*, notification_id: int) -> bool:
    """Email one notification to its recipient, once. Run by the task worker after the sending commit.

    Returns False when there is nothing to send (already emailed, no address, gone). The row is
    claimed (``emailed_at`` set) before the mail server is called and released if sending fails, so
    two workers never send it twice and no transaction stays open while the mail server answers."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    address = notification.recipient.email
    if not address or not notification.recipient.is_active:
        return False
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject, text = _email_text(notification)
        EmailMessage(subject=subject, body=text, to=[address]).send(fail_silently=False)
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def notification_emails_retry(*, now: datetime.datetime | None = None) -> int:
    """Queue again the emails of recent notifications that were not sent (the mail server was down).

    Run hourly by the scheduler; returns how many were queued."""
    from unionhome.notify.tasks import email_notification

    now = now or timezone.now()
    pending = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__gte=now - EMAIL_RETRY_WINDOW,
            created_at__lte=now - EMAIL_RETRY_AFTER,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in pending:
        email_notification.enqueue(pk)
    return len(pending)


# --- The inbox -----------------------------------------------------------------------------------


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
