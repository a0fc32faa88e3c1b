"""The periods the satisfaction index is read over: a month, a quarter or a year.

A period is written ``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year), in the API and in
page addresses alike; ``Period.parse`` reads exactly these forms (years 2000 to 2100) and ``str(period)``
writes them back. The tallies of the index are kept per month (``RatingTally.month``, the first day of the
month), so a period is read as the months it covers (``months()``, or ``start`` ≤ month < ``end``).
"""

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

Kind = Literal["month", "quarter", "year"]
KINDS: tuple[Kind, ...] = ("month", "quarter", "year")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTHS_IN: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}

# ASCII digits only: ``\d`` would also take other scripts' digits.
_FORMS = (
    ("month", re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")),
    ("quarter", re.compile(r"([0-9]{4})-Q([1-4])")),
    ("year", re.compile(r"([0-9]{4})")),
)


def period_format_error() -> str:
    return _(
        "Give the period as a month (2026-11), a quarter (2026-Q4) or a year (2026), between %(first)s and %(last)s."
    ) % {"first": FIRST_YEAR, "last": LAST_YEAR}


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter or year, by its kind and its first day (periods of one kind sort by time)."""

    kind: Kind
    start: datetime.date

    def __post_init__(self) -> None:
        if self.kind not in MONTHS_IN:
            raise ValueError(f"a period is a month, a quarter or a year, not {self.kind!r}")
        if not isinstance(self.start, datetime.date) or isinstance(self.start, datetime.datetime):
            raise TypeError(f"a period starts on a date, not {self.start!r}")
        step = MONTHS_IN[self.kind]
        if self.start.day != 1 or (self.start.month - 1) % step:
            raise ValueError(f"a {self.kind} cannot start on {self.start}")
        if not FIRST_YEAR <= self.start.year <= LAST_YEAR:
            raise ValueError(f"periods lie between {FIRST_YEAR} and {LAST_YEAR}, not in {self.start.year}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``"2026-11"``, ``"2026-Q4"`` or ``"2026"`` → the period; ``ValueError`` (translated) for anything else."""
        if isinstance(text, str):
            for kind, form in _FORMS:
                if match := form.fullmatch(text):
                    year = int(match[1])
                    if not FIRST_YEAR <= year <= LAST_YEAR:
                        break
                    month = 1 if kind == "year" else int(match[2]) if kind == "month" else 3 * int(match[2]) - 2
                    return cls(kind, datetime.date(year, month, 1))
        raise ValueError(period_format_error())

    @classmethod
    def containing(cls, kind: Kind, day: datetime.date) -> "Period":
        """The period of ``kind`` that ``day`` falls in."""
        step = MONTHS_IN[kind]
        return cls(kind, datetime.date(day.year, day.month - (day.month - 1) % step, 1))

    @classmethod
    def last(cls, kind: Kind, n: int, today: datetime.date) -> list["Period"]:
        """The ``n`` periods of ``kind`` up to and including the one containing ``today``, oldest first
        (fewer when they would reach back before the year 2000)."""
        if n < 1:
            raise ValueError(f"ask for at least one period, not {n}")
        periods = [cls.containing(kind, today)]
        while len(periods) < n and (before := periods[-1].previous()) is not None:
            periods.append(before)
        return periods[::-1]

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year:04d}-Q{self.quarter}"
        return f"{self.start.year:04d}"

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        return _plus_months(self.start, MONTHS_IN[self.kind])

    def months(self) -> list[datetime.date]:
        """The first days of the months the period covers."""
        return [_plus_months(self.start, i) for i in range(MONTHS_IN[self.kind])]

    def previous(self) -> "Period | None":
        """The period of the same kind just before (None for the first one, which starts in January 2000)."""
        start = _plus_months(self.start, -MONTHS_IN[self.kind])
        return Period(self.kind, start) if start.year >= FIRST_YEAR else None

    def label(self) -> str:
        """The period for people, in the active language: "2026年11月" / "Nov 2026", "2026年第4季度" / "Q4 2026",
        "2026年" / "2026"."""
        if self.kind == "month":
            # A date format (Django's ``date`` filter letters): "M Y" is "Nov 2026", "Y年n月" is "2026年11月".
            return dateformat.format(self.start, pgettext("satisfaction period: a month, as a date format", "M Y"))
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.start.year}
        return pgettext("satisfaction period: a year", "%(year)s") % {"year": self.start.year}


def _plus_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
