"""Every write of "you said, we did" (``FeedbackAction``): cadres with ``satisfaction.manage_surveys`` on the
unit write a note, edit it, publish it to the members of the unit's subtree and withdraw it again.

Each function checks the permission on the note's unit first, validates everything (a ``ValidationError`` per
field, nothing written), and records an audit event in the same transaction.
"""

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit
from unionhome.satisfaction.models import FeedbackAction
from unionhome.satisfaction.service_lines import is_service_line

PERMISSION = "satisfaction.manage_surveys"
LIMITS = {"title": 100, "said": 1000, "done": 2000, "topic": 50}
REQUIRED = ("title", "said", "done")
EDITABLE = ("title", "said", "done", "survey", "service_line", "topic")


def _text(value: Any, field: str, *, multiline: bool, errors: dict[str, str]) -> str:
    text = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        errors[field] = _("This text contains control characters or invalid characters.")
    elif field in REQUIRED and not text:
        errors[field] = _("This field is required.")
    elif len(text) > LIMITS[field]:
        errors[field] = _("Use at most %(max_length)s characters.") % {"max_length": LIMITS[field]}
    return text


def _related(unit_path: str, survey) -> bool:
    """A survey of the unit, of a unit above it or of a unit below it (what its workers could have said)."""
    return survey.unit_path.startswith(unit_path) or unit_path.startswith(survey.unit_path)


def clean_fields(unit: OrgUnit, data: dict[str, Any]) -> dict[str, Any]:
    """The fields as stored; ``ValidationError`` naming each bad one."""
    errors: dict[str, str] = {}
    fields = {
        "title": _text(data.get("title"), "title", multiline=False, errors=errors),
        "said": _text(data.get("said"), "said", multiline=True, errors=errors),
        "done": _text(data.get("done"), "done", multiline=True, errors=errors),
        "topic": _text(data.get("topic") or "", "topic", multiline=False, errors=errors),
    }
    line = data.get("service_line") or ""
    if line and (not isinstance(line, str) or not is_service_line(line)):
        errors["service_line"] = _("Choose a service line from the list.")
    fields["service_line"] = line if isinstance(line, str) else ""
    survey = data.get("survey")
    if survey is not None and not _related(unit.path, survey):
        errors["survey"] = _("Choose a survey of this unit, or of a unit above or below it.")
    fields["survey"] = survey
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def feedback_action_create(*, actor: Any, unit: OrgUnit, publish: bool = False, **data: Any) -> FeedbackAction:
    """Write a note for ``unit`` (a draft, or published at once with ``publish``): ``title`` (at most 100
    characters), ``said`` (what workers said, 1,000), ``done`` (what was done, 2,000) and optionally a
    ``survey``, a ``service_line`` code and a ``topic`` (an appeal category or hot topic word, 50)."""
    require(actor, PERMISSION, unit)
    fields = clean_fields(unit, data)
    now = timezone.now()
    action = FeedbackAction.objects.create(
        unit=unit, unit_path=unit.path, created_by=actor, published_at=now if publish else None, **fields
    )
    record(actor, "satisfaction.feedback_action.created", action, title=action.title, published=bool(publish))
    return action


def _locked(action: FeedbackAction) -> FeedbackAction:
    return FeedbackAction.objects.select_for_update().select_related("unit").get(pk=action.pk)


@transaction.atomic
def feedback_action_update(*, actor: Any, action: FeedbackAction, **data: Any) -> FeedbackAction:
    """Change a note's text and links (a draft or a published one: members then see the new text)."""
    require(actor, PERMISSION, action)
    action = _locked(action)
    fields = clean_fields(action.unit, data)
    changed = [name for name in EDITABLE if getattr(action, name) != fields[name]]
    if not changed:
        return action
    for name in changed:
        setattr(action, name, fields[name])
    action.save(update_fields=[*changed, "updated_at"])
    record(actor, "satisfaction.feedback_action.updated", action, fields=changed)
    return action


@transaction.atomic
def feedback_action_publish(*, actor: Any, action: FeedbackAction) -> FeedbackAction:
    """Show the note to the members of its unit's subtree (publishing a published note changes nothing)."""
    require(actor, PERMISSION, action)
    action = _locked(action)
    if action.published_at is None:
        action.published_at = timezone.now()
        action.save(update_fields=["published_at", "updated_at"])
        record(actor, "satisfaction.feedback_action.published", action)
    return action


@transaction.atomic
def feedback_action_withdraw(*, actor: Any, action: FeedbackAction) -> FeedbackAction:
    """Take a published note back to a draft: members no longer see it."""
    require(actor, PERMISSION, action)
    action = _locked(action)
    if action.published_at is not None:
        action.published_at = None
        action.save(update_fields=["published_at", "updated_at"])
        record(actor, "satisfaction.feedback_action.withdrawn", action)
    return action
