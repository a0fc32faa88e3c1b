"""What every chapter of the annual report is made of: titled tables (the assistance reports' ``Table``, so that
the page, the PDF and the workbook show the same cells), sentences, and charts drawn as SVG."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.safestring import SafeString

from unionhome.assistance.report_tables import Money, Rate, Table

__all__ = ["Chapter", "Money", "Rate", "ReportYear", "Table"]


@dataclass(frozen=True)
class ReportYear:
    """The year reported on: 1 January to 31 December, and the day the report is read (figures of the
    current year run to that day)."""

    year: int
    today: datetime.date

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(self.year, 1, 1))

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the year."""
        return timezone.make_aware(datetime.datetime(self.year + 1, 1, 1))


@dataclass
class Chapter:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sentences shown before the tables
    charts: list[SafeString] = field(default_factory=list)  # inline SVG (charts_svg.py)
    allowed: bool = True  # False: the viewer lacks the chapter's permission on the unit; nothing else is set
