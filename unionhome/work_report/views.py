"""``/reports/annual/?unit=<id>&year=<yyyy>[&format=pdf|xlsx]``: the annual union-work report as a page, a PDF or
an Excel workbook. Thin: the request is read by ``report.read_request`` (a bad value: the page with a translated
message and status 400), the report by ``report.annual_report``, the downloads by ``exports.report_file``."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from unionhome.work_report.choices import unit_choices, year_choices
from unionhome.work_report.exports import report_file
from unionhome.work_report.report import annual_report, read_request, report_unit


@login_required
@require_GET
@never_cache
def annual(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    asked = read_request(request.GET, today)
    unit = report_unit(request.user, asked.unit_id)  # 403 / 404 before any message about the other values
    if asked.errors:
        context = {"errors": asked.errors, "unit": unit, "units": unit_choices(request.user, unit)}
        context["years"], context["year"] = year_choices(asked.year, today), asked.year
        return render(request, "work_report/annual.html", context, status=400)
    report = annual_report(request.user, unit, asked.year, today=today)
    if asked.format != "html":
        document = report_file(actor=request.user, report=report, format=asked.format, request=request)
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        return response
    context = {
        "report": report,
        "unit": unit,
        "year": report.year,
        "units": unit_choices(request.user, unit),
        "years": year_choices(report.year, today),
    }
    return render(request, "work_report/annual.html", context)
