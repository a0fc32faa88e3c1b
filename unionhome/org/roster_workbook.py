"""Reading a roster workbook safely: size and zip-bomb limits, the header layout, rows as cell values."""

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from unionhome.org.models import MemberImport
from unionhome.org.roster_columns import COLUMNS, HEADER_LOOKUP, normalize_header

PERMISSION = "org.import_members"
ZIP_MAGIC = b"PK\x03\x04"
OPTIONAL_FIELDS = ("id_number", "mobile")
# How rosters usually write the gender; the labels of the form ("男", "Male") are accepted too.
GENDER_WORDS = {"男": "M", "男性": "M", "女": "F", "女性": "F"}
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
Status = MemberImport.Status


def max_upload_bytes() -> int:
    return settings.UNIONHOME_MAX_UPLOAD_BYTES


def max_rows() -> int:
    return settings.UNIONHOME_IMPORT_MAX_ROWS


def max_uncompressed_bytes() -> int:
    """Guard against zip bombs: what the workbook may expand to (openpyxl keeps shared strings in memory)."""
    return max(40 * max_upload_bytes(), 256 * 1024 * 1024)


def imports_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


# --- Reading the workbook -------------------------------------------------------------------------


@dataclass
class Layout:
    """Which column of the sheet holds which field, and the header as the file wrote it."""

    index: dict[str, int]
    labels: dict[str, str]
    rows_estimate: int

    def present(self, key: str) -> bool:
        return key in self.index

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def _open_workbook(path: Path):
    if path.stat().st_size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != ZIP_MAGIC:
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Save the file in Excel as “Excel Workbook (*.xlsx)”."),
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(_("The workbook is damaged and cannot be read."), code="malformed") from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Save the file in Excel as “Excel Workbook (*.xlsx)”."),
            code="not_xlsx",
        )
    if sum(info.file_size for info in infos) > max_uncompressed_bytes():
        raise ValidationError(_("The workbook expands to too much data to be read."), code="too_big")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a malformed file
        raise ValidationError(_("The workbook is damaged and cannot be read."), code="malformed") from exc


def _count_row_elements(worksheet) -> int:
    """Row elements in the sheet's XML, found without parsing it (fast, and a sheet's stated size may lie)."""
    count, pending = 0, b""
    with worksheet._get_source() as source:
        while chunk := source.read(1 << 20):
            data = pending + chunk
            cut = max(len(data) - 64, 0)  # a tag starting in the last bytes may continue in the next chunk
            count += sum(1 for match in _ROW_TAG.finditer(data) if match.start() < cut)
            pending = data[cut:]
    return count + len(_ROW_TAG.findall(pending))


def _layout(header: tuple[Any, ...], rows_estimate: int) -> Layout:
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for position, value in enumerate(header):
        text = str(value).strip() if value is not None else ""
        if not text:
            continue
        column = HEADER_LOOKUP.get(normalize_header(text))
        if column is None:
            unknown.append(text[:30])
        elif column.key in index:
            duplicated.append(text[:30])
        else:
            index[column.key] = position
            labels[column.key] = text[:30]
    messages = []
    missing = [c for c in COLUMNS if c.required and c.key not in index]
    if missing:
        messages.append(
            _("Columns missing from the first row: %(columns)s.")
            % {"columns": "、".join(f"{c.zh} ({c.en})" for c in missing)}
        )
    if unknown:
        messages.append(_("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)})
    if duplicated:
        messages.append(_("Columns given twice: %(columns)s.") % {"columns": "、".join(duplicated)})
    if messages:
        messages.append(_("Download the template to see the expected columns."))
        raise ValidationError(" ".join(messages), code="header")
    for key in ("unit_name", "status"):  # informational columns written by the export
        index.pop(key, None)
    return Layout(index, labels, rows_estimate)


@contextlib.contextmanager
def opened_roster(path: Path) -> Iterator[tuple[Layout, Any]]:
    """The checked layout and the first sheet of the roster at ``path``, open for reading rows.

    Raises ``ValidationError`` when ``path`` is not a readable .xlsx with a roster header.
    """
    workbook = _open_workbook(path)
    try:
        if not workbook.worksheets:
            raise ValidationError(_("The workbook has no sheet."), code="empty")
        sheet = workbook.worksheets[0]
        try:
            header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
            rows = _count_row_elements(sheet)
        except Exception as exc:
            raise ValidationError(_("The workbook is damaged and cannot be read."), code="malformed") from exc
        if header is None or all(v is None or str(v).strip() == "" for v in header):
            if rows <= 1:
                raise ValidationError(_("The file is empty."), code="empty")
            raise ValidationError(
                _("The first row must hold the column names. Download the template to see them."), code="header"
            )
        layout = _layout(header, max(rows - 1, 0))
        if layout.rows_estimate == 0:
            raise ValidationError(_("The file has no member rows below the column names."), code="empty")
        if layout.rows_estimate > max_rows():
            raise ValidationError(
                _("The file has more than %(limit)d rows; split it into several files.") % {"limit": max_rows()},
                code="too_many_rows",
            )
        yield layout, sheet
    finally:
        workbook.close()


def inspect_workbook(path: Path) -> Layout:
    """Check that ``path`` is a readable .xlsx with a roster header; raise ``ValidationError`` otherwise."""
    with opened_roster(path) as (layout, _sheet):
        return layout


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(sheet, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, raw values by field) for every non-empty row below the header, streamed."""
    positions = list(layout.index.items())
    for row_no, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        raw = {key: values[i] if i < len(values) else None for key, i in positions}
        if all(_blank(v) for v in raw.values()):
            continue
        yield row_no, raw


def excel_date(value: Any) -> Any:
    """A date typed into a cell not formatted as a date arrives as Excel's day number."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError):
            return value
    return value


def cell_text(value: Any, limit: int = 30) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()[:limit]
