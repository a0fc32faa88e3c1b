"""The annual report as an Excel workbook: a cover sheet, then one sheet per chapter with its sentences and
tables. Numbers are written as numbers (money with two decimals, rates as percentages), text as text (a name
starting with "=" stays text)."""

import re
from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from unionhome.work_report.chapters.base import Money, Rate
from unionhome.work_report.report import AnnualReport

BOLD = Font(bold=True)


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "-"
    while title in taken:
        title = title[:28] + f"~{len(taken)}"
    taken.add(title)
    return title


def cell_value(value):
    if isinstance(value, Money):
        return value.value
    if isinstance(value, Rate):
        return None if value.value is None else value.value / 100
    return value


def report_workbook(report: AnnualReport) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = sheet_title(_("Report"), taken := set())
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([_("Unit"), report.unit.name])
    cover.append([_("Year"), report.year])
    cover.append([_("Figures as of"), report.period.today])
    cover.cell(row=cover.max_row, column=2).number_format = "yyyy-mm-dd"
    cover.append([])
    cover.append([_("Contents")])
    cover.cell(row=cover.max_row, column=1).font = BOLD
    for chapter in report.chapters:
        cover.append([chapter.title])
    cover.column_dimensions["A"].width = 40
    cover.column_dimensions["B"].width = 30
    for chapter in report.chapters:
        _chapter_sheet(workbook.create_sheet(sheet_title(chapter.title, taken)), chapter)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _chapter_sheet(sheet, chapter) -> None:
    sheet.append([chapter.title])
    sheet["A1"].font = Font(bold=True, size=13)
    if not chapter.allowed:
        sheet.append([_("Your role does not include these figures for this unit.")])
        return
    for note in chapter.notes:
        sheet.append([note])
    widths: dict[int, int] = {}
    for table in chapter.tables:
        sheet.append([])
        sheet.append([table.caption])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
        sheet.append(table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        if not table.rows:
            sheet.append([_("None in this year.")])
        for row in table.rows:
            sheet.append([cell_value(value) for value in row])
            for position, value in enumerate(row, start=1):
                cell = sheet.cell(row=sheet.max_row, column=position)
                if isinstance(value, str):
                    cell.data_type = "s"
                elif isinstance(value, Money):
                    cell.number_format = "#,##0.00"
                elif isinstance(value, Rate) and value.value is not None:
                    cell.number_format = "0.0%"
                elif isinstance(value, float | Decimal):
                    cell.number_format = "0.0"
        for position, text in enumerate(table.columns, start=1):
            longest = max([len(str(text)), *(len(str(row[position - 1])) for row in table.rows)])
            widths[position] = max(widths.get(position, 0), min(2 * longest + 2, 60))
    for position, width in widths.items():
        sheet.column_dimensions[get_column_letter(position)].width = width
