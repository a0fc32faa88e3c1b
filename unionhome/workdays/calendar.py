"""Counting in working days: weekends off, with the configured exceptions of ``CalendarDay``.

A deadline of *n* working days from a moment is the same time of day on the *n*-th working day after
the moment's day. A moment on a day off counts from the start (00:00) of the next working day, so
something sent on Saturday with one working day to answer is due at the end of Monday (Tuesday 00:00).
All of this is in the union's local time zone (``TIME_ZONE``).
"""

import datetime
import time

from django.utils import timezone

from unionhome.workdays.models import CalendarDay

SATURDAY = 5
# No calendar has this many days off in a row; a guard against a misconfigured calendar looping forever.
MAX_DAYS_OFF_IN_A_ROW = 60


# Each process keeps a year's exceptions for a minute: a change made in one process reaches the others
# (web workers, the task worker) within that minute, and the process that made it at once.
CACHE_SECONDS = 60
_cache: dict[int, tuple[float, dict[datetime.date, bool]]] = {}


def _exceptions_for(year: int) -> dict[datetime.date, bool]:
    cached = _cache.get(year)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    days = CalendarDay.objects.filter(date__year__in=(year - 1, year, year + 1)).values_list("date", "kind")
    exceptions = {day: kind == CalendarDay.Kind.WORKING for day, kind in days}
    _cache[year] = (now, exceptions)
    return exceptions


def calendar_changed() -> None:
    """Forget the cached exceptions (called by the services that change the calendar, and by tests)."""
    _cache.clear()


def is_working_day(day: datetime.date) -> bool:
    exceptions = _exceptions_for(day.year)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < SATURDAY


def next_working_day(day: datetime.date) -> datetime.date:
    """The first working day strictly after ``day``."""
    for _ in range(MAX_DAYS_OFF_IN_A_ROW):
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            return day
    raise ValueError("the calendar has no working day in the next 60 days")


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """``moment`` plus ``days`` working days (see the module's rule); ``days`` >= 1."""
    if days < 1:
        raise ValueError("count at least one working day")
    local = timezone.localtime(moment)
    day, time_of_day = local.date(), local.time()
    if not is_working_day(day):
        day, time_of_day = next_working_day(day), datetime.time(0, 0)
    for _ in range(days):
        day = next_working_day(day)
    return timezone.make_aware(datetime.datetime.combine(day, time_of_day), local.tzinfo)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
