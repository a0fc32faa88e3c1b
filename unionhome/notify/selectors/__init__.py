"""Every read of notifications: a person's own inbox and preferences; deliveries and robots for admins."""

from unionhome.notify.selectors.inbox import (
    PAGE_SIZE,
    inbox_for,
    inbox_page,
    notification_for,
    unread_count,
)

__all__ = ["PAGE_SIZE", "inbox_for", "inbox_page", "notification_for", "unread_count"]
