"""Reads of a person's own notifications: nobody reads another's inbox."""

import datetime

from django.db.models import Q, QuerySet

from unionhome.access.policy import OutOfScope
from unionhome.notify.models import Notification
from unionhome.org.selectors import KeysetPage, decode_cursor, encode_cursor

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


def _decode(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    values = decode_cursor(cursor) if cursor else None
    if values is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(values[0])
    except ValueError:
        return None
    return (moment, values[1]) if moment.tzinfo is not None else None


def valid_cursor(cursor: str) -> bool:
    return _decode(cursor) is not None


def inbox_page(notifications: QuerySet[Notification], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """Newest first, by keyset (``created_at``, ``id``)."""
    after = _decode(cursor)
    if after is not None:
        moment, pk = after
        notifications = notifications.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    rows = list(notifications[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].pk]) if more and rows else None
    return KeysetPage(rows, next_cursor, has_previous=after is not None)
