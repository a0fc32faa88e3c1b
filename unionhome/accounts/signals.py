import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from unionhome.audit.recorder import record


@receiver(user_logged_in)
def remember_session(sender, request, user, **kwargs):
    """Note the new session (so a password change or a disabled account can end it) and when it started."""
    from unionhome.accounts.middleware import LOGIN_TIME_KEY
    from unionhome.accounts.services import session_remember

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME_KEY] = time.time()
        if request.session.session_key is None:
            request.session.save()
        session_remember(user=user, session_key=request.session.session_key)
        record(user, "accounts.logged_in", user)
