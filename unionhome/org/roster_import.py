"""Importing a member roster from an Excel workbook: all rows are written, or none.

``roster_import_start`` checks the upload (size, that it really is an .xlsx, its header), stores
it under ``MEDIA_ROOT`` and queues the run. ``roster_import_run`` (in the task worker) makes two
passes: pass 1 streams every row through the same cleaning as the forms and reports every problem
with its row, column and message; only when there is none does pass 2 upsert the members by
(union, employee number) in one transaction, in batches. Memory stays bounded: rows are streamed
from the workbook, the cleaned rows of pass 1 are spooled to an anonymous temporary file, and only
the keys (employee numbers, ID numbers, mobiles) are kept to catch duplicates within the file.
"""

import contextlib
import io
import json
import logging
import os
import pickle
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from unionhome.access.policy import can, require, scope_q, scope_roots
from unionhome.audit.recorder import record
from unionhome.org.member_fields import EDITABLE_FIELDS, clean_member_fields
from unionhome.org.models import Member, MemberImport, MemberStatusChange, MemberTag, OrgUnit
from unionhome.org.names import pinyin_initials, pinyin_key
from unionhome.org.roster_columns import COLUMNS, HEADER_LOOKUP, TAG_SEPARATORS, normalize_header
from unionhome.org.services import org_recount_members

logger = logging.getLogger(__name__)

PERMISSION = "org.import_members"
BATCH_SIZE = 2000
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


def _read_rows(sheet, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, raw values by field) for every non-empty row below the header, streamed."""
    positions = list(layout.index.items())
    for row_no, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        raw = {key: values[i] if i < len(values) else None for key, i in positions}
        if all(_blank(v) for v in raw.values()):
            continue
        yield row_no, raw


def _excel_date(value: Any) -> Any:
    """A date typed into a cell not formatted as a date arrives as Excel's day number."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError):
            return value
    return value


def _text(value: Any, limit: int = 30) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()[:limit]


# --- Errors ------------------------------------------------------------------------------------------


@dataclass
class ErrorLog:
    layout: Layout
    count: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: int, key: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MemberImport.MAX_STORED_ERRORS:
            position = self.layout.index.get(key)
            cell = f"{get_column_letter(position + 1)}{row}" if position is not None and row else ""
            self.items.append(
                {"row": row, "column": self.layout.label(key) if key else "", "cell": cell, "message": str(message)}
            )


# --- Units and tags --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    id: int
    path: str
    union_id: int | None


class UnitIndex:
    """The units in the import's scope, found by code or exact name, with the union each belongs to."""

    def __init__(self, scope: OrgUnit):
        self.scope_path = scope.path
        ancestors = [scope.path[:i] for i in range(OrgUnit.steplen, len(scope.path), OrgUnit.steplen)]
        rows = list(
            OrgUnit.objects.filter(Q(path__startswith=scope.path) | Q(path__in=ancestors)).values_list(
                "id", "path", "code", "name", "kind"
            )
        )
        unions = {path: pk for pk, path, _c, _n, kind in rows if kind == OrgUnit.Kind.UNION}
        self.by_code: dict[str, UnitRef] = {}
        self.by_name: dict[str, list[UnitRef]] = {}
        for pk, path, code, name, _kind in rows:
            if not path.startswith(scope.path):
                continue
            union_id = next(
                (
                    unions[path[:i]]
                    for i in range(len(path), 0, -OrgUnit.steplen)
                    if path[:i] in unions  # the nearest union at or above the unit
                ),
                None,
            )
            ref = UnitRef(pk, path, union_id)
            self.by_code[code] = ref
            self.by_name.setdefault(name, []).append(ref)

    def resolve(self, value: Any) -> tuple[UnitRef | None, str | None]:
        """(unit, None) when found in scope; (None, message) when wrong; (None, None) when unknown here."""
        text = _text(value, 100)
        if not text:
            return None, _("This field is required.")
        ref = self.by_code.get(text)
        if ref is None:
            named = self.by_name.get(text, [])
            if len(named) > 1:
                return None, _("Several units are called “%(value)s”; write the unit's code instead.") % {
                    "value": text[:30]
                }
            ref = named[0] if named else None
        if ref is None:
            return None, None
        if ref.union_id is None:
            return None, _("Members can only be placed in a union or below it.")
        return ref, None

    @staticmethod
    def explain_missing(values: set[str]) -> dict[str, str]:
        """Messages for values not found in scope: outside the importer's scope, or unknown."""
        outside = set()
        if values:
            for code, name in OrgUnit.objects.filter(Q(code__in=values) | Q(name__in=values)).values_list(
                "code", "name"
            ):
                outside.update({code, name})
        return {
            v: (
                _("The unit “%(value)s” is outside your scope.") % {"value": v[:30]}
                if v in outside
                else _("There is no unit with the code or name “%(value)s”.") % {"value": v[:30]}
            )
            for v in values
        }


