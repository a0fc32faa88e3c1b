"""The daily digest: a person's held deliveries of a channel go out as one message a day, at their hour.

Deliveries of event groups set to "daily digest" are written ``held``. From the person's digest hour
(local time) on, the minute sweep makes one digest delivery per person and channel for the day
(idempotency key ``digest:<user>:<channel>:<date>``) listing them, and marks them ``bundled`` into it.
Anything held after that day's digest waits for the next day's. Quiet hours hold a digest like any other
delivery."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.notify.models import Delivery, Preferences
from unionhome.notify.services.deliveries import deliveries_enqueue_on_commit
from unionhome.notify.timing import quiet_until

logger = logging.getLogger(__name__)
DEFAULT_DIGEST_HOUR = Preferences._meta.get_field("digest_hour").default
MAX_ITEMS = 50


def digests_build(*, now: datetime.datetime | None = None) -> int:
    """Make today's digest for everyone whose digest hour has come and who has held deliveries."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    pairs = Delivery.objects.filter(status=Delivery.Status.HELD).values_list("recipient_id", "channel").distinct()
    by_person: dict[int, set[str]] = defaultdict(set)
    for person_id, channel in pairs:
        by_person[person_id].add(channel)
    preferences = {p.user_id: p for p in Preferences.objects.filter(user_id__in=list(by_person))}
    made = 0
    for person_id, channels in by_person.items():
        prefs = preferences.get(person_id)
        if local.hour < (prefs.digest_hour if prefs else DEFAULT_DIGEST_HOUR):
            continue
        for channel in sorted(channels):
            try:
                made += _digest_one(person_id, channel, local.date(), now, prefs)
            except IntegrityError:  # another sweep made it at the same moment
                continue
    return made


@transaction.atomic
def _digest_one(person_id: int, channel: str, day: datetime.date, now, prefs: Preferences | None) -> int:
    key = f"digest:{person_id}:{channel}:{day.isoformat()}"
    if Delivery.objects.filter(idempotency_key=key).exists():
        return 0
    held = list(
        Delivery.objects.select_for_update()
        .filter(recipient_id=person_id, channel=channel, status=Delivery.Status.HELD)
        .order_by("created_at", "id")
    )
    if not held:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Your daily digest: %(count)d notification", "Your daily digest: %(count)d notifications", len(held)
        ) % {"count": len(held)}
        lines = [f"- {d.title}" for d in held[:MAX_ITEMS]]
        if len(held) > MAX_ITEMS:
            lines.append(_("… and %(count)d more in your inbox.") % {"count": len(held) - MAX_ITEMS})
    start = quiet_until(prefs.quiet_start, prefs.quiet_end, now) if prefs else None
    digest = Delivery.objects.create(
        idempotency_key=key,
        purpose=Delivery.Purpose.DIGEST,
        channel=channel,
        status=Delivery.Status.QUEUED,
        recipient_id=person_id,
        kind="notify.digest",
        title=title[:200],
        body="\n".join(lines),
        url=reverse("notify:inbox"),
        union_path=held[0].union_path,
        next_attempt_at=start or now,
    )
    Delivery.objects.filter(pk__in=[d.pk for d in held]).update(status=Delivery.Status.BUNDLED, digest=digest)
    deliveries_enqueue_on_commit([digest])
    return 1
