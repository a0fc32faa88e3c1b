"""Robots for ``notify.manage_robots``: those of units in the viewer's scope, and the units they may use."""

from django.db.models import QuerySet

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.access.scope import unit_scope_q
from unionhome.notify.models import Robot
from unionhome.org.models import OrgUnit

MANAGE = "notify.manage_robots"
MAX_ROBOTS_SHOWN = 200


def require_manager(viewer) -> None:
    if not has_permission_anywhere(viewer, MANAGE):
        raise PermissionRefused(MANAGE)


def robots_for(viewer) -> QuerySet[Robot]:
    return Robot.objects.filter(unit_scope_q(viewer, MANAGE, "unit_path")).select_related("unit")


def robot_for(viewer, pk: int) -> Robot:
    require_manager(viewer)
    robot = robots_for(viewer).filter(pk=pk).first()
    if robot is None:
        raise OutOfScope
    return robot


def robot_units(viewer) -> QuerySet[OrgUnit]:
    """Units the viewer may put a robot on (unions and branches; groups are too small for a chat robot)."""
    return (
        OrgUnit.objects.filter(unit_scope_q(viewer, MANAGE, "path"))
        .exclude(kind=OrgUnit.Kind.GROUP)
        .order_by("path")[:500]
    )
