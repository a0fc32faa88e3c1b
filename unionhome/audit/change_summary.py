"""An event's change summary as readable rows: field label, old value → new value.

``record`` stores the summary as keyword arguments: a two-element list ``[old, new]`` is a change of
that field; any other value is a detail. Labels come from the model's field names where the key is a
field, values from the field's choices; unit paths are shown as unit names.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from unionhome.access.permissions import PERMISSIONS
from unionhome.audit.models import AuditEvent

DETAIL_LABELS = {
    "path": _("Page"),
    "method": _("Method"),
    "permission": _("Permission"),
    "reason": _("Reason"),
    "effective_on": _("Effective on"),
    "format": _("Format"),
    "rows": _("Rows"),
    "truncated": _("Truncated"),
    "filters": _("Filters"),
    "role": _("Role"),
    "user": _("User"),
    "member": _("Member"),
    "unit": _("Unit"),
}
UNIT_KEYS = {"unit", "unit_path", "parent"}
EMPTY = "—"


@dataclass
class ChangeRow:
    key: str
    label: str
    old: Any = None
    new: Any = None
    is_change: bool = False
    unit_paths: set[str] = field(default_factory=set)

    def resolve_units(self, names: dict[str, str]) -> None:
        if self.unit_paths:
            self.old = names.get(self.old, self.old) if isinstance(self.old, str) else self.old
            self.new = names.get(self.new, self.new) if isinstance(self.new, str) else self.new


def _model_of(event: AuditEvent) -> type[models.Model] | None:
    try:
        return apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        return None


def _field_of(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _display(value: Any, model_field: models.Field | None, key: str) -> Any:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(_display(v, model_field, key)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_display(v, None, k)}" for k, v in value.items())
    choices = dict(model_field.flatchoices) if model_field is not None and model_field.choices else {}
    if value in choices:
        return choices[value]
    if key == "permission" and value in PERMISSIONS:
        return f"{value} · {PERMISSIONS[value]}"
    return value


def change_rows(event: AuditEvent) -> list[ChangeRow]:
    model = _model_of(event)
    rows = []
    changes = event.changes if isinstance(event.changes, dict) else {"": event.changes}
    for key, value in changes.items():
        model_field = _field_of(model, key)
        label = model_field.verbose_name if model_field is not None else DETAIL_LABELS.get(key, key)
        is_change = isinstance(value, list) and len(value) == 2
        row = ChangeRow(key=key, label=str(label), is_change=is_change)
        if is_change:
            row.old, row.new = (_display(v, model_field, key) for v in value)
        else:
            row.new = _display(value, model_field, key)
        if key in UNIT_KEYS:
            raw = value if is_change else [value]
            row.unit_paths = {v for v in raw if isinstance(v, str) and v.isalnum()}
        rows.append(row)
    return rows
