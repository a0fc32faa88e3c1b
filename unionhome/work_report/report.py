"""The annual union-work report of a unit and a year: the request read and checked, and the chapters gathered.

The gate is ``satisfaction.view_index`` on the unit (chairs, vice chairs, branch cadres; ``PermissionRefused``,
403, without it anywhere; ``OutOfScope``, 404, for a unit outside the viewer's scope or unknown). Each chapter
that reads another feature's figures also needs that feature's report permission on the unit, and is shown as
withheld without it. Every chapter is read in a fixed number of queries, so the whole report is too.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.home.params import id_param
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.index_reads import chosen_unit
from unionhome.work_report.chapters.assistance import assistance_chapter
from unionhome.work_report.chapters.base import Chapter, ReportYear
from unionhome.work_report.chapters.congress import congress_chapter
from unionhome.work_report.chapters.membership import membership_chapter
from unionhome.work_report.chapters.satisfaction import satisfaction_chapter
from unionhome.work_report.chapters.voices import voices_chapter

FIRST_YEAR = 2000
FORMATS = ("html", "pdf", "xlsx")


@dataclass
class ReportRequest:
    unit_id: int | None = None
    year: int = 0
    format: str = "html"
    errors: list[str] = field(default_factory=list)


def read_request(params, today: datetime.date | None = None) -> ReportRequest:
    """The unit, year and format asked for (``unit`` absent: the top of the viewer's scope; ``year`` absent: the
    year before this one, the usual subject of an annual report), with a translated message per bad value."""
    today = today or timezone.localdate()
    request = ReportRequest(year=today.year - 1)
    raw_unit = params.get("unit", "")
    if raw_unit:
        request.unit_id = id_param(raw_unit)
        if request.unit_id is None:
            request.errors.append(_("Choose a unit from the list."))
    raw_year = params.get("year", "")
    if raw_year:
        year = id_param(raw_year)
        if year is None or not FIRST_YEAR <= year <= today.year:
            bounds = {"first": FIRST_YEAR, "last": today.year}
            request.errors.append(_("Give the year as four digits, from %(first)s to %(last)s.") % bounds)
        else:
            request.year = year
    raw_format = params.get("format", "") or "html"
    if raw_format not in FORMATS:
        request.errors.append(_("The report comes as a page, as PDF (format=pdf) or as Excel (format=xlsx)."))
    else:
        request.format = raw_format
    return request


@dataclass
class AnnualReport:
    unit: OrgUnit
    period: ReportYear
    chapters: list[Chapter]

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def title(self) -> str:
        return _("Annual union-work report %(year)s: %(unit)s") % {"year": self.year, "unit": self.unit.name}


def report_unit(viewer, unit_id: int | None) -> OrgUnit:
    """The unit reported on (403 without ``satisfaction.view_index`` anywhere, 404 outside the scope)."""
    unit, _top = chosen_unit(viewer, unit_id)
    return unit


def annual_report(viewer, unit: OrgUnit, year: int, *, today: datetime.date | None = None) -> AnnualReport:
    """Every chapter of ``unit``'s subtree for ``year``. ``unit`` comes from ``report_unit``."""
    if not FIRST_YEAR <= year <= 2100:
        raise ValueError(f"year out of range: {year}")
    period = ReportYear(year, today or timezone.localdate())
    chapters = [
        membership_chapter(viewer, unit, period),
        assistance_chapter(viewer, unit, period),
        congress_chapter(viewer, unit, period),
        voices_chapter(viewer, unit, period),
        satisfaction_chapter(viewer, unit, period),
    ]
    return AnnualReport(unit, period, chapters)
