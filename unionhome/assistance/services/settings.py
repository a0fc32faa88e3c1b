"""The centre's rules per union: hardship thresholds, publicity period, re-review and follow-up schedules."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.assistance.models import AssistanceSettings
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit

MAX_THRESHOLD = Decimal("1000000.00")
MAX_FOLLOW_UPS = 6
FIELDS = (
    "deep_hardship_below",
    "relative_hardship_below",
    "publicity_days",
    "re_review_months",
    "follow_up_days",
    "escalate_after_days",
)


def settings_for(union: OrgUnit) -> AssistanceSettings:
    """The union's settings row, or an unsaved one with the defaults when the union has none yet."""
    found = AssistanceSettings.objects.filter(union_id=union.pk).first()
    return found if found is not None else AssistanceSettings(union=union)


def _money(value: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter an amount in yuan, such as 800 or 800.50.")
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_THRESHOLD:
        errors[field] = _("Enter an amount between 0 and 1,000,000 yuan.")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = _("Use at most two decimal places.")
        return None
    return amount.quantize(Decimal("0.01"))


def _whole(value: Any, field: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors[field] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return number


def _day_list(value: Any, errors: dict[str, str]) -> list[int] | None:
    """Follow-up days: a list (or a comma-separated text) of whole days, 1–365, strictly ascending."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace("，", ",").split(",") if p.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = []
    days: list[int] = []
    for part in parts:
        if isinstance(part, bool):
            days = []
            break
        try:
            days.append(int(str(part).strip()))
        except ValueError:
            days = []
            break
    message = _("List 1 to %(n)s follow-up days from 1 to 365, in ascending order, such as 30, 90.") % {
        "n": MAX_FOLLOW_UPS
    }
    if (
        not days
        or len(days) != len(parts)
        or len(days) > MAX_FOLLOW_UPS
        or any(not 1 <= d <= 365 for d in days)
        or any(b <= a for a, b in zip(days, days[1:], strict=False))
    ):
        errors["follow_up_days"] = message
        return None
    return days


def clean_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Check every field; raise one ValidationError listing each wrong field."""
    errors: dict[str, str] = {}
    cleaned = {
        "deep_hardship_below": _money(data.get("deep_hardship_below"), "deep_hardship_below", errors),
        "relative_hardship_below": _money(data.get("relative_hardship_below"), "relative_hardship_below", errors),
        "publicity_days": _whole(data.get("publicity_days"), "publicity_days", 1, 30, errors),
        "re_review_months": _whole(data.get("re_review_months"), "re_review_months", 1, 36, errors),
        "follow_up_days": _day_list(data.get("follow_up_days"), errors),
        "escalate_after_days": _whole(data.get("escalate_after_days"), "escalate_after_days", 1, 90, errors),
    }
    deep, relative = cleaned["deep_hardship_below"], cleaned["relative_hardship_below"]
    if deep is not None and relative is not None and relative <= deep:
        errors["relative_hardship_below"] = _(
            "The relative-hardship threshold must be higher than the deep-hardship threshold."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def assistance_settings_update(*, actor, union: OrgUnit, data: dict[str, Any]) -> AssistanceSettings:
    """Set the union's rules (``assistance.configure`` on the union); records old → new of each change."""
    require(actor, "assistance.configure", union)
    if union.kind != OrgUnit.Kind.UNION:
        raise ValidationError(_("The centre's rules are set for a union."))
    cleaned = clean_settings({**{f: getattr(settings_for(union), f) for f in FIELDS}, **data})
    row, _created = AssistanceSettings.objects.select_for_update().get_or_create(union=union)
    diff = {f: [_plain(getattr(row, f)), _plain(v)] for f, v in cleaned.items() if getattr(row, f) != v}
    if not diff:
        return row
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.save()
    record(actor, "assistance.settings.updated", row, **diff)
    return row


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