class TagIndex:
    def __init__(self):
        self.by_name: dict[str, int] = {}
        for pk, code, name in MemberTag.objects.values_list("id", "code", "name"):
            self.by_name[name] = pk
            self.by_name.setdefault(code, pk)
            self.by_name.setdefault(code.lower(), pk)

    def resolve(self, value: Any) -> tuple[tuple[int, ...], list[str]]:
        names = [t.strip() for t in TAG_SEPARATORS.split(_text(value, 1000)) if t.strip()]
        ids, unknown = set(), []
        for name in names:
            pk = self.by_name.get(name, self.by_name.get(name.lower()))
            if pk is None:
                unknown.append(name[:20])
            else:
                ids.add(pk)
        return tuple(sorted(ids)), unknown


# --- Pass 1: validation ------------------------------------------------------------------------------


@dataclass(slots=True)
class CleanRow:
    row: int
    union_id: int
    unit_id: int
    unit_path: str
    fields: dict[str, Any]
    tag_ids: tuple[int, ...] | None


class Validator:
    """Checks rows batch by batch; remembers only the keys needed to find duplicates within the file."""

    def __init__(self, *, scope: OrgUnit, layout: Layout, errors: ErrorLog):
        self.scope_path = scope.path
        self.layout = layout
        self.errors = errors
        self.units = UnitIndex(scope)
        self.tags = TagIndex() if layout.present("tags") else None
        self.compared = [f for f in EDITABLE_FIELDS if f not in OPTIONAL_FIELDS or layout.present(f)]
        self.seen_employee: dict[str, int] = {}
        self.seen_id: dict[str, int] = {}
        self.seen_mobile: dict[str, int] = {}

    def check(self, batch: list[tuple[int, dict[str, Any]]]) -> list[CleanRow]:
        rows: list[CleanRow] = []
        missing_units: dict[str, list[int]] = {}
        for row_no, raw in batch:
            clean = self._clean(row_no, raw, missing_units)
            if clean is not None:
                rows.append(clean)
        if missing_units:
            for value, message in UnitIndex.explain_missing(set(missing_units)).items():
                for row_no in missing_units[value]:
                    self.errors.add(row_no, "unit", message)
        return self._check_database(self._check_file_duplicates(rows))

    def _clean(self, row_no: int, raw: dict[str, Any], missing_units: dict[str, list[int]]) -> CleanRow | None:
        data = {f: raw.get(f) for f in EDITABLE_FIELDS}
        data["birth_date"] = _excel_date(data["birth_date"])
        data["joined_on"] = _excel_date(data["joined_on"])
        if isinstance(data["gender"], str):
            data["gender"] = GENDER_WORDS.get(data["gender"].strip(), data["gender"])
        ok = True
        try:
            cleaned = clean_member_fields(data)
        except ValidationError as exc:
            ok = False
            cleaned = {}
            for key, messages in exc.message_dict.items():
                self.errors.add(row_no, key, messages[0])
        unit, message = self.units.resolve(raw.get("unit"))
        if unit is None:
            ok = False
            if message is None:
                missing_units.setdefault(_text(raw.get("unit"), 100), []).append(row_no)
            else:
                self.errors.add(row_no, "unit", message)
        tag_ids = None
        if self.tags is not None:
            tag_ids, unknown = self.tags.resolve(raw.get("tags"))
            if unknown:
                ok = False
                self.errors.add(row_no, "tags", _("Unknown tags: %(tags)s.") % {"tags": "、".join(unknown)})
        if not ok or unit is None:
            return None
        fields = {f: cleaned[f] for f in self.compared}
        return CleanRow(row_no, unit.union_id, unit.id, unit.path, fields, tag_ids)

    def _check_file_duplicates(self, rows: list[CleanRow]) -> list[CleanRow]:
        kept = []
        for r in rows:
            ok = True
            checks = [
                ("employee_no", self.seen_employee, f"{r.union_id}:{r.fields['employee_no']}"),
                ("id_number", self.seen_id, f"{r.union_id}:{r.fields.get('id_number') or ''}"),
                ("mobile", self.seen_mobile, r.fields.get("mobile") or ""),
            ]
            for key, seen, value in checks:
                if key not in r.fields or not r.fields[key]:
                    continue
                first = seen.get(value)
                if first is not None:
                    ok = False
                    self.errors.add(
                        r.row, key, _("The same value is already on row %(row)d of this file.") % {"row": first}
                    )
                else:
                    seen[value] = r.row
            if ok:
                kept.append(r)
        return kept

    def _check_database(self, rows: list[CleanRow]) -> list[CleanRow]:
        if not rows:
            return rows
        unions = {r.union_id for r in rows}
        existing = {
            (union_id, no): path
            for union_id, no, path in Member.objects.filter(
                union_id__in=unions, employee_no__in={r.fields["employee_no"] for r in rows}
            ).values_list("union_id", "employee_no", "unit_path")
        }
        ids = {r.fields["id_number"] for r in rows if r.fields.get("id_number")}
        id_owner = (
            {
                (union_id, id_number): no
                for union_id, id_number, no in Member.objects.filter(
                    union_id__in=unions, id_number__in=ids
                ).values_list("union_id", "id_number", "employee_no")
            }
            if ids
            else {}
        )
        mobiles = {r.fields["mobile"] for r in rows if r.fields.get("mobile")}
        mobile_owner = (
            {
                mobile: (union_id, no)
                for mobile, union_id, no in Member.objects.filter(mobile__in=mobiles).values_list(
                    "mobile", "union_id", "employee_no"
                )
            }
            if mobiles
            else {}
        )
        kept = []
        for r in rows:
            ok = True
            no = r.fields["employee_no"]
            path = existing.get((r.union_id, no))
            if path is not None and not path.startswith(self.scope_path):
                ok = False
                self.errors.add(r.row, "employee_no", _("This employee number belongs to a member outside your scope."))
            owner = id_owner.get((r.union_id, r.fields.get("id_number")))
            if owner is not None and owner != no:
                ok = False
                self.errors.add(r.row, "id_number", _("Another member of this union already has this ID number."))
            mobile_of = mobile_owner.get(r.fields.get("mobile"))
            if mobile_of is not None and mobile_of != (r.union_id, no):
                ok = False
                self.errors.add(r.row, "mobile", _("Another member already uses this mobile number."))
            if ok:
                kept.append(r)
        return kept


