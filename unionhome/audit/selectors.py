from django.db.models import QuerySet

from unionhome.access.policy import scope_q
from unionhome.audit.models import AuditEvent


def events_for(viewer) -> QuerySet[AuditEvent]:
    """Audit events on objects in the viewer's audit scope, plus scope-less events (logins, denials)
    for auditors whose scope includes a root unit."""
    return AuditEvent.objects.filter(scope_q(viewer, "audit.view", "unit_path") | _unscoped(viewer))


def _unscoped(viewer):
    from django.db.models import Q

    from unionhome.access.policy import scope_roots

    roots = scope_roots(viewer, "audit.view")
    return Q(unit_path="") if any(len(r) <= 8 for r in roots) else Q(pk__in=[])
