"""When to try: backoff between attempts and the end of a person's quiet hours (local time)."""

import datetime
import random

from django.utils import timezone

from unionhome.notify.conf import setting


def backoff_delay(attempts: int, rng: random.Random | None = None) -> datetime.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: exponential, capped, with jitter.

    ``BACKOFF * 2**(attempts-1)`` seconds, at most ``BACKOFF_MAX``, times a random factor in [0.5, 1]
    so that many deliveries failing together (a channel down) do not all come back at the same second."""
    base = setting("UNIONHOME_NOTIFY_BACKOFF_SECONDS")
    cap = setting("UNIONHOME_NOTIFY_BACKOFF_MAX_SECONDS")
    seconds = min(cap, base * 2 ** max(0, attempts - 1))
    return datetime.timedelta(seconds=seconds * (rng or random).uniform(0.5, 1.0))


def quiet_until(start: datetime.time | None, end: datetime.time | None, now: datetime.datetime):
    """The end of the quiet period ``now`` falls in (aware), or None when ``now`` is not in quiet hours.

    Quiet hours are local times; ``start`` after ``end`` spans midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    today_end = timezone.make_aware(datetime.datetime.combine(local.date(), end))
    if start < end:
        return today_end if start <= t < end else None
    if t >= start:
        return timezone.make_aware(datetime.datetime.combine(local.date() + datetime.timedelta(days=1), end))
    if t < end:
        return today_end
    return None
