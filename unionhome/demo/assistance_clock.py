"""The assistance demo's clock and money helpers: the day of loading, date arithmetic, amounts in yuan."""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

CENT = Decimal("0.01")

# --- Time -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Today and now in the site's time zone; ``at`` makes a moment of a day, never later than now."""

    today: datetime.date
    now: datetime.datetime

    @classmethod
    def current(cls, today: datetime.date | None = None) -> "Clock":
        now = timezone.localtime()
        if today is not None and today != now.date():
            now = datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=now.tzinfo)
        return cls(now.date(), now)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.now.tzinfo)
        return min(moment, self.now)

    @property
    def year(self) -> int:
        return self.today.year


def plus(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def yuan(value: float, step: int = 100) -> Decimal:
    """A positive whole amount in yuan, rounded to ``step``."""
    return Decimal(max(step, int(round(value / step)) * step)).quantize(CENT)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return plus(first, rng.randint(0, max(0, (last - first).days)))
