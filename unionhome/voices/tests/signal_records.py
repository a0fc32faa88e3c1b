"""Count rows put in place for first-signal tests: weekly histories without thousands of appeals."""

import datetime

from unionhome.org.models import OrgUnit
from unionhome.voices.first_signal import week_start
from unionhome.voices.models import AppealCount, TopicCount

TODAY = datetime.date(2026, 6, 17)  # a Wednesday
THIS_WEEK = week_start(TODAY)
WEEK = datetime.timedelta(days=7)


def weekly_counts(branch: OrgUnit, category: str, series: list[int], *, last_week: datetime.date = THIS_WEEK) -> None:
    """``series`` (oldest first, the last one in ``last_week``) as one AppealCount row per week (its Tuesday)."""
    first = last_week - (len(series) - 1) * WEEK
    for i, n in enumerate(series):
        if n:
            AppealCount.objects.create(
                branch=branch,
                unit_path=branch.path,
                category=category,
                day=first + i * WEEK + datetime.timedelta(1),
                count=n,
            )


def topic_counts(branch: OrgUnit, category: str, word: str, n: int, *, month: datetime.date | None = None) -> None:
    TopicCount.objects.create(
        branch=branch, unit_path=branch.path, category=category, word=word, month=month or TODAY.replace(day=1), count=n
    )
