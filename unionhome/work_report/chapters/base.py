"""What every chapter of the annual report is made of: titled tables (the assistance reports' ``Table``, so that
the page, the PDF and the workbook show the same cells), sentences, and charts drawn as SVG."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from unionhome.assistance.report_tables import Money, Rate, Table
from unionhome.report_year import ReportYear

__all__ = ["Chapter", "Money", "Rate", "ReportYear", "Table"]


@dataclass
class Chapter:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sentences shown before the tables
    charts: list[SafeString] = field(default_factory=list)  # inline SVG (charts_svg.py)
    allowed: bool = True  # False: the viewer lacks the chapter's permission on the unit; nothing else is set