# --- Pass 2: writing ---------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class Writer:
    """Upserts one batch of valid rows: bulk inserts, bulk updates of changed rows only, tag links."""

    def __init__(self, *, actor, compared: list[str], with_tags: bool):
        self.actor = actor
        self.compared = compared
        self.with_tags = with_tags
        self.counts = Counts()
        self.joined_reason = _("Joined the union")
        self.through = Member.tags.through
        self._pinyin: dict[str, tuple[str, str]] = {}  # names repeat a lot in a large roster

    def pinyin(self, name: str) -> tuple[str, str]:
        keys = self._pinyin.get(name)
        if keys is None:
            keys = (pinyin_key(name), pinyin_initials(name))
            if len(self._pinyin) < 100_000:
                self._pinyin[name] = keys
        return keys

    def write(self, rows: list[CleanRow]) -> None:
        now = timezone.now()
        existing = {
            (m.union_id, m.employee_no): m
            for m in Member.objects.filter(
                union_id__in={r.union_id for r in rows}, employee_no__in=[r.fields["employee_no"] for r in rows]
            ).only("id", "union", "unit", "unit_path", "status", *self.compared)
        }
        current_tags: dict[int, set[int]] = {}
        if self.with_tags and existing:
            for member_id, tag_id in self.through.objects.filter(
                member_id__in=[m.pk for m in existing.values()]
            ).values_list("member_id", "membertag_id"):
                current_tags.setdefault(member_id, set()).add(tag_id)
        new: list[tuple[Member, CleanRow]] = []
        changed: list[Member] = []
        changed_fields: set[str] = set()
        add_links: list[tuple[int, int]] = []
        remove_links = Q()
        removing = False
        for r in rows:
            member = existing.get((r.union_id, r.fields["employee_no"]))
            if member is None:
                member = Member(union_id=r.union_id, unit_id=r.unit_id, unit_path=r.unit_path, **r.fields)
                member.name_pinyin, member.name_initials = self.pinyin(member.name)
                new.append((member, r))
                continue
            fields = [f for f in self.compared if getattr(member, f) != r.fields[f]]
            for f in fields:
                setattr(member, f, r.fields[f])
            if "name" in fields:
                member.name_pinyin, member.name_initials = self.pinyin(member.name)
                fields += ["name_pinyin", "name_initials"]
            if member.unit_id != r.unit_id:
                member.unit_id, member.unit_path = r.unit_id, r.unit_path
                fields += ["unit", "unit_path"]
            tags_changed = False
            if r.tag_ids is not None:
                old, wanted = current_tags.get(member.pk, set()), set(r.tag_ids)
                if old != wanted:
                    tags_changed = True
                    add_links += [(member.pk, t) for t in wanted - old]
                    if old - wanted:
                        removing = True
                        remove_links |= Q(member_id=member.pk, membertag_id__in=old - wanted)
            if fields or tags_changed:
                member.updated_at = now
                changed.append(member)
                changed_fields.update(fields)
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1
        if new:
            Member.objects.bulk_create([m for m, _r in new], batch_size=500)
            MemberStatusChange.objects.bulk_create(
                [
                    MemberStatusChange(
                        member_id=m.pk,
                        old_status="",
                        new_status=m.status,
                        effective_on=m.joined_on,
                        reason=self.joined_reason,
                        changed_by=self.actor,
                    )
                    for m, _r in new
                ],
                batch_size=1000,
            )
            add_links += [(m.pk, t) for m, r in new for t in (r.tag_ids or ())]
            self.counts.created += len(new)
        if changed:
            Member.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}), batch_size=250)
        if removing:
            self.through.objects.filter(remove_links).delete()
        if add_links:
            self.through.objects.bulk_create(
                [self.through(member_id=m, membertag_id=t) for m, t in add_links], batch_size=1000
            )


