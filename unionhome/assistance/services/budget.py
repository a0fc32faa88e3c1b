"""Budget lines: setting one up and changing its amount. Every money movement on a line is ``ledger.py``'s."""

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit

MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 500
# Groups (a shift or team) hold no money: a line belongs to a union, a branch union or a federation.
HOLDING_KINDS = frozenset({OrgUnit.Kind.FEDERATION, OrgUnit.Kind.UNION, OrgUnit.Kind.BRANCH})


def require_in_scope(actor: Any, permission: str, obj: Any) -> None:
    """``PermissionRefused`` (403, naming it) when the actor lacks ``permission`` everywhere; ``OutOfScope``
    (404) when they hold it but not over ``obj``, so that an id out of scope reveals nothing."""
    if not has_permission_anywhere(actor, permission):
        raise PermissionRefused(permission)
    if not can(actor, permission, obj):
        raise OutOfScope


def clean_text(value: Any, *, field: str, max_length: int, required: str | None = None, multiline: bool = False) -> str:
    """Trimmed text without control characters (``required`` is the message when it may not be empty)."""
    text = str(value or "").strip()
    allowed = {"\n", "\r", "\t"} if multiline else set()
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in allowed for ch in text):
        raise ValidationError({field: _("This text contains control characters or invalid characters.")})
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > max_length:
        raise ValidationError({field: _("Use at most %(max_length)s characters.") % {"max_length": max_length}})
    return text


def _clean_year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a year such as 2026.")}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("Enter a year between %(first)s and %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}}
        )
    return year


def collect_error(errors: dict[str, list[str]], check, *args, **kwargs) -> Any:
    """Run one field's check, keeping its error so that every field's problem is reported at once."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


@transaction.atomic
def budget_line_create(*, actor: Any, unit: OrgUnit, name: str, fund_source: str, year: int, amount: Any) -> BudgetLine:
    """Set aside ``amount`` yuan of ``fund_source`` for ``year``, held by ``unit`` (``assistance.manage_budget``)."""
    require_in_scope(actor, "assistance.manage_budget", unit)
    errors: dict[str, list[str]] = {}
    name = collect_error(
        errors, clean_text, name, field="name", max_length=NAME_MAX_LENGTH, required=_("Give the budget line a name.")
    )
    if fund_source not in BudgetLine.FundSource.values:
        errors["fund_source"] = [_("Choose a fund source.")]
    year = collect_error(errors, _clean_year, year)
    amount = collect_error(errors, ledger.clean_amount, amount)
    if unit.kind not in HOLDING_KINDS:
        errors["unit"] = [_("Budget lines are held by a union or a branch union, not by a union group.")]
    if not errors and BudgetLine.objects.filter(unit=unit, year=year, name=name).exists():
        errors["name"] = [_("This unit already has a budget line with this name for that year.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            line = BudgetLine.objects.create(
                unit=unit,
                unit_path=unit.path,
                name=name,
                fund_source=fund_source,
                year=year,
                amount=amount,
                created_by=actor,
            )
    except IntegrityError:  # the same name taken at the same moment
        raise ValidationError(
            {"name": _("This unit already has a budget line with this name for that year.")}
        ) from None
    record(
        actor,
        "assistance.budget_line.created",
        line,
        name=name,
        fund_source=fund_source,
        year=year,
        amount=str(amount),
    )
    return line


@transaction.atomic
def budget_line_adjust(*, actor: Any, line: BudgetLine, amount: Any, reason: str) -> BudgetLine:
    """Change a line's total to ``amount``; never below what is already committed and spent."""
    require_in_scope(actor, "assistance.manage_budget", line)
    errors: dict[str, list[str]] = {}
    amount = collect_error(errors, ledger.clean_amount, amount)
    reason = collect_error(
        errors,
        clean_text,
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        required=_("Say why the amount changes."),
    )
    if errors:
        raise ValidationError(errors)
    line = ledger.locked_line(line.pk)
    floor = line.committed + line.spent
    if amount < floor:
        raise ValidationError(
            {
                "amount": _(
                    "%(committed)s yuan is committed and %(spent)s yuan is spent on this line: "
                    "the amount cannot be less than %(floor)s yuan."
                )
                % {"committed": line.committed, "spent": line.spent, "floor": floor}
            }
        )
    old = line.amount
    if amount == old:
        return line
    line.amount = amount
    line.save(update_fields=["amount"])
    record(actor, "assistance.budget_line.adjusted", line, amount=[str(old), str(amount)], reason=reason)
    return line
