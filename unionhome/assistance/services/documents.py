"""Supporting documents of hardship files and education-aid applications.

An upload is checked by its content (PDF, JPEG or PNG, recognised by their first bytes, not by the
name the browser sent) and its size (``UNIONHOME_MAX_DOCUMENT_BYTES``), encrypted, and written under
``UNIONHOME_PRIVATE_ROOT`` with a random name: never under the web root, never served by the web
server. ``document_read`` is the only way back to the bytes; it checks the policy and records the read.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.assistance.models import AidApplication, Document, HardshipFile
from unionhome.audit.recorder import record
from unionhome.encryption import decrypt_bytes, encrypt_bytes

# First bytes of each accepted type, and the content type it is served as.
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]
# The file name's ending must agree with the content: a "photo.png" that is really a PDF, or an
# "invoice.pdf.exe", is refused rather than stored under a misleading name.
SUFFIXES = {"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}
MAX_DOCUMENTS_PER_CASE = 30


def _kind_of(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, suffix in SIGNATURES:
        if head.startswith(magic):
            return content_type, suffix
    return None


def _too_big() -> ValidationError:
    mb = settings.UNIONHOME_MAX_DOCUMENT_BYTES / 1024 / 1024
    return ValidationError({"upload": _("The document is larger than %(size)s MB.") % {"size": f"{mb:.0f}"}})


def _read_upload(upload: Any) -> bytes:
    limit = settings.UNIONHOME_MAX_DOCUMENT_BYTES
    if upload is None:
        raise ValidationError({"upload": _("Choose a document to upload.")})
    if getattr(upload, "size", 0) and upload.size > limit:
        raise _too_big()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big()
    if not data:
        raise ValidationError({"upload": _("The document is empty.")})
    return data


def _storage_path(stored_name: str) -> Path:
    return Path(settings.UNIONHOME_PRIVATE_ROOT) / "documents" / stored_name[:2] / stored_name


def case_permission(case: HardshipFile | AidApplication, *, write: bool) -> str:
    if isinstance(case, HardshipFile):
        return "assistance.manage_file" if write else "assistance.view_file"
    return "assistance.review_aid"


def _is_own(actor: Any, case: HardshipFile | AidApplication) -> bool:
    return actor.member_id is not None and case.member_id == actor.member_id


@transaction.atomic
def document_store(
    *, actor: Any, case: HardshipFile | AidApplication, upload: Any, kind: str, own_case_states: tuple[str, ...] = ()
) -> Document:
    """Store ``upload`` as a document of ``case`` (a hardship file or an aid application).

    A cadre needs the case's write permission on its unit. The member may add documents to their own
    case while it is in one of ``own_case_states`` (e.g. a draft file, a submitted application)."""
    own = _is_own(actor, case)
    if not can(actor, case_permission(case, write=True), case) and not (own and case_state(case) in own_case_states):
        if own or can(actor, case_permission(case, write=False), case):
            raise PermissionRefused(case_permission(case, write=True))
        raise OutOfScope()
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": _("Choose the type of document.")})
    if isinstance(case, HardshipFile) and case.state in ("exited", "rejected"):
        raise ValidationError(_("This file is closed; no more documents can be added."))
    data = _read_upload(upload)
    detected = _kind_of(data[:16])
    original = _clean_name(getattr(upload, "name", ""))
    if detected is None or Path(original.lower()).suffix not in SUFFIXES[detected[0]]:
        raise ValidationError({"upload": _("Upload a PDF, JPEG or PNG file.")})
    content_type, suffix = detected
    owner = {"hardship_file": case} if isinstance(case, HardshipFile) else {"aid_application": case}
    type(case).objects.select_for_update().filter(pk=case.pk).first()  # one upload at a time per case
    if Document.objects.filter(**owner).count() >= MAX_DOCUMENTS_PER_CASE:
        raise ValidationError({"upload": _("A case holds at most %(n)s documents.") % {"n": MAX_DOCUMENTS_PER_CASE}})
    stored_name = secrets.token_hex(16) + suffix
    path = _storage_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt_bytes(data))
    try:
        document = Document.objects.create(
            unit_path=case.unit_path,
            kind=kind,
            original_name=original,
            stored_name=stored_name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
            **owner,
        )
        record(actor, "assistance.document.uploaded", document, kind=kind, size=len(data), case=str(case.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    # A rollback of an enclosing transaction can still leave an encrypted file without a row: unreadable
    # without the keys and never served (only rows lead to files).
    return document


def _clean_name(name: object) -> str:
    """The name the browser sent, without folders or control characters, at most 200 characters."""
    text = "".join(ch for ch in Path(str(name or "")).name if ch.isprintable())
    if len(text) > 200:
        stem, dot, ending = text.rpartition(".")
        text = (stem[: 199 - len(ending)] + dot + ending) if dot and len(ending) < 10 else text[:200]
    return text or "document"


def case_state(case: HardshipFile | AidApplication) -> str:
    return case.state if isinstance(case, HardshipFile) else case.status


@dataclass(frozen=True)
class DocumentContent:
    document: Document
    data: bytes


def document_read(*, viewer: Any, document: Document) -> DocumentContent:
    """The document's bytes for ``viewer``: the case's own member or a cadre who may view the case.

    Anyone else gets ``OutOfScope`` (404). Every read is an audit event."""
    case = document.hardship_file or document.aid_application
    if not (_is_own(viewer, case) or can(viewer, case_permission(case, write=False), case)):
        raise OutOfScope()
    try:
        data = decrypt_bytes(_storage_path(document.stored_name).read_bytes())
    except FileNotFoundError:
        raise Http404() from None
    record(viewer, "assistance.document.read", document, case=str(case.pk))
    return DocumentContent(document, data)
