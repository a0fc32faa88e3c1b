"""Exporting the viewer's part of the roster to Excel, streamed in chunks into a temporary file.

The file has the import's columns (so it imports back unchanged) plus the unit's name and the
status. ID numbers and mobiles are unmasked only where the viewer may see them; the grants are
cached on the user, so checking each row costs no query.
"""

import datetime
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from unionhome.access.policy import can, require, scope_roots
from unionhome.audit.recorder import record
from unionhome.org.identity import mask_id_number, mask_mobile
from unionhome.org.models import Member, OrgUnit
from unionhome.org.roster_columns import COLUMNS, INFO_COLUMNS
from unionhome.org.selectors import members_for

PERMISSION = "org.export_members"
CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RosterExport:
    file: IO[bytes]  # at position 0; an anonymous temporary file, gone once closed
    filename: str
    rows: int
    unmasked: int


def _cell(sheet, value: Any) -> Any:
    """A value for the sheet; text starting with "=" stays text instead of becoming a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _exports_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "exports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def roster_export(*, actor, status: str | None = None) -> RosterExport:
    """Write the members the actor may export (optionally of one status) to an .xlsx file.

    Query count: the member rows come in chunks of ``CHUNK_SIZE`` (their tags with one query per
    chunk), whatever the number of rows. Records one audit event with the scope and row count.
    """
    require(actor, PERMISSION)
    members = members_for(actor, PERMISSION)
    if status in Member.Status.values:
        members = members.filter(status=status)
    else:
        status = None
    members = members.select_related("unit").prefetch_related("tags").order_by("unit_path", "name_pinyin", "id")
    roots = scope_roots(actor, PERMISSION)
    language = translation.get_language()

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Roster")[:31])
    columns = (*COLUMNS, *INFO_COLUMNS)
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label(language))
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    rows = unmasked = 0
    for member in members.iterator(chunk_size=CHUNK_SIZE):
        sensitive = can(actor, "org.view_member_sensitive", member)
        if sensitive and (member.id_number or member.mobile):
            unmasked += 1
        unit = member.unit
        values = {
            "employee_no": member.employee_no,
            "name": member.name,
            "gender": member.get_gender_display(),
            "birth_date": member.birth_date,
            "id_number": member.id_number if sensitive else mask_id_number(member.id_number),
            "mobile": member.mobile if sensitive else mask_mobile(member.mobile),
            "unit": unit.code,
            "job_category": member.get_job_category_display(),
            "employment_form": member.get_employment_form_display(),
            "joined_on": member.joined_on,
            "tags": "、".join(tag.name for tag in member.tags.all()),
            "unit_name": unit.name,
            "status": member.get_status_display(),
        }
        sheet.append([_cell(sheet, values[column.key]) for column in columns])
        rows += 1

    output = tempfile.TemporaryFile(dir=_exports_dir())
    try:
        workbook.save(output)
        output.seek(0)
        codes = list(OrgUnit.objects.filter(path__in=roots).order_by("path").values_list("code", flat=True))
        with transaction.atomic():
            record(
                actor,
                "org.members.exported",
                None,
                scope=roots,
                units=codes,
                status=status or "all",
                rows=rows,
                unmasked=unmasked,
            )
    except BaseException:
        output.close()
        raise
    label = re.sub(r"[^A-Za-z0-9_-]+", "", "-".join(codes))[:40] or "scope"
    filename = f"roster-{label}-{datetime.date.today():%Y%m%d}.xlsx"
    return RosterExport(output, filename, rows, unmasked)
