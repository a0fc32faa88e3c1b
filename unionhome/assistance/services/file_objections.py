"""Objections to a hardship file during its publicity: recording and resolving them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can, require
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import HardshipFile, Objection
from unionhome.assistance.services.file_checks import MAX_NOTE, MAX_OBJECTION, State, clean_text, no_control_characters
from unionhome.assistance.services.file_common import finish_move, locked_file, today_or_local
from unionhome.audit.recorder import record


@transaction.atomic
def objection_record(*, actor, file: HardshipFile, summary: str, raised_by: str = "") -> Objection:
    """Record an objection raised during the publicity period (a cadre with ``assistance.manage_file``)."""
    file = locked_file(file)
    if not can(actor, "assistance.view_file", file):
        raise OutOfScope()
    require(actor, "assistance.manage_file", file)
    if file.state != State.PUBLICITY:
        raise ValidationError(_("Objections are recorded during the publicity period only."))
    text = clean_text(summary)
    errors = {}
    if not text:
        errors["summary"] = _("Write down what the objection says.")
    elif len(text) > MAX_OBJECTION or not no_control_characters(text):
        errors["summary"] = _("Use at most %(limit)d characters.") % {"limit": MAX_OBJECTION}
    raised_by = clean_text(raised_by)
    if len(raised_by) > 100 or not no_control_characters(raised_by):
        errors["raised_by"] = _("Use at most %(limit)d characters.") % {"limit": 100}
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        hardship_file=file, unit_path=file.unit_path, summary=text, raised_by=raised_by, recorded_by=actor
    )
    record(actor, "assistance.objection.recorded", objection, file=str(file.pk))
    return objection


@transaction.atomic
def objection_resolve(
    *, actor, objection: Objection, resolution: str, note: str, today: datetime.date | None = None
) -> Objection:
    """Decide an open objection (``assistance.approve_file`` on the file's union or above).

    ``dismissed``: the publicity period goes on. ``upheld``: the file is rejected, the objection being the
    reason the applicant sees."""
    if objection.hardship_file_id is None:
        raise OutOfScope()
    file = locked_file(objection.hardship_file)  # the served item first, then the objection
    today = today_or_local(today)
    if not can(actor, "assistance.view_file", file):
        raise OutOfScope()
    if not can(actor, "assistance.approve_file", file.union):
        raise PermissionRefused("assistance.approve_file")
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolution != Objection.Resolution.OPEN:
        raise ValidationError(_("This objection has already been resolved."))
    if file.state != State.PUBLICITY:
        raise ValidationError(_("Objections are decided during the publicity period only."))
    if resolution not in (Objection.Resolution.DISMISSED, Objection.Resolution.UPHELD):
        raise ValidationError({"resolution": _("Choose whether the objection is dismissed or upheld.")})
    note = clean_text(note)
    if not note:
        raise ValidationError({"resolution_note": _("Say how the objection was looked into and decided.")})
    if len(note) > MAX_OBJECTION or not no_control_characters(note):
        raise ValidationError({"resolution_note": _("Use at most %(limit)d characters.") % {"limit": MAX_OBJECTION}})
    transition = None
    if resolution == Objection.Resolution.UPHELD:
        transition = workflow.check(actor, file, "uphold_objection", today=today)
    objection.resolution, objection.resolution_note = resolution, note
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    record(actor, "assistance.objection.resolved", objection, resolution=resolution, file=str(file.pk))
    if transition is not None:
        reason = objection.summary[:MAX_NOTE]
        event = workflow.move(actor, file, transition, note=reason)
        file.closed_on, file.close_reason = today, reason
        finish_move(actor, file, event, objection=str(objection.pk))
    return objection
