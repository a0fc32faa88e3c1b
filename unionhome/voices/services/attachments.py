"""Photos and documents sent with an appeal: JPEG, PNG or PDF, at most ``MAX_ATTACHMENTS`` of at most
``UNIONHOME_MAX_DOCUMENT_BYTES`` each, recognised by content (``unionhome/uploads.py``).

Every image is decoded and encoded again with Pillow (turned upright first), so that nothing of the
original file but its pixels is kept: no EXIF (camera, time, GPS position), no comments, no ICC or XMP
blocks. A PDF is written again with pypdf without its document information (author, creating program,
dates) and its XMP metadata, also on its pages. Both are done for every appeal, named or not. The files of
an anonymous appeal get neutral names (``photo-1.jpg``): a phone's file name can carry a date or a name.

``attachments_check`` reads and checks everything before anything is written; ``attachments_store`` then
writes the files and their rows, and removes the files it wrote when anything fails.
"""

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from unionhome import uploads
from unionhome.voices.models import Appeal, AppealAttachment

MAX_ATTACHMENTS = 5
ALLOWED = (uploads.JPEG, uploads.PNG, uploads.PDF)
FOLDER = "voices"
NAME_MAX_LENGTH = 120
# A photo larger than this many pixels is refused (a phone photo has about 12 to 50 million).
MAX_PIXELS = 40_000_000

# Pillow logs every EXIF tag it reads (GPS position included) at DEBUG: settings.LOGGING keeps it at INFO.


@dataclass(frozen=True)
class Prepared:
    checked: uploads.Checked
    name: str


def storage_path(stored_name: str) -> Path:
    return uploads.private_path(FOLDER, stored_name)


def max_bytes() -> int:
    return int(settings.UNIONHOME_MAX_DOCUMENT_BYTES)


def _short_name(name: str) -> str:
    if len(name) <= NAME_MAX_LENGTH:
        return name
    stem, dot, ending = name.rpartition(".")
    if dot and len(ending) < 10:
        return stem[: NAME_MAX_LENGTH - 1 - len(ending)] + dot + ending
    return name[:NAME_MAX_LENGTH]


def without_metadata(data: bytes, content_type: str) -> bytes:
    """The image drawn again: the same pixels, upright, with no metadata. Raises ``ValidationError`` for
    an image Pillow cannot read or one too large to decode safely."""
    bad = ValidationError({"attachments": _("One of the photos could not be read. Send a JPEG or PNG photo.")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError({"attachments": _("One of the photos has too many pixels.")})
                image.load()
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if content_type == uploads.JPEG:
                    if upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, format="JPEG", quality=88, optimize=True)
                else:
                    if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                        upright = upright.convert("RGBA")
                    upright.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bad from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # a truncated or broken file
        raise bad from exc
    return out.getvalue()


def pdf_without_metadata(data: bytes) -> bytes:
    """The PDF written again without its document information, XMP metadata or per-page metadata.
    Raises ``ValidationError`` for a PDF pypdf cannot read, or one with a password."""
    bad = ValidationError({"attachments": _("One of the PDF files could not be read. Send it without a password.")})
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise bad
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo", "/LastModified"):
                page.pop(key, None)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # what was cut off
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise bad from exc  # a broken or hostile file
    return out.getvalue()


def attachments_check(files: Iterable[Any], *, anonymous: bool) -> list[Prepared]:
    """Read and check every upload (count, size, type by content) and clean the images; writes nothing."""
    files = [f for f in files if f is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("Attach at most %(count)s files.") % {"count": MAX_ATTACHMENTS}})
    limit = max_bytes()
    prepared: list[Prepared] = []
    for number, upload in enumerate(files, start=1):
        try:
            checked = uploads.check_upload(upload, limit=limit)
        except ValidationError as exc:
            messages = exc.message_dict.get("upload", exc.messages) if hasattr(exc, "error_dict") else exc.messages
            raise ValidationError({"attachments": messages}) from exc
        if checked.content_type not in ALLOWED:
            raise ValidationError({"attachments": _("Attach photos (JPEG or PNG) or PDF files only.")})
        if checked.content_type in (uploads.JPEG, uploads.PNG, uploads.PDF):
            if checked.content_type == uploads.PDF:
                data = pdf_without_metadata(checked.data)
            else:
                data = without_metadata(checked.data, checked.content_type)
            checked = uploads.Checked(
                data, checked.content_type, checked.original_name, hashlib.sha256(data).hexdigest()
            )
        if anonymous:
            stem = "document" if checked.content_type == uploads.PDF else "photo"
            name = f"{stem}-{number}{uploads.SUFFIX_OF[checked.content_type]}"
        else:
            name = _short_name(checked.original_name)
        prepared.append(Prepared(checked, name))
    return prepared


def attachments_store(appeal: Appeal, prepared: list[Prepared], written: list[Path]) -> list[AppealAttachment]:
    """Write the files and their rows; every file written is added to ``written`` so that the caller can
    remove them if its transaction fails."""
    rows = []
    for item in prepared:
        stored_name, path = uploads.store(FOLDER, item.checked)
        written.append(path)
        rows.append(
            AppealAttachment.objects.create(
                appeal=appeal,
                original_name=item.name,
                stored_name=stored_name,
                content_type=item.checked.content_type,
                size=item.checked.size,
                sha256=item.checked.sha256,
            )
        )
    return rows


def attachment_read(attachment: AppealAttachment) -> bytes:
    """The file's bytes. The caller found the attachment through a selector that checked who may see it."""
    try:
        return storage_path(attachment.stored_name).read_bytes()
    except FileNotFoundError:
        raise Http404() from None
