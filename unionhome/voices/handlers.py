"""Who answers an appeal, and who may see and act on it as a handler.

An appeal is answered by the person it is routed to (``appeal.handler``), or by any handler of the
handling department it is routed to (``appeal.department``), or, when it is routed to neither, by the
supervisors of its branch (``routing.supervisors_of``). Those routed people act **without** any
permission. Besides them, a holder of ``voices.handle`` on the appeal's unit (the branch cadres and the
chair above them) may act on any appeal of their scope; a holder of ``voices.supervise`` may see it.

Refusals follow the congress: an appeal the viewer may not see is "not found" (``OutOfScope``, 404);
one they see but may not act on is 403 with a message saying why.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, PermissionRefused, can, has_permission_anywhere
from unionhome.congress.models import HandlingDepartment
from unionhome.voices.models import Appeal, RoutingRule
from unionhome.voices.routing import supervisors_of

HANDLE = "voices.handle"
SUPERVISE = "voices.supervise"


class NotYours(PermissionRefused):
    """A 403 whose message says why (the appeal is not routed to you) rather than naming a permission."""

    def __init__(self, message: str):
        self.permission = HANDLE
        PermissionDenied.__init__(self, message)


def _authenticated(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def department_ids_of(actor: Any) -> list[int]:
    """The active handling departments ``actor`` handles for (one query, cached on the user object)."""
    if not _authenticated(actor):
        return []
    cached = getattr(actor, "_voices_departments", None)
    if cached is None:
        cached = list(
            HandlingDepartment.objects.filter(handlers=actor, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        actor._voices_departments = cached
    return cached


def is_routed_to(actor: Any, appeal: Appeal) -> bool:
    """The appeal is routed to ``actor`` in person or to a department they handle for."""
    if not _authenticated(actor):
        return False
    if appeal.handler_id is not None and appeal.handler_id == actor.pk:
        return True
    return appeal.department_id is not None and appeal.department_id in department_ids_of(actor)


def may_handle(actor: Any, appeal: Appeal) -> bool:
    return is_routed_to(actor, appeal) or can(actor, HANDLE, appeal)


def may_see(actor: Any, appeal: Appeal) -> bool:
    return may_handle(actor, appeal) or can(actor, SUPERVISE, appeal)


def require_handler(actor: Any, appeal: Appeal) -> None:
    """404 unless ``actor`` may see the appeal as a handler; 403 unless they may act on it."""
    if not may_see(actor, appeal):
        raise OutOfScope()
    if not may_handle(actor, appeal):
        raise NotYours(
            _("This appeal is not routed to you; only its handler or a cadre answering for its unit can act.")
        )


def handles_anything(actor: Any) -> bool:
    """Whether ``actor`` has a queue at all: a voices permission, a department, or a routing rule or
    appeal naming them."""
    if not _authenticated(actor):
        return False
    if has_permission_anywhere(actor, HANDLE) or has_permission_anywhere(actor, SUPERVISE):
        return True
    if department_ids_of(actor):
        return True
    return (
        RoutingRule.objects.filter(handler=actor, is_active=True).exists()
        or Appeal.objects.filter(handler=actor).exists()
    )


def answerers_of(appeal: Appeal) -> list:
    """The people who answer ``appeal`` now: its handler, its department's active handlers, or (routed to
    neither) its branch's supervisors."""
    if appeal.handler_id is not None:
        handler = appeal.handler
        return [handler] if handler is not None and handler.is_active else []
    if appeal.department_id is not None:
        return list(appeal.department.handlers.filter(is_active=True).order_by("pk"))
    return supervisors_of(appeal.branch)[1]