# --- Progress -----------------------------------------------------------------------------------------


def _progress_path(job_id: int) -> Path:
    return imports_dir() / f"{job_id}.progress.json"


def _write_progress(job_id: int, written: int) -> None:
    """Rows written so far in pass 2. Pass 2 is one transaction that others cannot see into (and on SQLite
    no other connection may write meanwhile), so its progress goes to a small file beside the upload."""
    path = _progress_path(job_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"written": written}))
    os.replace(tmp, path)


@dataclass(frozen=True)
class Progress:
    status: str
    processed: int
    total: int
    percent: int | None


def roster_import_progress(job: MemberImport) -> Progress:
    """How far the import has come: pass 1 fills the first half of the bar, pass 2 the second."""
    total = job.rows_total
    if job.status == Status.DONE:
        return Progress(job.status, total, total, 100)
    if job.status == Status.FAILED:
        return Progress(job.status, job.rows_processed, total, None)
    if job.status == Status.QUEUED or not total:
        return Progress(job.status, 0, total, 0 if job.status == Status.QUEUED else None)
    processed = job.rows_processed
    if job.status == Status.IMPORTING:
        try:
            processed = json.loads(_progress_path(job.pk).read_text())["written"]
        except (OSError, ValueError, KeyError):
            processed = 0
        percent = 50 + 50 * min(processed, total) // total
    else:
        percent = 50 * min(processed, total) // total
    return Progress(job.status, processed, total, percent)


