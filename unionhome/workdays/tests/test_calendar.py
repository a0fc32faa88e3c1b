"""The working-day calendar, with hypothesis over dates: deadlines never land on a day off; weekends,
configured holidays and swapped working days are respected; n working days is monotonic."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionhome.workdays.calendar import (
    add_working_days,
    calendar_changed,
    is_working_day,
    next_working_day,
    working_days_between,
)
from unionhome.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db
YEAR = st.dates(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def configure(holidays: set, working: set) -> None:
    CalendarDay.objects.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, kind="holiday") for d in holidays]
        + [CalendarDay(date=d, kind="working") for d in working - holidays]
    )
    calendar_changed()


def test_the_2025_national_day_schedule():
    # 2025: 1-8 October off; Sunday 28 September and Saturday 11 October are working days.
    configure(
        {datetime.date(2025, 10, d) for d in range(1, 9)}, {datetime.date(2025, 9, 28), datetime.date(2025, 10, 11)}
    )
    assert is_working_day(datetime.date(2025, 9, 28)) and not is_working_day(datetime.date(2025, 10, 6))
    assert next_working_day(datetime.date(2025, 9, 30)) == datetime.date(2025, 10, 9)
    moment = timezone.make_aware(datetime.datetime(2025, 9, 30, 15, 0))
    assert add_working_days(moment, 1) == timezone.make_aware(datetime.datetime(2025, 10, 9, 15, 0))
    assert add_working_days(moment, 3) == timezone.make_aware(datetime.datetime(2025, 10, 11, 15, 0))


@SETTINGS
@given(
    start=st.datetimes(datetime.datetime(2025, 1, 1), datetime.datetime(2025, 11, 30)),
    days=st.integers(1, 10),
    holidays=st.sets(YEAR, max_size=15),
    working=st.sets(YEAR, max_size=6),
)
def test_deadlines_land_on_working_days_and_count_exactly(db, start, days, holidays, working):
    configure(holidays, working)
    moment = timezone.make_aware(start)
    due = add_working_days(moment, days)
    due_day = timezone.localdate(due)
    assert is_working_day(due_day)
    assert due_day not in holidays
    assert due > moment
    start_day = timezone.localdate(moment)
    if is_working_day(start_day):
        assert working_days_between(start_day, due_day) == days
        assert due.time() == timezone.localtime(moment).time()
    else:
        assert working_days_between(start_day, due_day) == days + 1
        assert timezone.localtime(due).time() == datetime.time(0, 0)
    for day in holidays:
        assert not is_working_day(day)
    for day in working - holidays:
        assert is_working_day(day)


@SETTINGS
@given(
    start=st.datetimes(datetime.datetime(2025, 1, 1), datetime.datetime(2025, 11, 30)),
    a=st.integers(1, 12),
    b=st.integers(1, 12),
    holidays=st.sets(YEAR, max_size=15),
)
def test_more_working_days_is_never_sooner(db, start, a, b, holidays):
    configure(holidays, set())
    moment = timezone.make_aware(start)
    low, high = sorted((a, b))
    assert add_working_days(moment, low) <= add_working_days(moment, high)
    if low < high:
        assert add_working_days(moment, low) < add_working_days(moment, high)


@SETTINGS
@given(day=YEAR)
def test_plain_weeks_without_exceptions(db, day):
    configure(set(), set())
    assert is_working_day(day) == (day.weekday() < 5)
