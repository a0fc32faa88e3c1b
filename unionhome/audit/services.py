"""The audit trail's only write besides ``recorder.record``: exporting it, which is itself audited.

The export reads outside a transaction on purpose: on SQLite a write transaction (IMMEDIATE) held
for the whole export would make every other writer wait for it. The single write, the export's own
audit event, is recorded once the file is complete, before it is handed out.
"""

import csv
import datetime
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from unionhome.access.policy import require
from unionhome.audit.models import AuditEvent
from unionhome.audit.recorder import record
from unionhome.audit.selectors import EventFilter, events_for, filter_events, units_in_audit_scope

EXPORT_PERMISSION = "audit.export"
XLSX_MAX_ROWS = 1_048_576 - 2  # Excel's sheet limit, less the header and a "truncated" note
CHUNK = 2000
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportFile:
    file: IO[bytes]
    filename: str
    content_type: str
    rows: int
    truncated: bool


def audit_export(*, actor: Any, event_filter: EventFilter, fmt: str) -> ExportFile:
    """Write the actor's filtered, in-scope trail to a temporary .xlsx or .csv file, and audit the export."""
    require(actor, EXPORT_PERMISSION)
    if fmt not in FORMATS:
        raise ValidationError(_("Choose Excel (xlsx) or CSV."))
    events = filter_events(events_for(actor, EXPORT_PERMISSION), event_filter)
    units = dict(units_in_audit_scope(actor, EXPORT_PERMISSION).values_list("path", "name"))
    out = tempfile.TemporaryFile(prefix="unionhome-audit-", suffix=f".{fmt}")
    try:
        rows, truncated = (_write_xlsx if fmt == "xlsx" else _write_csv)(out, _rows(events, units))
        out.seek(0)
    except BaseException:
        out.close()
        raise
    record(
        actor,
        "audit.exported",
        None,
        format=fmt,
        rows=rows,
        truncated=truncated,
        filters=event_filter.as_dict(),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return ExportFile(out, f"audit-trail-{stamp}.{fmt}", FORMATS[fmt], rows, truncated)


def _header() -> list[str]:
    return [
        _("Time (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
        _("Actor"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Unit"),
        _("Changes"),
        _("IP address"),
        _("User agent"),
        _("Request id"),
        _("Event id"),
    ]


def _rows(events: QuerySet[AuditEvent], units: dict[str, str]) -> Iterator[list[Any]]:
    for e in events.iterator(chunk_size=CHUNK):
        yield [
            timezone.localtime(e.occurred_at).replace(tzinfo=None, microsecond=0),
            e.actor_label,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            units.get(e.unit_path, e.unit_path),
            json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "",
            e.ip_address or "",
            e.user_agent,
            e.request_id,
            e.pk,
        ]


def _write_xlsx(out: IO[bytes], rows: Iterator[list[Any]]) -> tuple[int, bool]:
    """openpyxl in write-only mode: rows go to disk as they come, memory stays flat."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Audit trail"))
    ws.append(_header())
    count, truncated = 0, False
    for row in rows:
        if count >= XLSX_MAX_ROWS:
            truncated = True
            ws.append([_("Truncated: Excel holds at most %(rows)d rows. Narrow the filters.") % {"rows": count}])
            break
        ws.append([_xlsx_cell(ws, value) for value in row])
        count += 1
    wb.save(out)
    return count, truncated


def _xlsx_cell(ws, value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # text is text: never a formula, whatever it starts with
    return cell


def _write_csv(out: IO[bytes], rows: Iterator[list[Any]]) -> tuple[int, bool]:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(_header())
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count, False


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # a spreadsheet must not run a formula planted in a name or a reason
    return value
