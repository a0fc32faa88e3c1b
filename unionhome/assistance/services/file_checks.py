"""Hardship file limits and input checks: household figures and the suggested level, and cleaning what
a form or the API sends (causes, situation, household, level, notes)."""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from unionhome.assistance.models import HardshipCause, HardshipFile, HouseholdMember
from unionhome.org.models import Member

CENT = Decimal("0.01")
MAX_INCOME = Decimal("1000000.00")
MAX_HOUSEHOLD = 20
MAX_SITUATION = 4000
MAX_NOTE = 500
MAX_HEALTH_NOTE = 500
MAX_OBJECTION = 2000
CONSENT_TEXT_VERSION = "2025.1"
# What the member consents to (stored with the consent record, in the union's language).
CONSENT_PURPOSE = gettext_lazy(
    "Processing of sensitive personal information (health, income, household) for a hardship file"
)
OPEN_STATUSES = (Member.Status.ACTIVE, Member.Status.RETIRED)
Level = HardshipFile.Level
State = HardshipFile.State


# --- dates and figures ---------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class HouseholdFigures:
    size: int
    monthly_income: Decimal
    income_per_head: Decimal


def household_figures(rows: list[dict[str, Any]]) -> HouseholdFigures:
    """Household size, monthly income and income per head (2 places, half up) of cleaned rows."""
    total = sum((row["monthly_income"] for row in rows), Decimal("0.00"))
    per_head = (total / len(rows)).quantize(CENT, rounding=ROUND_HALF_UP) if rows else Decimal("0.00")
    return HouseholdFigures(len(rows), total.quantize(CENT), per_head)


def suggested_level(income_per_head: Decimal, causes: list[str], rules) -> str:
    """Sudden hardship for a disaster; else deep below the deep threshold, relative below the relative one;
    else no level (a cadre may still choose one, e.g. for a serious illness)."""
    if HardshipCause.Cause.DISASTER in causes:
        return Level.SUDDEN
    if income_per_head < rules.deep_hardship_below:
        return Level.DEEP
    if income_per_head < rules.relative_hardship_below:
        return Level.RELATIVE
    return ""


# --- input checks --------------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def no_control_characters(value: str) -> bool:
    return all(ch.isprintable() or ch in "\n\r\t" for ch in value)


def clean_causes(causes: Any) -> list[str]:
    if not isinstance(causes, list | tuple | set) or not causes:
        raise ValidationError({"causes": _("Choose at least one cause of hardship.")})
    values = list(dict.fromkeys(str(c) for c in causes))
    if any(c not in HardshipCause.Cause.values for c in values):
        raise ValidationError({"causes": _("Choose causes from the list.")})
    return values


def clean_situation(situation: Any) -> str:
    text = clean_text(situation)
    if not text:
        raise ValidationError({"situation": _("Describe the household's situation in a few sentences.")})
    if len(text) > MAX_SITUATION:
        raise ValidationError({"situation": _("Use at most %(limit)d characters.") % {"limit": MAX_SITUATION}})
    if not no_control_characters(text):
        raise ValidationError({"situation": _("This text contains characters that cannot be stored.")})
    return text


def _income(value: Any) -> Decimal | None:
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_INCOME or amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)


def clean_household(rows: Any) -> list[dict[str, Any]]:
    """Each person: relation, age, health, health note, monthly income (yuan), employment; the member once."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ValidationError({"household": _("List the people in the household, the member included.")})
    if len(rows) > MAX_HOUSEHOLD:
        raise ValidationError({"household": _("List at most %(n)d people.") % {"n": MAX_HOUSEHOLD}})
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        wrong: list[str] = []
        relation, health, employment = (str(row.get(k) or "") for k in ("relation", "health", "employment"))
        if relation not in HouseholdMember.Relation.values:
            wrong.append(_("choose the relation"))
        age = row.get("age")
        if isinstance(age, bool) or not isinstance(age, int | str) or not str(age).strip().isdigit():
            age = None
        else:
            age = int(str(age).strip())
        if age is None or age > 130:
            wrong.append(_("enter an age from 0 to 130"))
        if health not in HouseholdMember.Health.values:
            wrong.append(_("choose the state of health"))
        if employment not in HouseholdMember.Employment.values:
            wrong.append(_("choose the employment"))
        income = _income(row.get("monthly_income"))
        if income is None:
            wrong.append(_("enter the monthly income in yuan, 0 or more, at most two decimal places"))
        note = clean_text(row.get("health_note"))
        if len(note) > MAX_HEALTH_NOTE or not no_control_characters(note):
            wrong.append(_("shorten the health details to %(limit)d characters") % {"limit": MAX_HEALTH_NOTE})
        if wrong:
            listed = pgettext("list separator", ", ").join(wrong)
            problems.append(_("Person %(n)d: %(problems)s.") % {"n": n, "problems": listed})
            continue
        cleaned.append(
            {
                "relation": relation,
                "age": age,
                "health": health,
                "health_note": note,
                "monthly_income": income,
                "employment": employment,
            }
        )
    if not problems and sum(1 for r in cleaned if r["relation"] == HouseholdMember.Relation.SELF) != 1:
        problems.append(_("List the member themself exactly once, with the relation “The member”."))
    if problems:
        raise ValidationError({"household": problems})
    return cleaned


def clean_level(level: Any, *, required: bool = False) -> str:
    value = str(level or "")
    if value and value not in Level.values:
        raise ValidationError({"level": _("Choose a level from the list.")})
    if required and not value:
        raise ValidationError({"level": _("Choose the level of hardship first.")})
    return value


def clean_note(note: Any, *, required: bool, field: str = "note") -> str:
    text = clean_text(note)
    if required and not text:
        raise ValidationError({field: _("Give a reason; the applicant will see it.")})
    if len(text) > MAX_NOTE:
        raise ValidationError({field: _("Use at most %(limit)d characters.") % {"limit": MAX_NOTE}})
    if not no_control_characters(text):
        raise ValidationError({field: _("This text contains characters that cannot be stored.")})
    return text


def collect_errors(*checks: Callable[[], Any]) -> list[Any]:
    """Run each check and raise one ValidationError holding every field's problem; else their results."""
    errors: dict[str, list[str]] = {}
    results = []
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results
