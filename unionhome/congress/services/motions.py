"""Deliberation items (审议事项) laid before a session by the congress office."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils.translation import gettext as _

from unionhome import uploads
from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.congress.models import CongressSession, Motion, MotionDocument


def _clean(kind: str, title: str, summary: str) -> tuple[str, str, str]:
    errors = {}
    title, summary = (title or "").strip(), (summary or "").strip()
    if kind not in Motion.Kind.values:
        errors["kind"] = _("Choose the kind of matter.")
    if not title:
        errors["title"] = _("Give the motion a title.")
    elif len(title) > 200:
        errors["title"] = _("The title is too long (at most 200 characters).")
    if len(summary) > 20000:
        errors["summary"] = _("The summary is too long (at most 20,000 characters).")
    if errors:
        raise ValidationError(errors)
    return kind, title, summary


@transaction.atomic
def motion_create(*, actor: Any, session: CongressSession, kind: str, title: str, summary: str = "") -> Motion:
    require(actor, "congress.manage", session)
    if session.status == CongressSession.Status.CLOSED:
        raise ValidationError(_("This session is closed: no new motions."))
    kind, title, summary = _clean(kind, title, summary)
    position = (Motion.objects.filter(session=session).aggregate(m=Max("position"))["m"] or 0) + 1
    motion = Motion.objects.create(
        session=session, unit_path=session.unit_path, kind=kind, title=title, summary=summary,
        position=position, created_by=actor,
    )  # fmt: skip
    record(actor, "congress.motion.create", motion, title=title, kind=kind, session=session.pk)
    return motion


@transaction.atomic
def motion_update(*, actor: Any, motion: Motion, kind: str, title: str, summary: str = "") -> Motion:
    require(actor, "congress.manage", motion)
    if motion.votes.exclude(status="draft").exists():
        raise ValidationError(_("A motion that has been put to the vote cannot be changed."))
    kind, title, summary = _clean(kind, title, summary)
    changes = {f: [getattr(motion, f), v] for f, v in (("kind", kind), ("title", title)) if getattr(motion, f) != v}
    motion.kind, motion.title, motion.summary = kind, title, summary
    motion.save(update_fields=["kind", "title", "summary"])
    record(actor, "congress.motion.update", motion, **changes)
    return motion


# --- Documents laid before the congress ----------------------------------------------------------

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS = 10
FOLDER = "congress"


@transaction.atomic
def motion_document_add(*, actor: Any, motion: Motion, upload: Any) -> MotionDocument:
    """Lay a document (the draft plan, the contract text…) before the congress with ``motion``."""
    require(actor, "congress.manage", motion)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)  # one change at a time per motion
    checked = uploads.check_upload(upload, limit=MAX_DOCUMENT_BYTES)
    if MotionDocument.objects.filter(motion=motion).count() >= MAX_DOCUMENTS:
        raise ValidationError({"upload": _("A motion holds at most %(n)s documents.") % {"n": MAX_DOCUMENTS}})
    stored_name, path = uploads.store(FOLDER, checked)
    try:
        document = MotionDocument.objects.create(
            motion=motion,
            original_name=checked.original_name,
            stored_name=stored_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        record(actor, "congress.motion.document_added", motion, name=checked.original_name, size=checked.size)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return document


def motion_document_bytes(document: MotionDocument) -> bytes:
    """The document's bytes; the caller found the motion through ``selectors.votes.motion_for``."""
    try:
        return uploads.private_path(FOLDER, document.stored_name).read_bytes()
    except FileNotFoundError:
        raise Http404() from None
