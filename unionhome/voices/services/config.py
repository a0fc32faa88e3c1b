"""Configuring appeals (``voices.configure``): routing rules and category deadlines. Audited.

A routing rule sends a category (or every category) of a unit's subtree to a person or a handling
department; one active rule per unit and category: saving a new one retires the old one (kept, inactive,
for the record). Rules are scoped: the unit must lie where the actor holds ``voices.configure``.
Category deadlines (``CategoryPolicy``) and the working-day calendar hold for the whole installation, so
they need ``voices.configure`` on a top unit (a union or federation at the root of the tree).
New deadlines apply to appeals submitted (or reopened) afterwards; open appeals keep theirs.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import PermissionRefused, require, scope_roots
from unionhome.audit.recorder import record
from unionhome.congress.models import HandlingDepartment
from unionhome.org.models import OrgUnit
from unionhome.voices.models import AppealCategory, CategoryPolicy, RoutingRule

CONFIGURE = "voices.configure"
MAX_DAYS = 60


def require_installation_wide(actor: Any) -> None:
    """``voices.configure`` on a root unit: for settings that hold everywhere (deadlines, calendar)."""
    if not any(len(path) <= OrgUnit.steplen for path in scope_roots(actor, CONFIGURE)):
        raise PermissionRefused(CONFIGURE)


@transaction.atomic
def routing_rule_save(*, actor, unit: OrgUnit, category: Any, handler=None, department=None) -> RoutingRule:
    """Route ``category`` ("" for every category) of ``unit``'s subtree to ``handler`` or ``department``."""
    require(actor, CONFIGURE, unit)
    errors: dict[str, str] = {}
    if category not in ("", *AppealCategory.values):
        errors["category"] = _("Choose a category from the list.")
    if (handler is None) == (department is None):
        errors["target"] = _("Choose either a person or a handling department.")
    elif handler is not None and (not isinstance(handler, get_user_model()) or not handler.is_active):
        errors["handler"] = _("Choose an active person.")
    elif department is not None:
        if not isinstance(department, HandlingDepartment) or not department.is_active:
            errors["department"] = _("Choose an active handling department.")
        elif not (unit.path.startswith(department.unit_path) or department.unit_path.startswith(unit.path)):
            errors["department"] = _("This department does not serve the unit.")
    if errors:
        raise ValidationError(errors)
    retired = list(
        RoutingRule.objects.select_for_update()
        .filter(unit=unit, category=category, is_active=True)
        .values_list("pk", flat=True)
    )
    RoutingRule.objects.filter(pk__in=retired).update(is_active=False)
    rule = RoutingRule.objects.create(
        unit=unit, unit_path=unit.path, category=category, handler=handler, department=department
    )
    record(
        actor,
        "voices.routing_rule.saved",
        rule,
        category=category,
        handler=handler.pk if handler else None,
        department=department.pk if department else None,
        replaced=retired,
    )
    return rule


@transaction.atomic
def routing_rule_deactivate(*, actor, rule: RoutingRule) -> RoutingRule:
    """Retire a rule: its appeals go to the next rule above, or to the branch's supervisors."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    require(actor, CONFIGURE, rule)
    if not rule.is_active:
        raise ValidationError(_("This rule is already inactive."), code="inactive")
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    record(actor, "voices.routing_rule.deactivated", rule)
    return rule


def _days(value: Any, field: str, errors: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        errors[field] = _("Enter a whole number of days from 1 to %(max)d.") % {"max": MAX_DAYS}
        return 0
    return value


@transaction.atomic
def category_policy_save(
    *, actor, category: Any, acknowledge_days: Any, answer_days: Any, reopen_days: Any
) -> CategoryPolicy:
    """Set a category's deadlines: acknowledge and answer in working days (answer ≥ acknowledge ≥ 1),
    reopen in calendar days after the close."""
    require_installation_wide(actor)
    errors: dict[str, str] = {}
    if category not in AppealCategory.values:
        errors["category"] = _("Choose a category from the list.")
    ack = _days(acknowledge_days, "acknowledge_days", errors)
    answer = _days(answer_days, "answer_days", errors)
    reopen = _days(reopen_days, "reopen_days", errors)
    if ack and answer and answer < ack:
        errors["answer_days"] = _("The answer cannot be due before the acknowledgement.")
    if errors:
        raise ValidationError(errors)
    policy, _created = CategoryPolicy.objects.select_for_update().get_or_create(category=category)
    before = [policy.acknowledge_days, policy.answer_days, policy.reopen_days]
    policy.acknowledge_days, policy.answer_days, policy.reopen_days = ack, answer, reopen
    policy.save()
    record(actor, "voices.category_policy.saved", None, category=category, before=before, after=[ack, answer, reopen])
    return policy
