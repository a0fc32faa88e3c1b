"""What the hardship file services share: telling the applicant, locking a file, checking a cadre may
manage a member, and saving a change of state."""

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere
from unionhome.assistance.models import FileEvent, HardshipFile
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import Member

NOTICE_TITLES = {
    "open": gettext_lazy("A hardship file was opened for you"),
    "submit": gettext_lazy("Your hardship application was submitted"),
    "return": gettext_lazy("Your hardship application was returned to you: see the note"),
    "branch_review": gettext_lazy("Your hardship application passed branch review"),
    "reject": gettext_lazy("Your hardship application was not approved"),
    "approve": gettext_lazy("Your hardship file was approved and is in its publicity period"),
    "uphold_objection": gettext_lazy("Your hardship application was not approved"),
    "activate": gettext_lazy("Your hardship file is now active"),
    "re_review": gettext_lazy("The annual re-review of your hardship file is recorded"),
    "exit": gettext_lazy("Your hardship file is closed: you have exited hardship"),
}


def notify_applicant(file: HardshipFile, action: str, actor: Any) -> None:
    """Tell the applicant about a change of their file, in their language (the union's by default)."""
    from unionhome.accounts.models import User

    recipient = User.objects.filter(member_id=file.member_id, is_active=True).first()
    if recipient is None or (actor is not None and recipient.pk == actor.pk):
        return
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        title = str(NOTICE_TITLES[action])
        url = reverse("assistance:file_detail", args=[file.pk])
    notification_send(recipient=recipient, kind=f"assistance.file.{action}", title=title, url=url)


def locked_file(file: HardshipFile) -> HardshipFile:
    try:
        return HardshipFile.objects.select_for_update().get(pk=file.pk)
    except HardshipFile.DoesNotExist:
        raise OutOfScope() from None


def require_manage_member(actor: Any, member: Member) -> None:
    """A cadre opening a file for a member: 403 without the permission, 404 for a member out of scope."""
    if can(actor, "assistance.manage_file", member):
        return
    if has_permission_anywhere(actor, "assistance.manage_file"):
        raise OutOfScope()
    raise PermissionRefused("assistance.manage_file")


def state_change(file: HardshipFile, event: FileEvent) -> list[str]:
    return [event.from_state, event.to_state]


def finish_move(actor: Any, file: HardshipFile, event: FileEvent, **details: Any) -> HardshipFile:
    file.save()
    record(actor, f"assistance.file.{event.action}", file, state=state_change(file, event), **details)
    notify_applicant(file, event.action, actor)
    return file


def today_or_local(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()
