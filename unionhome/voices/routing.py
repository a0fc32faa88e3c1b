"""Who answers an appeal: the most specific routing rule, else the branch's supervisors.

``route_for`` picks the rule (deepest unit first, then the category's own rule over a rule for every
category); ``supervisors_of`` finds the people who answer for a unit (the branch chair and branch cadres
holding ``voices.supervise`` there), climbing the tree when a unit has none. Escalation walks up the same
tree (``escalation_target``).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from unionhome.access.models import RoleAssignment
from unionhome.access.permissions import ROLES
from unionhome.org.models import OrgUnit, ancestor_paths
from unionhome.voices.models import RoutingRule

SUPERVISE = "voices.supervise"


@dataclass(frozen=True)
class Route:
    handler_id: int | None
    department_id: int | None
    rule_id: int | None

    @property
    def to_supervisors(self) -> bool:
        return self.handler_id is None and self.department_id is None


def branch_of(unit: OrgUnit) -> OrgUnit:
    """The branch a unit belongs to (itself for a branch; the nearest union or federation above a unit
    that has no branch, e.g. a member attached to the union itself)."""
    if unit.kind in (OrgUnit.Kind.BRANCH, OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION):
        return unit
    paths = ancestor_paths(unit.path)
    above = {u.path: u for u in OrgUnit.objects.filter(path__in=paths)}
    for path in sorted(paths, key=len, reverse=True):
        candidate = above.get(path)
        if candidate is not None and candidate.kind != OrgUnit.Kind.GROUP:
            return candidate
    return unit


def route_for(branch: OrgUnit, category: str) -> Route:
    """The route of an appeal of ``category`` from ``branch`` (one query)."""
    rules = list(
        RoutingRule.objects.filter(unit_path__in=ancestor_paths(branch.path), is_active=True)
        .filter(Q(category=category) | Q(category=""))
        .values("id", "unit_path", "category", "handler_id", "department_id")
    )
    if not rules:
        return Route(None, None, None)
    best = max(rules, key=lambda r: (len(r["unit_path"]), r["category"] == category))
    return Route(best["handler_id"], best["department_id"], best["id"])


def _supervising_roles() -> list[str]:
    return [code for code, role in ROLES.items() if SUPERVISE in role.permissions]


def supervisors_of(unit: OrgUnit) -> tuple[OrgUnit, list]:
    """The unit that answers for ``unit`` and its supervisors: those holding ``voices.supervise`` on
    ``unit`` itself, else on the nearest unit above that has any. Returns (that unit, active users)."""
    User = get_user_model()
    paths = sorted(ancestor_paths(unit.path), key=len, reverse=True)
    grants = (
        RoleAssignment.objects.filter(unit__path__in=paths, role__in=_supervising_roles(), user__is_active=True)
        .select_related("unit")
        .values_list("unit__path", "user_id")
    )
    by_path: dict[str, list[int]] = {}
    for path, user_id in grants:
        by_path.setdefault(path, []).append(user_id)
    for path in paths:
        if by_path.get(path):
            answering = OrgUnit.objects.get(path=path)
            return answering, list(User.objects.filter(pk__in=by_path[path]).order_by("pk"))
    return unit, []


def escalation_target(unit: OrgUnit) -> OrgUnit | None:
    """The unit above ``unit`` (None at a root)."""
    if unit.depth <= 1:
        return None
    return OrgUnit.objects.filter(path=unit.path[: -OrgUnit.steplen]).first()