# --- The template ----------------------------------------------------------------------------------------


def roster_import_template(*, actor) -> io.BytesIO:
    """An empty roster workbook: the header row, column notes, the actor's units and the allowed values."""
    require(actor, PERMISSION)
    language = translation.get_language()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Roster")[:31]
    bold = Font(bold=True)
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.label(language) + (" *" if column.required else ""))
        cell.font = bold
        sheet.column_dimensions[letter].width = column.width + 4
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.append([_("Column"), _("Also accepted"), _("Required"), _("What to write")])
    for column in COLUMNS:
        other = column.en if column.label(language) == column.zh else column.zh
        notes.append([column.label(language), other, _("yes") if column.required else _("no"), str(column.help)])
    notes.append([])
    notes.append([_("One member per row below the column names. Rows are matched on the employee number:")])
    notes.append([_("a new number adds a member, a known one updates that member. If any row is wrong,")])
    notes.append([_("nothing is imported and every problem is listed with its row and column.")])
    for letter, width in zip("ABCD", (14, 18, 10, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = bold

    units = workbook.create_sheet(_("Units")[:31])
    units.append([_("Code"), pgettext("org unit", "Name"), _("Kind")])
    for code, name, kind in (
        OrgUnit.objects.filter(scope_q(actor, PERMISSION, "path"))
        .order_by("path")
        .values_list("code", "name", "kind")[:5000]
    ):
        units.append([code, name, str(OrgUnit.Kind(kind).label)])
    for letter, width in zip("ABC", (16, 30, 14), strict=True):
        units.column_dimensions[letter].width = width
    for cell in units[1]:
        cell.font = bold

    values = workbook.create_sheet(_("Allowed values")[:31])
    lists = [
        ("gender", Member.Gender),
        ("job_category", Member.JobCategory),
        ("employment_form", Member.EmploymentForm),
    ]
    values.append(
        [next(c for c in COLUMNS if c.key == key).label(language) for key, _choices in lists]
        + [next(c for c in COLUMNS if c.key == "tags").label(language)]
    )
    columns_of_values = [[str(label) for _v, label in choices.choices] for _key, choices in lists]
    columns_of_values.append(list(MemberTag.objects.order_by("name").values_list("name", flat=True)[:500]))
    for row in range(max(len(c) for c in columns_of_values)):
        values.append([c[row] if row < len(c) else None for c in columns_of_values])
    for index, (key, _choices) in enumerate(lists):
        letter = get_column_letter(index + 1)
        values.column_dimensions[letter].width = 22
        position = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
        quoted = values.title.replace("'", "''")
        validation = DataValidation(
            type="list",
            formula1=f"'{quoted}'!${letter}$2:${letter}${len(columns_of_values[index]) + 1}",
            allow_blank=True,
        )
        validation.add(f"{get_column_letter(position)}2:{get_column_letter(position)}{max_rows() + 1}")
        sheet.add_data_validation(validation)
    for cell in values[1]:
        cell.font = bold

    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


# --- Services ------------------------------------------------------------------------------------------


def _scope_unit(actor, unit: OrgUnit | None) -> OrgUnit:
    if unit is not None:
        require(actor, PERMISSION, unit)
        return unit
    roots = scope_roots(actor, PERMISSION)
    if len(roots) != 1:
        raise ValidationError({"unit": _("Choose the unit to import into.")})
    return OrgUnit.objects.get(path=roots[0])


def _save_upload(upload) -> Path:
    limit = max_upload_bytes()
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise ValidationError(_too_big(limit), code="too_big")
    path = imports_dir() / f"{uuid.uuid4().hex}.xlsx"
    written = 0
    try:
        with path.open("xb") as out:
            os.chmod(path, 0o600)
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise ValidationError(_too_big(limit), code="too_big")
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _too_big(limit: int) -> str:
    return _("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:.0f}"}


def roster_import_start(*, actor, upload, unit: OrgUnit | None = None, language: str = "") -> MemberImport:
    """Check an uploaded roster and queue its import into ``unit``'s subtree (the actor's scope by default).

    Raises ``ValidationError`` (nothing stored) when the file is too big, not an .xlsx, empty, damaged,
    has too many rows or lacks a required column.
    """
    require(actor, PERMISSION, unit)
    scope = _scope_unit(actor, unit)
    file_name = Path(str(getattr(upload, "name", "") or "roster.xlsx")).name[:255]
    if not file_name.lower().endswith((".xlsx", ".xlsm")):
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Save the file in Excel as “Excel Workbook (*.xlsx)”."),
            code="not_xlsx",
        )
    path = _save_upload(upload)
    try:
        layout = inspect_workbook(path)
        with transaction.atomic():
            job = MemberImport.objects.create(
                created_by=actor,
                scope_unit=scope,
                scope_path=scope.path,
                file_name=file_name,
                file_path=str(path.relative_to(Path(settings.MEDIA_ROOT))),
                file_size=path.stat().st_size,
                language=language or translation.get_language() or "",
                rows_total=layout.rows_estimate,
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def _enqueue(job_id: int) -> None:
    from unionhome.org.tasks import run_member_import

    run_member_import.enqueue(job_id)


def roster_import_run(import_id: int) -> str:
    """Run a queued import (called by the task worker); returns the final status."""
    claimed = MemberImport.objects.filter(pk=import_id, status=Status.QUEUED).update(
        status=Status.VALIDATING, started_at=timezone.now(), rows_processed=0
    )
    job = MemberImport.objects.select_related("created_by", "scope_unit").filter(pk=import_id).first()
    if job is None:
        return "missing"
    if not claimed:
        return job.status
    path = Path(settings.MEDIA_ROOT) / job.file_path
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            return _run(job, path)
        except Exception:
            logger.exception("member import %s stopped", import_id)
            _finish_failed(job, [], 0, _("The import stopped on an unexpected error; nothing was written."))
            raise
        finally:
            path.unlink(missing_ok=True)
            _progress_path(job.pk).unlink(missing_ok=True)


def _run(job: MemberImport, path: Path) -> str:
    actor = job.created_by
    if actor is None or not can(actor, PERMISSION, job.scope_unit):
        return _finish_failed(job, [], 0, _("The uploader may no longer import members into this unit."))
    started = time.monotonic()
    with tempfile.TemporaryFile(dir=imports_dir()) as spool:
        # Pass 1: every row checked; the cleaned rows go to the spool while none is wrong.
        try:
            with opened_roster(path) as (layout, sheet):
                errors = ErrorLog(layout)
                validator = Validator(scope=job.scope_unit, layout=layout, errors=errors)
                rows_seen = _validate(job, sheet, layout, validator, errors, spool)
        except ValidationError as exc:
            return _finish_failed(job, [], 0, " ".join(exc.messages))
        except OSError:
            return _finish_failed(job, [], 0, _("The uploaded file is no longer available; upload it again."))
        if errors.count:
            return _finish_failed(
                job,
                errors.items,
                errors.count,
                _("Nothing was imported: correct the rows below and upload the file again."),
                rows_seen,
            )
        # Pass 2: all rows written in one transaction.
        checked = time.monotonic()
        MemberImport.objects.filter(pk=job.pk).update(
            status=Status.IMPORTING, rows_total=rows_seen, rows_processed=0, updated_at=timezone.now()
        )
        _write_progress(job.pk, 0)
        spool.seek(0)
        try:
            counts = _write(job, actor, validator, spool, rows_seen)
        except IntegrityError:
            return _finish_failed(
                job,
                [],
                0,
                _("The roster was changed by someone else during the import; nothing was written. Try again."),
                rows_seen,
            )
    logger.info(
        "member import %s: %d rows checked in %.1f s, written in %.1f s (%s)",
        job.pk,
        rows_seen,
        checked - started,
        time.monotonic() - checked,
        counts,
    )
    return Status.DONE


def _validate(job, sheet, layout, validator, errors: ErrorLog, spool: IO[bytes]) -> int:
    total = max(layout.rows_estimate, 1)
    rows_seen = 0
    batch: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        clean = validator.check(batch)
        if not errors.count:  # once a row is wrong nothing will be written: stop keeping rows
            pickle.dump(clean, spool, protocol=pickle.HIGHEST_PROTOCOL)
        batch.clear()
        MemberImport.objects.filter(pk=job.pk).update(
            rows_processed=rows_seen, rows_total=max(total, rows_seen), updated_at=timezone.now()
        )

    for row_no, raw in _read_rows(sheet, layout):
        rows_seen += 1
        if rows_seen > max_rows():
            errors.add(
                row_no,
                "",
                _("The file has more than %(limit)d rows; split it into several files.") % {"limit": max_rows()},
            )
            break
        batch.append((row_no, raw))
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    if rows_seen == 0:
        errors.add(0, "", _("The file has no member rows below the column names."))
    return rows_seen


def _spooled(spool: IO[bytes]) -> Iterator[list[CleanRow]]:
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 (our own anonymous temporary file)
        except EOFError:
            return


@transaction.atomic
def _write(job: MemberImport, actor, validator: Validator, spool: IO[bytes], rows_seen: int) -> Counts:
    writer = Writer(actor=actor, compared=validator.compared, with_tags=validator.tags is not None)
    written = 0
    for rows in _spooled(spool):
        writer.write(rows)
        written += len(rows)
        _write_progress(job.pk, written)
    counts = writer.counts
    org_recount_members([job.scope_path])
    job.status = Status.DONE
    job.rows_total = job.rows_processed = rows_seen
    job.created_count, job.updated_count, job.unchanged_count = counts.created, counts.updated, counts.unchanged
    job.error_count, job.errors, job.message = 0, [], ""
    job.file_path = ""
    job.finished_at = timezone.now()
    job.save()
    record(
        actor,
        "org.members.imported",
        job,
        file_name=job.file_name,
        scope=job.scope_path,
        rows=rows_seen,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
    )
    return counts


@transaction.atomic
def _finish_failed(
    job: MemberImport, errors: list[dict], error_count: int, message: str, rows_seen: int | None = None
) -> str:
    job.refresh_from_db(fields=["rows_processed", "rows_total"])
    job.status = Status.FAILED
    job.errors = sorted(errors, key=lambda e: (e["row"], len(e["cell"]), e["cell"]))
    job.error_count = error_count
    job.message = message[:500]
    job.file_path = ""
    if rows_seen is not None:
        job.rows_total = job.rows_processed = rows_seen
    job.created_count = job.updated_count = job.unchanged_count = 0
    job.finished_at = timezone.now()
    job.save()
    record(
        job.created_by,
        "org.members.import_failed",
        job,
        file_name=job.file_name,
        scope=job.scope_path,
        errors=error_count,
        message=job.message,
    )
    return Status.FAILED
