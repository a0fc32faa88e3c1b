"""The Excel export of hardship files (masked where the viewer may not see sensitive details)."""

import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from unionhome.access.policy import can, require
from unionhome.audit.recorder import record

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MAX_ROWS = 50_000
MASK = "••••"


@dataclass
class FilesExport:
    content: bytes
    filename: str
    rows: int
    unmasked: int


def _cell(sheet, value: Any) -> Any:
    """Text starting with "=" stays text instead of becoming a formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def files_export(*, actor, state: str | None = None, query: str = "") -> FilesExport:
    """The files the actor may see (optionally one state, a name search) as .xlsx; an audit event.

    Incomes are masked unless the actor holds ``assistance.view_sensitive`` on the file; health details
    and the situation are never exported."""
    from unionhome.assistance.selectors.files import files_for

    require(actor, "assistance.view_file")
    files = files_for(actor, state=state, query=query).prefetch_related("causes")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Hardship files"))
    header = [
        _("File"),
        _("Name"),
        _("Employee number"),
        _("Unit"),
        _("State"),
        _("Level"),
        _("Causes"),
        _("Household size"),
        _("Household monthly income"),
        _("Monthly income per head"),
        _("Active since"),
        _("Next re-review due"),
    ]
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    rows = unmasked = 0
    for file in files.iterator(chunk_size=1000):
        if rows >= EXPORT_MAX_ROWS:
            break
        sensitive = can(actor, "assistance.view_sensitive", file)
        unmasked += sensitive
        sheet.append(
            [
                file.pk,
                _cell(sheet, file.member.name),
                _cell(sheet, file.member.employee_no),
                _cell(sheet, file.member.unit.name),
                str(file.get_state_display()),
                str(file.get_level_display()) if file.level else "",
                ", ".join(str(c.get_cause_display()) for c in file.causes.all()),
                file.household_size,
                file.household_monthly_income if sensitive else MASK,
                file.income_per_head if sensitive else MASK,
                file.activated_on,
                file.next_review_due,
            ]
        )
        rows += 1
    buffer = io.BytesIO()
    book.save(buffer)
    record(actor, "assistance.file.exported", None, rows=rows, unmasked=unmasked, state=state or "", query=query[:50])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FilesExport(buffer.getvalue(), f"hardship-files-{stamp}.xlsx", rows, unmasked)
