"""Session limits, the second factor and the forced password change, enforced on every request."""

import datetime
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from unionhome.access.policy import requires_second_factor

LOGIN_TIME_KEY = "unionhome_login_at"

# Paths any session may reach whatever step of the login it is at.
OPEN_PREFIXES = ("/static/", "/i18n/", "/jsi18n/", "/favicon")
API_PREFIX = "/api/"


def _redirect(request, url: str) -> HttpResponse:
    """A redirect that htmx follows as a full page load instead of swapping the login page into a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _with_next(url: str, request, **extra: str) -> str:
    params = dict(extra)
    if request.method == "GET":
        params["next"] = request.get_full_path()
    return f"{url}?{urlencode(params)}" if params else url


class SessionLimitsMiddleware:
    """End sessions that are too old or were ended elsewhere, and send the browser to the login page with a message.

    The idle limit is the session's own expiry (``SESSION_COOKIE_AGE``), renewed here once it has run down
    by ``UNIONHOME_SESSION_RENEW_SECONDS`` (``accounts/sessions.py``); the absolute limit
    (``UNIONHOME_SESSION_ABSOLUTE_SECONDS``) counts from the login whatever the activity. A request that
    still carries a session cookie whose session is gone (idle expiry, a password change or a disabled
    account elsewhere) is sent to the login page too, instead of landing on a bare "log in" page or posting
    a form into the void.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_TIME_KEY)
            now = time.time()
            if started is None:
                request.session[LOGIN_TIME_KEY] = now
            elif now - started > settings.UNIONHOME_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self._ended(request)
        elif self._session_gone(request):
            return self._ended(request)
        response = self.get_response(request)
        self._renew(request)
        return response

    @staticmethod
    def _renew(request) -> None:
        """Save a signed-in session again (a new idle expiry) once its expiry has run down by the renewal
        interval; ``SessionMiddleware`` writes it on the way out."""
        session = request.session
        expiry = getattr(session, "stored_expiry", None)
        if expiry is None or session.modified or not request.user.is_authenticated:
            return
        keep = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - settings.UNIONHOME_SESSION_RENEW_SECONDS)
        if expiry - timezone.now() < keep:
            session.modified = True

    @staticmethod
    def _session_gone(request) -> bool:
        cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # Loading an expired or deleted session leaves the store without a key.
        return bool(cookie) and request.session.session_key is None

    def _ended(self, request) -> HttpResponse:
        login_url = reverse("accounts:login")
        if request.path.startswith(API_PREFIX) or request.path.startswith(OPEN_PREFIXES) or request.path == login_url:
            # The API answers 401 itself; the login page and static files need no session.
            if request.user.is_authenticated:
                request.user = AnonymousUser()
            return self.get_response(request)
        return _redirect(request, _with_next(login_url, request, expired="1"))


class SecondFactorMiddleware:
    """Cadre and admin accounts reach nothing but the login, second-factor and logout pages until they pass TOTP.

    Under ``/api/`` such a half-logged-in session counts as anonymous: only a bearer token (which needs the
    code too) or a verified session opens the API.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and requires_second_factor(user) and not user.is_verified():
            if request.path.startswith(API_PREFIX):
                request.user = AnonymousUser()
            elif not request.path.startswith(OPEN_PREFIXES) and request.path not in _login_paths():
                return _redirect(request, _with_next(reverse("accounts:second_factor"), request))
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account given a one-time password reaches nothing but the password page until it chooses its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            if request.path.startswith(API_PREFIX):
                request.user = AnonymousUser()
            elif not request.path.startswith(OPEN_PREFIXES) and request.path not in _password_change_paths():
                return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)


def _login_paths() -> set[str]:
    """The pages of the login journey itself."""
    return {reverse("accounts:login"), reverse("accounts:logout"), reverse("accounts:second_factor")}


def _password_change_paths() -> set[str]:
    return {*_login_paths(), reverse("accounts:password_change")}
