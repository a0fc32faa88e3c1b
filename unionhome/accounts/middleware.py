import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from unionhome.access.policy import requires_second_factor

LOGIN_TIME_KEY = "unionhome_login_at"


class SessionLimitsMiddleware:
    """End a session that outlived the absolute limit, whatever its activity (the idle limit is the cookie age)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_TIME_KEY)
            if started is None:
                request.session[LOGIN_TIME_KEY] = time.time()
            elif time.time() - started > settings.UNIONHOME_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect(f"{reverse('accounts:login')}?expired=1")
        return self.get_response(request)


class SecondFactorMiddleware:
    """Cadre and admin accounts reach nothing but the second-factor pages until they pass TOTP."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and requires_second_factor(user)
            and not user.is_verified()
        ):
            return redirect(reverse("accounts:second_factor"))
        return self.get_response(request)
