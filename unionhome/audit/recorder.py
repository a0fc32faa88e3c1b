"""Writing audit events. Call ``record`` inside the service's transaction."""

from typing import Any

from unionhome.audit.context import current_request
from unionhome.audit.models import AuditEvent


def record(actor: Any, action: str, obj: Any = None, /, **changes: Any) -> AuditEvent:
    """Append one audit event: who (``actor``), what (``action``), on which object, with a summary."""
    ctx = current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(str(actor.username) if authenticated else "")[:100],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        unit_path=getattr(obj, "permission_unit_path", "") or "",
        changes={k: _plain(v) for k, v in changes.items()},
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
