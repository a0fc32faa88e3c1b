"""The centre's reports: on screen with charts, as an Excel workbook and as a printable PDF.

``?unit=<id>&year=<yyyy>``: a unit in the viewer's scope of ``assistance.view_reports`` (404 for any
other; the top of the scope when absent) and a year (this year when absent or not a year).
"""

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from unionhome.access.policy import OutOfScope
from unionhome.assistance.report_tables import ReportFile, report_pdf, report_sections, report_title, report_workbook
from unionhome.assistance.selectors import reports as selectors
from unionhome.assistance.selectors.reports import MAX_YEAR, MIN_YEAR, Report


def _report_from(request: HttpRequest) -> Report:
    raw_unit = request.GET.get("unit", "")
    unit_id = None
    if raw_unit:
        if not re.fullmatch(r"[0-9]{1,18}", raw_unit):
            raise OutOfScope
        unit_id = int(raw_unit)
    unit = selectors.report_unit_for(request.user, unit_id)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if re.fullmatch(r"[0-9]{4}", raw_year) else selectors.default_year()
    if not MIN_YEAR <= year <= MAX_YEAR:
        year = selectors.default_year()
    return selectors.report_for(request.user, unit, year)


def _query(report: Report, unit=None) -> str:
    return urlencode({"unit": (unit or report.unit).pk, "year": report.year})


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    found = _report_from(request)
    base = reverse("assistance:report")
    sections = report_sections(found, unit_link=lambda unit: f"{base}?{_query(found, unit)}")
    charts = _charts(found)
    for section in sections:
        section.charts = charts.get(section.key, [])
    context = {
        "report": found,
        "title": report_title(found),
        "sections": sections,
        "unit_choices": selectors.unit_choices(request.user, found.unit),
        "years": selectors.year_choices(found.year),
        "ancestors": selectors.report_ancestors(request.user, found.unit),
        "query": _query(found),
    }
    return render(request, "assistance/reports/report.html", context)


@login_required
@require_GET
@never_cache
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(report_workbook(actor=request.user, report=_report_from(request)))


@login_required
@require_GET
@never_cache
def report_pdf_download(request: HttpRequest) -> HttpResponse:
    return _download(report_pdf(actor=request.user, report=_report_from(request), request=request))


def _download(document: ReportFile) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


def _charts(report: Report) -> dict[str, dict]:
    """Chart data for ``static/js/report-charts.js``, by section: the same figures as the tables."""
    files, follow_ups = report.files, report.follow_ups
    charts = {
        "files": [
            {
                "id": "chart-files-cause",
                "type": "bar",
                "title": _("Hardship files by cause"),
                "labels": [row.label for row in files.by_cause],
                "series": [
                    {"name": _("During the year"), "values": [row.active_during for row in files.by_cause]},
                    {"name": _("At year end"), "values": [row.active_at_end for row in files.by_cause]},
                ],
            },
            {
                "id": "chart-files-level",
                "type": "pie",
                "title": _("Hardship files by level (active during the year)"),
                "labels": [row.label for row in files.by_level],
                "series": [{"name": _("Files"), "values": [row.active_during for row in files.by_level]}],
            },
        ],
        "assistance": [
            {
                "id": "chart-money-kind",
                "type": "bar",
                "title": _("Assistance money by kind (yuan)"),
                "labels": [row.label for row in report.assistance.by_kind],
                "series": [
                    {"name": _("Money paid (yuan)"), "values": [float(row.amount) for row in report.assistance.by_kind]}
                ],
            }
        ],
        "follow_ups": [
            {
                "id": "chart-grades",
                "type": "pie",
                "title": _("Effectiveness of the follow-ups done"),
                "labels": [row.label for row in follow_ups.grades],
                "series": [{"name": _("Number of follow-ups"), "values": [row.count for row in follow_ups.grades]}],
            }
        ],
    }
    visit_rows = report.children or []
    if visit_rows:
        labels = [row.label for row in visit_rows]
        due, done = [row.visits_due for row in visit_rows], [row.visits_done for row in visit_rows]
        title = _("Visits due and done, by unit")
    else:
        occasions = report.visits.by_occasion
        labels = [row.label for row in occasions]
        due, done = [row.due for row in occasions], [row.done for row in occasions]
        title = _("Visits due and done, by occasion")
    charts["visits"] = [
        {
            "id": "chart-visits",
            "type": "bar",
            "title": title,
            "labels": labels,
            "series": [{"name": _("Visits due"), "values": due}, {"name": _("Visits done"), "values": done}],
        }
    ]
    for section in charts.values():
        for chart in section:
            bars = len(chart["labels"]) * len(chart["series"])
            chart["height"] = PIE_HEIGHT if chart["type"] == "pie" else max(160, 48 + 22 * bars)
            chart["empty"] = not any(any(series["values"]) for series in chart["series"])
    return charts


PIE_HEIGHT = 280


urlpatterns = [
    path("reports/", report, name="report"),
    path("reports/report.xlsx", report_xlsx, name="report_xlsx"),
    path("reports/report.pdf", report_pdf_download, name="report_pdf"),
]
