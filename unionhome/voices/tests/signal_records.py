"""Count rows put in place for first-signal tests: weekly histories without thousands of appeals."""

import datetime

from unionhome.org.models import OrgUnit
from unionhome.voices.counting import appeals_counted, words_counted
from unionhome.voices.first_signal import week_start

TODAY = datetime.date(2026, 6, 17)  # a Wednesday
THIS_WEEK = week_start(TODAY)
WEEK = datetime.timedelta(days=7)


def weekly_counts(branch: OrgUnit, category: str, series: list[int], *, last_week: datetime.date = THIS_WEEK) -> None:
    """``series`` (oldest first, the last one in ``last_week``) as the counts of one day per week (its Tuesday)."""
    first = last_week - (len(series) - 1) * WEEK
    for i, n in enumerate(series):
        if n:
            appeals_counted(branch, category, first + i * WEEK + datetime.timedelta(1), n)


def topic_counts(branch: OrgUnit, category: str, word: str, n: int, *, month: datetime.date | None = None) -> None:
    words_counted(branch, category, month or TODAY.replace(day=1), [word], n)
