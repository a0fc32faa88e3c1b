"""Every write to role grants: granting and revoking a role on an org unit.

Both need ``access.assign_roles`` on the unit. Nobody grants a role to themselves: a role always
comes from someone else, and the audit trail shows who.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.access.policy import forget_grants, require
from unionhome.audit.recorder import record


@transaction.atomic
def role_grant(*, actor, user, role: str, unit) -> RoleAssignment:
    """Give ``user`` the ``role`` on ``unit`` (its permissions reach the unit's whole subtree)."""
    require(actor, "access.assign_roles", unit)
    if role not in ROLES:
        raise ValidationError({"role": _("Unknown role.")})
    if user.pk == actor.pk:
        raise ValidationError({"user": _("You cannot grant a role to yourself.")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is disabled.")})
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        raise ValidationError(_("This user already holds this role on this unit."))
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit)
    except IntegrityError as exc:  # a concurrent grant of the same role
        raise ValidationError(_("This user already holds this role on this unit.")) from exc
    forget_grants(user)
    record(actor, "access.role_granted", assignment, user=user.username, role=role)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    """Take a role back. The audit event keeps who held what, where."""
    require(actor, "access.assign_roles", assignment)
    assignment = (
        RoleAssignment.objects.select_related("user", "unit").select_for_update(of=("self",)).get(pk=assignment.pk)
    )
    record(actor, "access.role_revoked", assignment, user=assignment.user.username, role=assignment.role)
    assignment.delete()
    forget_grants(assignment.user)
