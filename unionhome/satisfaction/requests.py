"""Asking the served worker for a rating, in their inbox, when a service is completed.

``rating_request(item)`` is called by the features at the moment an item becomes ready to rate (an assistance
delivered, a visit done, an education-aid payment made…), after their transaction commits::

    transaction.on_commit(lambda: rating_request(visit), robust=True)

For an item registered in ``ratable.py`` everything is found from its registration (the served member, the
ready filter, the rating page ``satisfaction:rate``, the line naming it). An item rated on its feature's own
page (an appeal's answer, a proposal's reply: their ratings decide a reopening or a re-handling) is passed
with the member and that page: ``rating_request(appeal, url=..., title=...)`` (``member`` defaults to
``item.member``). So a new service line needs no change here.

The request leaves the site (by email or robot when the member chose them), so it names the item neutrally:
``Ratable.notice_of`` (the line's label and the served date by default, no occasion, child or kind), or the
``title`` the caller passes for an unregistered item (a callable is called in the site language, e.g.
"your appeal of 2026-11-20"). The detailed ``describe`` stays on the signed-in pages.

Each item is asked about once (``RatingRequest``, unique per item, and the notification's dedupe key): a
retry, a reopened case closed again or the daily catch-up never asks twice. Anonymous items
(``is_anonymous``) and members without an active account are never asked. The notification (kind
``satisfaction.rating.request``, group "Satisfaction ratings" in the notify preferences) is written in the
site language, as every notification (accounts keep no language of their own).

``rating_requests_catch_up(today=)`` is the daily sweep (``tasks.DAILY_SWEEPS``): registered items served in
the last ``CATCH_UP_DAYS`` days, ready, not rated and never asked about (imported, or completed while the
notification could not be sent) are asked about, at most ``CATCH_UP_LIMIT`` per run, newest first.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.notify.services import notification_send
from unionhome.satisfaction.models import Rating, RatingRequest
from unionhome.satisfaction.ratable import Ratable, ratable_for, ratable_types
from unionhome.satisfaction.service_lines import service_line_label

logger = logging.getLogger(__name__)

NOTIFY_KIND = "satisfaction.rating.request"
CATCH_UP_DAYS = 30
CATCH_UP_LIMIT = 500


def dedupe_key(item_type: str, item_id: int) -> str:
    return f"satisfaction.rating.request:{item_type}:{item_id}"


@dataclass(frozen=True)
class Ask:
    """Who is asked about which item, with what line and link."""

    item_type: str
    item_id: int
    member_id: int
    title: str  # neutral: it may leave the site by email or robot
    url: str
    line: str = ""  # the service line's label, when the item is a registered ratable


def _registered_ask(ratable: Ratable, item: Any) -> Ask | None:
    member_id = ratable.member_id_of(item)
    if member_id is None:
        return None
    return Ask(
        item_type=ratable.item_type,
        item_id=item.pk,
        member_id=member_id,
        title=ratable.notice_of(item),
        url=ratable.rate_url(item),
        line=service_line_label(ratable.service_line),
    )


def rating_request(item: Any, *, member: Any = None, url: str = "", title: str | Callable[[], str] = "") -> bool:
    """Ask the member served by ``item`` to rate it, once; True when a notification was sent now.

    A registered ratable is asked about only when it is ready (its registration's filter) and not rated yet,
    and named by ``notice_of``. Any other item needs ``url`` (the page where it is rated); ``member`` defaults
    to ``item.member`` and ``title`` (a neutral name, or a callable giving it in the site language) to the
    item's own text. Anonymous items, items with no member and members without an active account are never
    asked about."""
    if item is None or item.pk is None or getattr(item, "is_anonymous", False):
        return False
    ratable = ratable_for(item)
    with translation.override(settings.LANGUAGE_CODE):
        if ratable is not None:
            if not ratable.is_ready(item):
                return False
            ask = _registered_ask(ratable, item)
        else:
            if not url:
                raise ValueError(f"{item._meta.label_lower} is not a registered ratable: pass the page to rate it.")
            member = member if member is not None else getattr(item, "member", None)
            name = (title() if callable(title) else title) or str(item)
            ask = Ask(item._meta.label_lower, item.pk, member.pk, name, url) if member is not None else None
        return _send(ask, check_rated=ratable is not None) if ask is not None else False


def _active_user(member_id: int):
    return get_user_model().objects.filter(member_id=member_id, is_active=True).first()


@transaction.atomic
def _send(ask: Ask, *, check_rated: bool, user: Any = None) -> bool:
    """Record the request and put it in the member's inbox, both or neither."""
    user = user or _active_user(ask.member_id)
    if user is None:
        return False
    if check_rated and Rating.objects.filter(item_type=ask.item_type, item_id=ask.item_id).exists():
        return False
    try:
        with transaction.atomic():
            RatingRequest.objects.create(item_type=ask.item_type, item_id=ask.item_id, member_id=ask.member_id)
    except IntegrityError:  # asked already (a retry, a reopened case, two workers at once)
        return False
    title, body = request_texts(ask)
    sent = notification_send(
        recipient=user,
        kind=NOTIFY_KIND,
        title=title,
        body=body,
        url=ask.url,
        dedupe_key=dedupe_key(ask.item_type, ask.item_id),
    )
    return sent is not None


def request_texts(ask: Ask) -> tuple[str, str]:
    """The notification's title and body, in the active language."""
    title = _("Please rate: %(item)s") % {"item": ask.title}
    body = _(
        "How satisfied are you with this service? Give it 1 to 5 stars and, if you like, a comment. "
        "Cadres see only totals, never who gave which score."
    )
    if ask.line:
        body = f"{ask.line}: {body}"
    return title[:200], body


def rating_requests_catch_up(*, today: datetime.date | None = None) -> int:
    """Ask about the registered items that became ready without a request (at most ``CATCH_UP_LIMIT`` a run,
    the newest first, served within ``CATCH_UP_DAYS`` days of ``today``); how many were asked about.
    One query per registered model to find them, then a few per item asked about."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=CATCH_UP_DAYS)
    left = CATCH_UP_LIMIT
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for ratable in ratable_types():
            if left <= 0 or not ratable.served_on_field:
                continue
            for item in _waiting(ratable, since, today, left):
                left -= 1
                ask = _registered_ask(ratable, item)
                user = getattr(getattr(item, ratable.member_field), "user", None)
                try:
                    sent += bool(ask and _send(ask, check_rated=False, user=user))
                except Exception:  # one bad item must not stop the sweep
                    logger.exception("Could not ask for the rating of %s #%s", ratable.item_type, item.pk)
    return sent


def _waiting(ratable: Ratable, since: datetime.date, today: datetime.date, limit: int) -> list:
    """Ready items served in [since, today], to a member with an active account, neither rated nor asked about."""
    rated = Rating.objects.filter(item_type=ratable.item_type).values("item_id")
    asked = RatingRequest.objects.filter(item_type=ratable.item_type).values("item_id")
    served = ratable.served_on_field
    is_datetime = ratable.model._meta.get_field(served).get_internal_type() == "DateTimeField"
    lookup = f"{served}__date" if is_datetime else served
    member = ratable.member_field
    return list(
        ratable.model._default_manager.filter(ratable.ready)
        .filter(**{f"{lookup}__gte": since, f"{lookup}__lte": today, f"{member}__user__is_active": True})
        .exclude(pk__in=rated)
        .exclude(pk__in=asked)
        .select_related(f"{member}__user", *ratable.select_related)
        .order_by(f"-{served}", "-pk")[:limit]
    )
