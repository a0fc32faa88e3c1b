"""A report's figures as titled tables: the same tables on screen, in the Excel workbook and in print.

``report_sections`` turns a ``selectors.reports.Report`` into sections of tables whose headers are
translated in the active language (the request's); ``report_workbook`` writes them one sheet per
section, ``report_pdf`` prints them. Both exports are audit events (``assistance.report.exported``),
recorded on the report's unit, with the year and the format. A report holds counts and sums only.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from unionhome.assistance.selectors.reports import ChildRow, Report
from unionhome.audit.recorder import record
from unionhome.printing import render_pdf

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class Money:
    """Yuan, shown with thousands separators and two decimals."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value:,.2f}"


@dataclass(frozen=True)
class Rate:
    """A percentage with one decimal, or a dash when there was nothing to count."""

    value: Decimal | None

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value}%"


Cell = int | str | Money | Rate


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    # Per row, a link for its first cell (the per-unit table drills down), or None.
    links: list[str | None] = field(default_factory=list)

    def display_rows(self) -> list[tuple[str | None, Cell, list[tuple[str, Cell]]]]:
        """(link, first cell, [(column, cell), …]) per row, for a table that keeps its labels on a phone."""
        links = self.links or [None] * len(self.rows)
        return [
            (link, row[0], list(zip(self.columns[1:], row[1:], strict=True)))
            for link, row in zip(links, self.rows, strict=True)
        ]


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    charts: list[dict] = field(default_factory=list)  # set by the page


def report_title(report: Report) -> str:
    return _("Assistance report: %(unit)s, %(year)s") % {"unit": report.unit.name, "year": report.year}


def report_sections(report: Report, *, unit_link=None) -> list[Section]:
    """The report as sections of tables. ``unit_link(unit)``, when given, links each child unit's row."""
    files, assistance, follow_ups, aid, visits, money = (
        report.files,
        report.assistance,
        report.follow_ups,
        report.aid,
        report.visits,
        report.money,
    )
    figure, value = _("Figure"), _("Value")
    summary = Table(
        _("Key figures"),
        [figure, value],
        [
            [_("Hardship files active during the year"), files.active_during],
            [_("Hardship files active at the end of the year"), files.active_at_end],
            [_("New hardship files"), files.new],
            [_("Exits from hardship"), files.exited],
            [_("Assistance delivered"), assistance.count],
            [_("Assistance money paid (yuan)"), Money(assistance.amount)],
            [_("Follow-ups due"), follow_ups.due],
            [_("Follow-up on-time rate"), Rate(follow_ups.on_time_rate)],
            [_("Education-aid applications"), aid.applications],
            [_("Education aid paid (yuan)"), Money(aid.paid_amount)],
            [_("Visits due"), visits.due],
            [_("Visits due and done"), visits.done],
            [_("Visits made in the year"), visits.done_in_year],
            [_("All money paid (yuan)"), Money(money.total)],
        ],
    )
    during, at_end = _("Active during the year"), _("Active at the end of the year")
    sections = [
        Section("summary", _("Summary"), [summary]),
        Section(
            "files",
            _("Hardship files"),
            [
                Table(
                    _("Hardship files"),
                    [figure, value],
                    [
                        [during, files.active_during],
                        [at_end, files.active_at_end],
                        [_("New (activated in the year)"), files.new],
                        [_("Exited hardship in the year"), files.exited],
                    ],
                ),
                Table(
                    _("Hardship files by level"),
                    [_("Level"), during, at_end],
                    [[row.label, row.active_during, row.active_at_end] for row in files.by_level],
                ),
                Table(
                    _("Hardship files by cause (a file may have several causes)"),
                    [_("Cause"), during, at_end],
                    [[row.label, row.active_during, row.active_at_end] for row in files.by_cause],
                ),
            ],
        ),
        Section(
            "assistance",
            _("Assistance"),
            [
                Table(
                    _("Assistance by kind"),
                    [_("Kind"), _("Delivered"), _("Money paid (yuan)")],
                    [[row.label, row.count, Money(row.amount)] for row in assistance.by_kind]
                    + [[_("Total"), assistance.count, Money(assistance.amount)]],
                ),
                Table(
                    _("Money paid by fund source (yuan, net of reversals)"),
                    [_("Fund source"), _("Assistance"), _("Education aid"), _("Visits"), _("Total")],
                    [
                        [row.label, Money(row.assistance), Money(row.aid), Money(row.visits), Money(row.total)]
                        for row in money.by_fund
                    ]
                    + [
                        [
                            _("Total"),
                            Money(money.assistance),
                            Money(money.aid),
                            Money(money.visits),
                            Money(money.total),
                        ]
                    ],
                ),
            ],
        ),
        Section(
            "follow_ups",
            _("Follow-up and effectiveness"),
            [
                Table(
                    _("Follow-ups due in the year"),
                    [figure, value],
                    [
                        [_("Due in the year"), follow_ups.due],
                        [_("Done"), follow_ups.done],
                        [_("Done by the due date"), follow_ups.on_time],
                        [_("Done after the due date"), follow_ups.late],
                        [_("Overdue, not done"), follow_ups.overdue],
                        [_("Not yet due"), follow_ups.pending],
                        [_("On-time rate"), Rate(follow_ups.on_time_rate)],
                    ],
                ),
                Table(
                    _("Effectiveness of the follow-ups done"),
                    [_("Effectiveness"), _("Number of follow-ups")],
                    [[row.label, row.count] for row in follow_ups.grades],
                ),
            ],
        ),
        Section(
            "aid",
            _("Education aid"),
            [
                Table(
                    _("Education aid in the year's campaigns"),
                    [figure, value],
                    [
                        [_("Applications"), aid.applications],
                        [_("Approved"), aid.approved],
                        [_("Rejected"), aid.rejected],
                        [_("Paid"), aid.paid],
                        [_("Amount approved (yuan)"), Money(aid.approved_amount)],
                        [_("Amount paid in the year (yuan)"), Money(aid.paid_amount)],
                    ],
                )
            ],
        ),
        Section(
            "visits",
            _("Visits and condolences"),
            [
                Table(
                    _("Visits by occasion"),
                    [
                        _("Occasion"),
                        _("Visits due"),
                        _("Visits done"),
                        _("Done on time"),
                        _("Overdue"),
                        _("Made in the year"),
                    ],
                    [
                        [row.label, row.due, row.done, row.on_time, row.overdue, row.done_in_year]
                        for row in visits.by_occasion
                    ]
                    + [[_("Total"), visits.due, visits.done, visits.on_time, visits.overdue, visits.done_in_year]],
                ),
                Table(
                    _("Money given on visits"),
                    [figure, value],
                    [[_("Money given on visits (yuan)"), Money(visits.amount)]],
                ),
            ],
        ),
    ]
    if report.children:
        sections.append(
            Section(
                "units",
                _("By unit"),
                [
                    Table(
                        _("Figures for each unit"),
                        [
                            _("Unit"),
                            _("Files active at year end"),
                            _("New files"),
                            _("Exits"),
                            _("Assistance delivered"),
                            _("Assistance money (yuan)"),
                            _("Follow-ups due"),
                            _("On-time rate"),
                            _("Aid applications"),
                            _("Aid paid (yuan)"),
                            _("Visits due"),
                            _("Visits done"),
                            _("Overdue visits"),
                        ],
                        [_child_cells(row) for row in report.children],
                        [
                            unit_link(row.unit) if unit_link and row.unit != report.unit else None
                            for row in report.children
                        ],
                    )
                ],
            )
        )
    return sections


