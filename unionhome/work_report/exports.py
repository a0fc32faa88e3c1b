"""The annual report as a download: PDF (WeasyPrint, A4, a cover, contents and page numbers) or Excel. Each
download is an audit event (``work_report.exported``) on the report's unit, with the year and the format, as the
other exports of the project are. A report holds counts, sums and indexes only: no names of workers."""

import re
from dataclasses import dataclass

from django.db import transaction

from unionhome.audit.recorder import record
from unionhome.printing import render_pdf
from unionhome.work_report.excel import report_workbook
from unionhome.work_report.report import AnnualReport

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PRINT_TEMPLATE = "work_report/annual_print.html"


@dataclass
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def report_file(*, actor, report: AnnualReport, format: str, request=None) -> ReportFile:
    """The report in ``format`` ("pdf" or "xlsx"), recorded in the audit trail."""
    if format == "pdf":
        content = render_pdf(PRINT_TEMPLATE, {"report": report}, request=request)
    elif format == "xlsx":
        content = report_workbook(report)
    else:
        raise ValueError(f"no such format: {format!r}")
    with transaction.atomic():
        record(actor, "work_report.exported", report.unit, year=report.year, format=format)
    code = re.sub(r"[^A-Za-z0-9_-]+", "", report.unit.code)[:40] or str(report.unit.pk)
    return ReportFile(content, f"work-report-{code}-{report.year}.{format}", CONTENT_TYPES[format])
