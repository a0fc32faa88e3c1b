"""The calendar year a report covers, shared by the reports that read one year: the assistance reports
(``assistance/selectors/reports.py``, where it is still called ``Period``) and the annual union-work report
(``work_report``, as ``ReportYear``).

Dates run from ``start`` (1 January) to ``end`` (31 December), both included; timestamps from ``start_at`` up
to, not including, ``end_before`` (the first moment of the next year, in the current time zone). ``today`` is
the day the report is read: figures of the current year run to it ("overdue" means due before it).

The satisfaction index has its own periods (``satisfaction/periods.py``: months, quarters and years, whose
``end`` is the first day *after* the period, as its monthly tallies are read); the same year there is
``Period("year", report_year.start)``. This module depends on Django only, so that any app may use it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class ReportYear:
    year: int
    today: datetime.date

    @classmethod
    def of(cls, year: int, today: datetime.date | None = None) -> "ReportYear":
        """The year ``year`` read on ``today`` (by default, today in the current time zone)."""
        return cls(year, today or timezone.localdate())

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the year (included)."""
        return datetime.date(self.year, 12, 31)

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(self.year, 1, 1))

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the year (payments, ratings and filings are timestamps)."""
        return timezone.make_aware(datetime.datetime(self.year + 1, 1, 1))
