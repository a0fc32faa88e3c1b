"""The caller's own inbox: a page of notifications, the unread count, marking one or all read."""

import datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, TimeCursor
from unionhome.notify import selectors, services
from unionhome.notify.models import Notification

router = Router(tags=["notifications"])

ERRORS = {401: ErrorOut}
MAX_PAGE_SIZE = 100


class InboxFilters(Schema):
    unread: bool = Field(False, description="Only notifications not yet read.")
    after: TimeCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class NotificationOut(Schema):
    id: int
    kind: str = Field(description='What it is about, e.g. "assistance.follow_up.due".')
    title: str
    body: str
    url: str = Field(description="The page it points to (a path on this site), or empty.")
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class InboxOut(Schema):
    items: list[NotificationOut]
    unread_count: int
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class UnreadOut(Schema):
    unread_count: int


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were marked read now.")
    unread_count: int


def notification_out(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get(
    "/inbox",
    response={200: InboxOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="notify_inbox",
    summary="The caller's own notifications",
)
def inbox(request: HttpRequest, filters: Query[InboxFilters]):
    """The caller's inbox, newest first, a page at a time (keyset), with the number still unread."""
    viewer = request.auth
    page = selectors.inbox_page(selectors.inbox_for(viewer, unread_only=filters.unread), filters.after, filters.limit)
    return {
        "items": [notification_out(n) for n in page.items],
        "unread_count": selectors.unread_count(viewer),
        "next": page.next_cursor,
    }


@router.get(
    "/unread-count",
    response={200: UnreadOut, **ERRORS},
    operation_id="notify_unread_count",
    summary="How many of the caller's notifications are unread",
)
def unread(request: HttpRequest):
    """One indexed count, cheap enough to poll."""
    return {"unread_count": selectors.unread_count(request.auth)}


@router.post(
    "/inbox/read-all",
    response={200: MarkedOut, **ERRORS},
    operation_id="notify_mark_all_read",
    summary="Mark all the caller's notifications read",
)
def mark_all_read(request: HttpRequest):
    """Every unread notification of the caller becomes read; says how many."""
    viewer = request.auth
    marked = services.notifications_mark_all_read(actor=viewer)
    return {"marked": marked, "unread_count": selectors.unread_count(viewer)}


@router.post(
    "/inbox/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="notify_mark_read",
    summary="Mark a notification read",
)
def mark_read(request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    """Mark one of the caller's notifications read (again is fine); anyone else's is 404."""
    viewer = request.auth
    found = selectors.notification_for(viewer, notification_id)
    return notification_out(services.notification_mark_read(actor=viewer, notification=found))
