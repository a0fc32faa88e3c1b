from django.utils.functional import SimpleLazyObject

from unionhome.notify.selectors import unread_count


def unread_notifications(request):
    """``unread_notifications`` for the header: counted only when a page shows it (one indexed query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
