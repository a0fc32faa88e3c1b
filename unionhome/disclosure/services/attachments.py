"""Files published with a notice: PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx), checked and stored by
``unionhome/uploads.py``. At most ``MAX_ATTACHMENT_BYTES`` each and ``MAX_ATTACHMENTS`` per notice. Unlike
case documents they are not encrypted (a notice is public to its audience), but they are served only
through ``attachment_read``, to the notice's audience and to cadres who may open the notice. Attachments
change only while the notice is a draft.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from unionhome import uploads
from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.disclosure.audience import PUBLISH
from unionhome.disclosure.models import Notice, NoticeAttachment

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
FOLDER = "disclosure"


def storage_path(stored_name: str) -> Path:
    return uploads.private_path(FOLDER, stored_name)


def _draft_of(notice: Notice) -> Notice:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)  # one change at a time per notice
    if locked.status != Notice.Status.DRAFT:
        raise ValidationError({"upload": _("Attachments can only be changed while the notice is a draft.")})
    return locked


@transaction.atomic
def attachment_add(*, actor, notice: Notice, upload: Any) -> NoticeAttachment:
    """Attach ``upload`` to a draft ``notice`` (the publisher: ``disclosure.publish`` on its unit)."""
    require(actor, PUBLISH, notice)
    notice = _draft_of(notice)
    checked = uploads.check_upload(upload, limit=MAX_ATTACHMENT_BYTES)
    if NoticeAttachment.objects.filter(notice=notice).count() >= MAX_ATTACHMENTS:
        raise ValidationError({"upload": _("A notice holds at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}})
    stored_name, path = uploads.store(FOLDER, checked)
    try:
        attachment = NoticeAttachment.objects.create(
            notice=notice,
            original_name=checked.original_name,
            stored_name=stored_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        record(
            actor, "disclosure.attachment.added", notice,
            attachment=attachment.pk, name=checked.original_name, size=checked.size,
        )  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: NoticeAttachment) -> None:
    """Remove an attachment of a draft; the file goes once the removal commits."""
    require(actor, PUBLISH, attachment.notice)
    notice = _draft_of(attachment.notice)
    path = storage_path(attachment.stored_name)
    record(actor, "disclosure.attachment.removed", notice, attachment=attachment.pk, name=attachment.original_name)
    attachment.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


@dataclass(frozen=True)
class AttachmentContent:
    attachment: NoticeAttachment
    data: bytes


def attachment_read(*, attachment: NoticeAttachment) -> AttachmentContent:
    """The file's bytes. The caller has already found the notice through ``selectors.notices.notice_for``,
    which admits only the audience (while the notice is shown) and cadres who may open it."""
    try:
        data = storage_path(attachment.stored_name).read_bytes()
    except FileNotFoundError:
        raise Http404() from None
    return AttachmentContent(attachment, data)
