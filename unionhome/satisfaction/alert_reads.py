"""Reading satisfaction alerts (``alerts.py``) for cadres with ``satisfaction.view_index``, in their scope."""

from unionhome.access.policy import OutOfScope, PermissionRefused, scope_roots
from unionhome.access.scope import paths_scope_q
from unionhome.satisfaction.models import SatisfactionAlert

VIEW_INDEX = "satisfaction.view_index"
MAX_ALERTS = 50


def _roots(viewer) -> list[str]:
    roots = scope_roots(viewer, VIEW_INDEX)
    if not roots:
        raise PermissionRefused(VIEW_INDEX)
    return roots


def alerts_for(viewer) -> list[SatisfactionAlert]:
    """The newest alerts (at most 50) of the units in the viewer's scope (403 without the permission).
    Two queries (grants, alerts with their units)."""
    rows = SatisfactionAlert.objects.filter(paths_scope_q(_roots(viewer))).select_related("unit")
    return list(rows.order_by("-raised_at", "-id")[:MAX_ALERTS])


def alert_for(viewer, pk: int) -> SatisfactionAlert:
    """One alert the viewer may see (403 without the permission anywhere, 404 outside the scope)."""
    alert = SatisfactionAlert.objects.filter(paths_scope_q(_roots(viewer)), pk=pk).select_related("unit").first()
    if alert is None:
        raise OutOfScope()
    return alert
