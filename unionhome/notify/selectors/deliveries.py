"""Deliveries for the admins who watch them (``notify.view_deliveries``), scoped as the audit trail scopes
people (``audit.selectors.audit_scope_q``): a unit robot's deliveries belong to its unit (a grant on the
unit or above sees them); a person's to their union (seen through a grant on a union or federation)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from unionhome.access.policy import OutOfScope, PermissionRefused, has_permission_anywhere
from unionhome.audit.selectors import audit_scope_q
from unionhome.keyset import KeysetPage, time_keyset_page
from unionhome.notify.models import Channel, Delivery

VIEW = "notify.view_deliveries"
PAGE_SIZE = 50


def require_viewer(viewer) -> None:
    if not has_permission_anywhere(viewer, VIEW):
        raise PermissionRefused(VIEW)


def deliveries_for(viewer) -> QuerySet[Delivery]:
    q = audit_scope_q(viewer, VIEW)
    if q is None:
        return Delivery.objects.none()
    return Delivery.objects.filter(q)


@dataclass(frozen=True)
class DeliveryFilter:
    status: str = ""
    channel: str = ""

    @classmethod
    def from_params(cls, params) -> "DeliveryFilter":
        status = params.get("status", "")
        channel = params.get("channel", "")
        return cls(
            status=status if status in Delivery.Status.values else "",
            channel=channel if channel in Channel.values else "",
        )


def delivery_list(viewer, f: DeliveryFilter) -> QuerySet[Delivery]:
    """The viewer's deliveries, newest first, ready for a page (constant query count)."""
    rows = deliveries_for(viewer)
    if f.status:
        rows = rows.filter(status=f.status)
    if f.channel:
        rows = rows.filter(channel=f.channel)
    return rows.select_related("recipient", "robot", "resent_by").defer("body")


def delivery_page(rows: QuerySet[Delivery], cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """Newest first; a cursor that does not decode starts from the first page (``time_keyset_page``)."""
    return time_keyset_page(rows, cursor, field="created_at", size=size)


def delivery_for(viewer, pk: int) -> Delivery:
    require_viewer(viewer)
    delivery = deliveries_for(viewer).select_related("recipient", "robot", "notification").filter(pk=pk).first()
    if delivery is None:
        raise OutOfScope
    return delivery


def status_counts(viewer) -> dict[str, int]:
    """How many deliveries need an admin: failed and uncertain (two indexed counts)."""
    rows = deliveries_for(viewer)
    return {
        "failed": rows.filter(status=Delivery.Status.FAILED).count(),
        "uncertain": rows.filter(status=Delivery.Status.UNCERTAIN).count(),
    }
