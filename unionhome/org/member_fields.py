"""Cleaning a member's fields, without touching the database.

The same rules serve the profile form, the API and the Excel import, so a value accepted in one
place is accepted in all. Uniqueness is checked by the callers, which know how to batch it.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from unionhome.org.identity import birth_date_of_id, gender_of_id, normalize_id_number, normalize_mobile
from unionhome.org.models import Member

EDITABLE_FIELDS = (
    "employee_no",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "job_category",
    "employment_form",
    "joined_on",
)

MAX_LENGTHS = {f: Member._meta.get_field(f).max_length for f in ("employee_no", "name", "id_number", "mobile")}


def _date(value: Any, field: str, errors: dict) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if not text:
        errors[field] = _("This field is required.")
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors[field] = _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:20]}
    return None


def _choice(value: Any, field: str, choices: type, errors: dict) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = _("This field is required.")
        return ""
    for choice_value, label in choices.choices:
        if text in (choice_value, str(label)):
            return choice_value
    # Accept the label in either language, whatever the active language is.
    from django.utils import translation

    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for choice_value, label in choices.choices:
                if text == str(label):
                    return choice_value
    errors[field] = _("“%(value)s” is not one of the allowed values.") % {"value": text[:30]}
    return ""


def clean_member_fields(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Return cleaned values for the editable fields present in ``data``.

    Raises ``ValidationError`` with a message per field. With ``partial`` only the given fields
    are required.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    fields = [f for f in EDITABLE_FIELDS if f in data] if partial else list(EDITABLE_FIELDS)
    for field in fields:
        value = data.get(field)
        if field in ("employee_no", "name"):
            text = str(value or "").strip()
            if isinstance(value, float) and value.is_integer():
                text = str(int(value))
            if not text:
                errors[field] = _("This field is required.")
            elif len(text) > MAX_LENGTHS[field]:
                errors[field] = _("At most %(limit)d characters.") % {"limit": MAX_LENGTHS[field]}
            else:
                cleaned[field] = text
        elif field == "gender":
            cleaned[field] = _choice(value, field, Member.Gender, errors)
        elif field == "job_category":
            cleaned[field] = _choice(value, field, Member.JobCategory, errors)
        elif field == "employment_form":
            cleaned[field] = _choice(value, field, Member.EmploymentForm, errors)
        elif field in ("birth_date", "joined_on"):
            cleaned[field] = _date(value, field, errors)
        elif field == "id_number":
            text = str(value or "").strip()
            if text:
                try:
                    cleaned[field] = normalize_id_number(text)
                except ValidationError as exc:
                    errors[field] = exc.messages[0]
            else:
                cleaned[field] = ""
        elif field == "mobile":
            text = str(value or "").strip()
            if isinstance(value, float | int):
                text = str(int(value))
            if text:
                try:
                    cleaned[field] = normalize_mobile(text)
                except ValidationError as exc:
                    errors[field] = exc.messages[0]
            else:
                cleaned[field] = ""
    id_number = cleaned.get("id_number")
    if id_number and "id_number" not in errors:
        if cleaned.get("birth_date") and birth_date_of_id(id_number) != cleaned["birth_date"]:
            errors["birth_date"] = _("The birth date does not match the ID number.")
        if cleaned.get("gender") and gender_of_id(id_number) != cleaned["gender"]:
            errors["gender"] = _("The gender does not match the ID number.")
    today = datetime.date.today()
    if cleaned.get("birth_date") and not (datetime.date(1900, 1, 1) <= cleaned["birth_date"] <= today):
        errors["birth_date"] = _("The birth date must lie between 1900 and today.")
    if cleaned.get("joined_on") and cleaned["joined_on"] > today:
        errors["joined_on"] = _("The date joined cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return cleaned
