"""What a routing rule may name, for an actor whose ``voices.configure`` scope is ``roots``: the choices of
the settings page and the checks of the settings API (``voices/views/config.py``, ``voices/api/config.py``).

* units: the unions and branches of the scope (a group's appeals go to its branch);
* people: active accounts holding a role in the actor's tree, or handling for one of its departments;
* departments: the active handling departments of the actor's tree.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from unionhome.access.models import RoleAssignment
from unionhome.access.scope import paths_scope_q
from unionhome.congress.models import HandlingDepartment
from unionhome.org.models import OrgUnit


def _trees(roots: list[str]) -> list[str]:
    return sorted({root[: OrgUnit.steplen] for root in roots})


def rule_units(roots: list[str]) -> QuerySet:
    return OrgUnit.objects.filter(paths_scope_q(roots, "path")).exclude(kind=OrgUnit.Kind.GROUP).order_by("path")


def rule_people(roots: list[str]) -> QuerySet:
    trees = _trees(roots)
    cadres = RoleAssignment.objects.filter(paths_scope_q(trees, "unit__path")).values("user_id")
    handlers = HandlingDepartment.handlers.through.objects.filter(
        handlingdepartment__in=HandlingDepartment.objects.filter(paths_scope_q(trees))
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=cadres) | Q(pk__in=handlers), is_active=True)
        .order_by("display_name", "pk")
    )


def rule_departments(roots: list[str]) -> QuerySet:
    return HandlingDepartment.objects.filter(paths_scope_q(_trees(roots)), is_active=True).order_by("unit_path", "name")
