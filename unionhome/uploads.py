"""Uploaded files that are kept as they are (not encrypted): checked by content, stored privately.

A file is recognised by its content, not by the name the browser sent: the first bytes for PDF, JPEG
and PNG; for .docx and .xlsx (both ZIP packages) the package's table of contents must name the main
Word or Excel part. The name's ending must agree with the content (a "photo.png" that is really a PDF,
or an "invoice.pdf.exe", is refused). Files are written under ``UNIONHOME_PRIVATE_ROOT`` with a random
name, never under the web root, and served only through views that check the policy.

Used by disclosure attachments and motion documents. Case documents of the assistance centre are
encrypted and follow their own module (``assistance/services/documents.py``).
"""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGNATURES: list[tuple[bytes, str]] = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
ZIP_SIGNATURE = b"PK\x03\x04"
# The part that makes a ZIP package a Word document or an Excel workbook.
PACKAGE_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
SUFFIXES = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg"}, PNG: {".png"}, DOCX: {".docx"}, XLSX: {".xlsx"}}
SUFFIX_OF = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}


def content_type_of(data: bytes) -> str | None:
    """The accepted type ``data`` really is, or None."""
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data.startswith(ZIP_SIGNATURE):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())  # the directory only: nothing inflated
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            for part, content_type in PACKAGE_PARTS.items():
                if part in names:
                    return content_type
    return None


def read_upload(upload: Any, limit: int) -> bytes:
    """The upload's bytes, or a clear error for none, an empty file, or one over ``limit`` bytes."""
    if upload is None:
        raise ValidationError({"upload": _("Choose a file to attach.")})
    too_big = ValidationError(
        {"upload": _("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:.0f}"}}
    )
    if getattr(upload, "size", 0) and upload.size > limit:
        raise too_big
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationError({"upload": _("The file is empty.")})
    return data


def clean_name(name: object) -> str:
    """The name the browser sent, without folders or control characters, at most 200 characters."""
    text = "".join(ch for ch in Path(str(name or "")).name if ch.isprintable())
    if len(text) > 200:
        stem, dot, ending = text.rpartition(".")
        text = (stem[: 199 - len(ending)] + dot + ending) if dot and len(ending) < 10 else text[:200]
    return text or "attachment"


@dataclass(frozen=True)
class Checked:
    data: bytes
    content_type: str
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_upload(upload: Any, *, limit: int) -> Checked:
    """Read and check an upload: one of the accepted types, by content, with a name that agrees."""
    data = read_upload(upload, limit)
    content_type = content_type_of(data)
    original = clean_name(getattr(upload, "name", ""))
    if content_type is None or Path(original.lower()).suffix not in SUFFIXES[content_type]:
        raise ValidationError({"upload": _("Attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file.")})
    return Checked(data, content_type, original, hashlib.sha256(data).hexdigest())


def private_path(folder: str, stored_name: str) -> Path:
    return Path(settings.UNIONHOME_PRIVATE_ROOT) / folder / stored_name[:2] / stored_name


def store(folder: str, checked: Checked) -> tuple[str, Path]:
    """Write the file under a new random name; returns (stored name, path). Remove the path if the
    record that names it is not saved."""
    stored_name = secrets.token_hex(16) + SUFFIX_OF[checked.content_type]
    path = private_path(folder, stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(checked.data)
    return stored_name, path