def _child_cells(row: ChildRow) -> list[Cell]:
    return [
        row.label,
        row.files_active_at_end,
        row.files_new,
        row.files_exited,
        row.assistance_count,
        Money(row.assistance_amount),
        row.follow_ups_due,
        Rate(row.follow_ups_on_time_rate),
        row.aid_applications,
        Money(row.aid_paid_amount),
        row.visits_due,
        row.visits_done,
        row.visits_overdue,
    ]


# --- exports -------------------------------------------------------------------------------------


@dataclass
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def _filename(report: Report, extension: str) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "", report.unit.code)[:40] or str(report.unit.pk)
    return f"assistance-report-{code}-{report.year}.{extension}"


def _sheet_title(title: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31]
    while title in taken:
        title = title[:28] + f"~{len(taken)}"
    taken.add(title)
    return title


def report_workbook(*, actor, report: Report) -> ReportFile:
    """The report as an .xlsx workbook, one sheet per section, headers in the active language.
    Recorded in the audit trail."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    taken: set[str] = set()
    for section in report_sections(report):
        sheet = workbook.create_sheet(_sheet_title(section.title, taken))
        sheet.append([report_title(report)])
        sheet["A1"].font = Font(bold=True, size=13)
        widths: dict[int, int] = {}
        for table in section.tables:
            sheet.append([])
            sheet.append([table.caption])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(table.columns)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in table.rows:
                sheet.append([_xlsx_value(value) for value in row])
                for position, value in enumerate(row, start=1):
                    cell = sheet.cell(row=sheet.max_row, column=position)
                    if isinstance(value, str):
                        cell.data_type = "s"  # a unit's name stays text, even one starting with "="
                    elif isinstance(value, Money):
                        cell.number_format = "#,##0.00"
                    elif isinstance(value, Rate) and value.value is not None:
                        cell.number_format = "0.0%"
            for position, text in enumerate(table.columns, start=1):
                longest = max([len(str(text)), *(len(str(row[position - 1])) for row in table.rows)])
                widths[position] = max(widths.get(position, 0), min(2 * longest + 2, 60))
        for position, width in widths.items():
            sheet.column_dimensions[get_column_letter(position)].width = width
    output = BytesIO()
    workbook.save(output)
    _record_export(actor, report, "xlsx")
    return ReportFile(output.getvalue(), _filename(report, "xlsx"), XLSX_CONTENT_TYPE)


def _xlsx_value(value: Cell):
    if isinstance(value, Money):
        return value.value
    if isinstance(value, Rate):
        return None if value.value is None else value.value / 100
    return value


def report_pdf(*, actor, report: Report, request=None) -> ReportFile:
    """The report printed to PDF (tables, A4). Recorded in the audit trail."""
    content = render_pdf(
        "assistance/reports/report_print.html",
        {"report": report, "title": report_title(report), "sections": report_sections(report)},
        request=request,
    )
    _record_export(actor, report, "pdf")
    return ReportFile(content, _filename(report, "pdf"), PDF_CONTENT_TYPE)


def _record_export(actor, report: Report, format: str) -> None:
    with transaction.atomic():
        record(actor, "assistance.report.exported", report.unit, year=report.year, format=format)
