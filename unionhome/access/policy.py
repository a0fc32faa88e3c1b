"""The one permission policy: every page, API endpoint, export and admin screen asks here.

``can(actor, permission, obj)`` answers whether ``actor`` holds ``permission`` on the org unit
that ``obj`` belongs to; ``scope_q`` turns the same grants into a queryset filter so that lists
are restricted in the database, never in Python.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from unionhome.access.permissions import PERMISSIONS, ROLES

# A member may always read their own record, sensitive fields included (PIPL right of access).
SELF_PERMISSIONS = frozenset({"org.view_members", "org.view_member_sensitive"})


class PermissionRefused(PermissionDenied):
    """A denied action; the message names the permission that was missing."""

    def __init__(self, permission: str):
        self.permission = permission
        super().__init__(
            _("You do not have the permission “%(label)s” (%(permission)s).")
            % {"label": PERMISSIONS.get(permission, permission), "permission": permission}
        )


class OutOfScope(Http404):
    """An object outside the viewer's scope: answered as "not found" and recorded as a denial."""

    audit = True


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str
    permissions: frozenset[str]


def grants_of(actor: Any) -> list[Grant]:
    """The actor's role grants, loaded once per user object (one query)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    cached = getattr(actor, "_unionhome_grants", None)
    if cached is None:
        cached = [
            Grant(a.role, a.unit_id, a.unit.path, ROLES[a.role].permissions)
            for a in actor.role_assignments.select_related("unit").only("role", "unit__path", "unit_id", "user_id")
            if a.role in ROLES
        ]
        actor._unionhome_grants = cached
    return cached


def forget_grants(actor: Any) -> None:
    if hasattr(actor, "_unionhome_grants"):
        del actor._unionhome_grants


def unit_path_of(obj: Any) -> str | None:
    """The materialised path of the org unit an object belongs to."""
    if obj is None:
        return None
    path = getattr(obj, "permission_unit_path", None)
    if path is not None:
        return path
    unit = getattr(obj, "permission_unit", None)
    return unit.path if unit is not None else None


def has_permission_anywhere(actor: Any, permission: str) -> bool:
    return any(permission in g.permissions for g in grants_of(actor))


def can(actor: Any, permission: str, obj: Any = None) -> bool:
    """Whether ``actor`` may exercise ``permission`` on ``obj`` (anywhere, when obj is None)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if obj is None:
        return has_permission_anywhere(actor, permission)
    if permission in SELF_PERMISSIONS and _is_self(actor, obj):
        return True
    path = unit_path_of(obj)
    if path is None:
        return False
    return any(permission in g.permissions and path.startswith(g.unit_path) for g in grants_of(actor))


def require(actor: Any, permission: str, obj: Any = None) -> None:
    """Raise ``PermissionRefused`` naming the permission unless ``can`` allows it."""
    if not can(actor, permission, obj):
        raise PermissionRefused(permission)


def scope_q(actor: Any, permission: str, path_field: str) -> Q:
    """A filter matching rows whose unit path lies in a subtree where ``actor`` has ``permission``.

    ``path_field`` names the path column relative to the queried model, e.g. ``"unit__path"``.
    Nested grants collapse to their top-most unit, so the filter has one term per disjoint subtree.
    """
    tops = scope_roots(actor, permission)
    if not tops:
        return Q(pk__in=[])
    q = Q()
    for top in tops:
        q |= Q(**{f"{path_field}__startswith": top})
    return q


def scope_roots(actor: Any, permission: str) -> list[str]:
    """Top-most unit paths where ``actor`` has ``permission`` (disjoint subtrees)."""
    roots = sorted({g.unit_path for g in grants_of(actor) if permission in g.permissions})
    tops: list[str] = []
    for path in roots:
        if not any(path.startswith(top) for top in tops):
            tops.append(path)
    return tops


def requires_second_factor(actor: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_staff or actor.is_superuser:
        return True
    return any(ROLES[g.role].requires_second_factor for g in grants_of(actor))


def is_cadre(actor: Any) -> bool:
    return any(ROLES[g.role].is_cadre for g in grants_of(actor))


def _is_self(actor: Any, obj: Any) -> bool:
    member_id = getattr(actor, "member_id", None)
    if member_id is None:
        return False
    from unionhome.org.models import Member

    return isinstance(obj, Member) and obj.pk == member_id
