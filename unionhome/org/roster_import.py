"""Importing a member roster from an Excel workbook: all rows are written, or none.

``roster_import_start`` checks the upload (size, that it really is an .xlsx, its header), stores
it under ``MEDIA_ROOT`` and queues the run. ``roster_import_run`` (in the task worker) makes two
passes: pass 1 streams every row through the same cleaning as the forms and reports every problem
with its row, column and message; only when there is none does pass 2 upsert the members by
(union, employee number) in one transaction, in batches. Memory stays bounded: rows are streamed
from the workbook, the cleaned rows of pass 1 are spooled to an anonymous temporary file, and only
the keys (employee numbers, ID numbers, mobiles) are kept to catch duplicates within the file.
"""

import json
import logging
import os
import pickle
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import can, require, scope_roots
from unionhome.audit.recorder import record
from unionhome.org.models import Member, MemberImport, MemberStatusChange, OrgUnit
from unionhome.org.names import pinyin_initials, pinyin_key
from unionhome.org.roster_validation import CleanRow, ErrorLog, Validator
from unionhome.org.roster_workbook import (
    PERMISSION,
    imports_dir,
    inspect_workbook,
    max_rows,
    max_upload_bytes,
    opened_roster,
    read_rows,
)
from unionhome.org.services import org_recount_members

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
Status = MemberImport.Status


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

    for row_no, raw in read_rows(sheet, layout):
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
