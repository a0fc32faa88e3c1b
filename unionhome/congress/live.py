"""The live turnout fragment of a vote, and the fast path that answers it before the heavy middleware.

Why a fast path: in a congress hall every voter keeps the vote page open, and the page polls its
turnout fragment (htmx, about every 3 s). 2,000 phones make about 670 requests a second. Through the
whole middleware stack each costs about 3 ms of CPU (the session loaded and saved again, the user,
their roles, the second-factor and password checks, messages, axes…): more than two cores for a
number that changes once a second. See ``bench/RESULTS.md`` ("Issue 4") for the measurements.

What the fast path answers: ``GET /congress/votes/<id>/live/`` from a signed-in **member of the vote's
union** whose account needs no second factor and no password change (the representatives and the
workers watching), with exactly the fragment the view renders, from the per-process counts that
``selectors.vote_live`` keeps for one second. Everything else goes on to the full stack unchanged,
which answers as it always did: no session cookie, an unknown, expired or ended session, a cadre or
administrator (second factor), a member of another union, a vote that does not exist, any other path
or method. The fast path never refuses anything itself; it only serves the plain, allowed case.

How the session is checked, by the same rules as the full stack: the session row exists and has not
expired; its user id, backend and session auth hash match an active account (a password change ends
it); the absolute session limit (``UNIONHOME_SESSION_ABSOLUTE_SECONDS``) has not passed. The result is
remembered in this process for ``RECHECK_SECONDS``: a session ended elsewhere (logout, password change,
account disabled) can still read the turnout counts for at most that long, and nothing else (the
counts are public to the union's members and carry no personal data). The full stack renews the idle
expiry once it has run down by a minute (``accounts/sessions.py``); here the renewal is written when the session
is checked and at most once every ``RENEW_SECONDS``, so watching the live page keeps the session alive
as before without a database write per poll.

Each answer asks for the next poll after 2.5 to 3.5 s (3 s on average, as before), at random: phones
that opened the page together (the chair opens the vote and every page reloads) drift apart instead of
polling in lockstep.
"""

import datetime
import random
import re
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare

from unionhome.congress.selectors.votes import Live

LIVE_PATH = re.compile(r"^/congress/votes/([0-9]{1,18})/live/$")
RECHECK_SECONDS = 15
RENEW_SECONDS = 300
POLL_MS = (2500, 3500)
POLL_PLACEHOLDER = "__poll__"
_CACHE_LIMIT = 20_000


def poll_interval() -> str:
    return f"{random.randint(*POLL_MS)}ms"


def _fragment(vote_id: int, live: Live) -> str:
    return render_to_string(
        "congress/votes/live.html", {"vote": {"pk": vote_id}, "live": live, "poll": POLL_PLACEHOLDER}
    )


_rendered: dict[tuple, str] = {}


def live_response(vote_id: int, live: Live, seen: str | None) -> HttpResponse:
    """The fragment for ``live`` in the active language (cached per process: it changes once a second),
    with a jittered poll interval; ``HX-Refresh`` when the status is no longer the one the page ``seen``."""
    key = (vote_id, live, translation.get_language())
    body = _rendered.get(key)
    if body is None:
        if len(_rendered) > 1000:
            _rendered.clear()
        body = _rendered[key] = _fragment(vote_id, live)
    response = HttpResponse(body.replace(POLL_PLACEHOLDER, poll_interval()))
    if seen is not None and live.status != seen:
        response["HX-Refresh"] = "true"
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Viewer:
    """A session found valid for the fast path: whose, in which unit, until when it is trusted."""

    unit_path: str  # the member's unit ("" when the account is not a member: never served here)
    checked_until: float  # time.monotonic()


_viewers: dict[str, Viewer] = {}
_lock = threading.Lock()


def _check_session(session_key: str) -> Viewer | None:
    """The session's viewer if the fast path may serve it (see the module doc), else None."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from unionhome.access.policy import requires_second_factor
    from unionhome.accounts.middleware import LOGIN_TIME_KEY

    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db", "unionhome.accounts.sessions"):
        return None
    now = timezone.now()
    row = (
        Session.objects.filter(session_key=session_key, expire_date__gt=now)
        .values_list("session_data", "expire_date")
        .first()
    )
    if row is None:
        return None
    data = SessionStore().decode(row[0])
    backend_path = data.get(BACKEND_SESSION_KEY)
    if SESSION_KEY not in data or backend_path not in settings.AUTHENTICATION_BACKENDS or "_session_expiry" in data:
        return None
    user = load_backend(backend_path).get_user(data[SESSION_KEY])
    session_hash = data.get(HASH_SESSION_KEY) or ""
    if user is None or not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    started = data.get(LOGIN_TIME_KEY)
    if started is None or time.time() - started > settings.UNIONHOME_SESSION_ABSOLUTE_SECONDS:
        return None
    if user.must_change_password or not user.member_id or requires_second_factor(user):
        return None
    unit_path = user.member.unit_path
    renew_from = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - RENEW_SECONDS)
    if row[1] < renew_from:  # the idle expiry, renewed as the full stack would (but not on every poll)
        Session.objects.filter(session_key=session_key).update(
            expire_date=now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )
    return Viewer(unit_path, time.monotonic() + RECHECK_SECONDS)


def viewer_of(session_key: str) -> Viewer | None:
    viewer = _viewers.get(session_key)
    if viewer is not None and viewer.checked_until > time.monotonic():
        return viewer
    viewer = _check_session(session_key)
    with _lock:
        if viewer is None:
            _viewers.pop(session_key, None)
        else:
            if len(_viewers) >= _CACHE_LIMIT:
                _viewers.clear()
            _viewers[session_key] = viewer
    return viewer


def forget_viewers() -> None:
    """Drop every remembered session of this process (tests; a logout in this process)."""
    with _lock:
        _viewers.clear()


class LiveTurnoutMiddleware:
    """Answer the live turnout fragment for a plain signed-in member before the session, auth, OTP,
    messages and axes middleware (placed right after the security and CSP middleware, which still add
    their headers). Anything it does not serve passes on untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            match = LIVE_PATH.match(request.path_info)
            if match:
                response = self._serve(request, int(match.group(1)))
                if response is not None:
                    return response
        return self.get_response(request)

    @staticmethod
    def _serve(request: HttpRequest, vote_id: int) -> HttpResponse | None:
        from unionhome.congress.selectors.votes import vote_live_by_id

        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not session_key or len(session_key) > 40:
            return None
        viewer = viewer_of(session_key)
        if viewer is None:
            return None
        live = vote_live_by_id(vote_id)
        if live is None or not live.unit_path or not viewer.unit_path.startswith(live.unit_path):
            return None
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = live_response(vote_id, live, request.GET.get("seen"))
        response["Content-Language"] = language
        response["Vary"] = "Cookie, Accept-Language"
        return response


def on_logout(sender, request, user, **kwargs) -> None:
    """A logout in this process ends the fast path for that session at once (other processes: within
    ``RECHECK_SECONDS``)."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        with _lock:
            _viewers.pop(key, None)


user_logged_out.connect(on_logout, dispatch_uid="congress-live-forget-session")
