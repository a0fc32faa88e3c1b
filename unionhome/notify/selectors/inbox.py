"""Reads of a person's own notifications: nobody reads another's inbox."""

from django.db.models import QuerySet

from unionhome.access.policy import OutOfScope
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.notify.models import Notification

PAGE_SIZE = 30


def inbox_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_for(user, pk: int) -> Notification:
    """One of the user's own notifications; ``OutOfScope`` (404) for anyone else's."""
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if notification is None:
        raise OutOfScope
    return notification


def inbox_page(notifications: QuerySet[Notification], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """Newest first, by keyset (``created_at``, ``id``)."""
    return time_keyset_page(notifications, cursor, field="created_at", size=size)
