"""The calendar year shared by the assistance reports and the annual report (``unionhome/report_year.py``)."""

import datetime

from django.utils import timezone

from unionhome.assistance.selectors.reports import Period
from unionhome.report_year import ReportYear
from unionhome.work_report.chapters.base import ReportYear as ChapterYear


def test_one_type_serves_both_reports():
    assert Period is ReportYear is ChapterYear


def test_the_year_runs_from_first_january_to_thirty_first_december():
    year = ReportYear(2024, datetime.date(2025, 3, 1))
    assert (year.start, year.end) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert timezone.localtime(year.start_at).replace(tzinfo=None) == datetime.datetime(2024, 1, 1)
    assert timezone.localtime(year.end_before).replace(tzinfo=None) == datetime.datetime(2025, 1, 1)
    assert year.end_before - year.start_at == datetime.timedelta(days=366)  # a leap year


def test_read_today_unless_told_otherwise():
    assert ReportYear.of(2024).today == timezone.localdate()
    assert ReportYear.of(2024, datetime.date(2024, 6, 1)) == ReportYear(2024, datetime.date(2024, 6, 1))
