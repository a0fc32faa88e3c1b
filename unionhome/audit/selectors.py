"""Every read of the audit trail, scoped to the viewer.

Who sees which event (the rule ``events_for`` applies; see ``audit.recorder`` for how events are
placed in the org tree):

1. An event tied to an org unit (``unit_path``) is visible to whoever holds the permission
   (``audit.view`` to read, ``audit.export`` to export) on that unit or an ancestor: a grant reaches
   its unit's whole subtree, as everywhere else in the policy.
2. An event tied to no org unit (logins, refused requests, account administration) concerns a
   person's account, not an org record. It is visible only through a grant held on a *union or
   federation* (``OrgUnit.kind``), and then for the unions in that grant's subtree (``union_path``).
   An audit committee that sits at a branch union sees its branch's records, not people's logins.
3. An event attributable to no union at all (an anonymous request, an account with neither member
   record nor role) is visible only through a grant on a root union or federation of the tree.

Nothing here, nor anywhere in the application, changes or deletes an event.
"""

import datetime
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from unionhome.access.policy import scope_roots
from unionhome.audit.models import AuditEvent
from unionhome.org.models import OrgUnit

PAGE_SIZE = 50
_UNION_KINDS = (OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION)


def audit_scope_q(viewer: Any, permission: str = "audit.view") -> Q | None:
    """The filter implementing the rule in the module docstring; None when the viewer sees nothing."""
    roots = scope_roots(viewer, permission)
    if not roots:
        return None
    q = Q()
    for root in roots:
        q |= Q(unit_path__prefix=root)
    union_level = OrgUnit.objects.filter(path__in=roots, kind__in=_UNION_KINDS).values_list("path", "depth")
    for path, depth in union_level:
        q |= Q(unit_path="", union_path__prefix=path)
        if depth == 1:
            q |= Q(unit_path="", union_path="")
    return q


def events_for(viewer: Any, permission: str = "audit.view") -> QuerySet[AuditEvent]:
    """Audit events the viewer may read (or export, with ``permission="audit.export"``), newest first."""
    q = audit_scope_q(viewer, permission)
    if q is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(q).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class EventFilter:
    """The list filters; every field optional. Dates are local calendar days, both ends included."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    unit: OrgUnit | None = None
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as plain text (for the export's own audit event and for links)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "unit": str(self.unit.pk) if self.unit else "",
            "q": self.text,
        }
        return {k: v for k, v in values.items() if v}


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_events(events: QuerySet[AuditEvent], f: EventFilter) -> QuerySet[AuditEvent]:
    """Apply the list filters; each one is answered by an index (see ``AuditEvent.Meta.indexes``)
    except the free text, which only narrows what the others and the page limit already bound."""
    if f.actor:
        events = events.filter(actor_label=f.actor)
    if f.action:
        events = events.filter(action__prefix=f.action)
    if f.object_type:
        events = events.filter(object_type=f.object_type)
    if f.object_id:
        events = events.filter(object_id=f.object_id)
    if f.date_from:
        events = events.filter(occurred_at__gte=_start_of(f.date_from))
    if f.date_to and f.date_to < datetime.date.max:
        events = events.filter(occurred_at__lt=_start_of(f.date_to + datetime.timedelta(days=1)))
    if f.unit is not None:
        # Events on records in the subtree, and account events of the unions in it.
        events = events.filter(Q(unit_path__prefix=f.unit.path) | Q(unit_path="", union_path__prefix=f.unit.path))
    if f.text:
        events = events.filter(object_repr__icontains=f.text)
    return events


# --- Keyset pagination on (occurred_at, id), newest first --------------------------------------


@dataclass
class EventPage:
    items: list[AuditEvent]
    next_cursor: str | None
    is_first: bool


class BadCursor(ValueError):
    """A page link that was tampered with or comes from elsewhere."""


def encode_cursor(event: AuditEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.pk}"
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    """``(occurred_at, id)`` of the last row of the previous page; ``BadCursor`` when malformed."""
    if len(cursor) > 100:
        raise BadCursor(cursor)
    try:
        raw = urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        when_text, pk_text = raw.split("|")
        when = datetime.datetime.fromisoformat(when_text)
        pk = int(pk_text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if timezone.is_naive(when) or not 1900 <= when.year <= 9998 or not 0 < pk < 2**63:
        raise BadCursor(cursor)
    return when, pk


def event_page(events: QuerySet[AuditEvent], cursor: str = "", size: int = PAGE_SIZE) -> EventPage:
    """One page, newest first, by keyset: the cost does not grow with how far the reader pages."""
    events = events.order_by("-occurred_at", "-id")
    if cursor:
        when, pk = decode_cursor(cursor)
        # The first term is redundant but bounds the index scan: the database starts reading at the
        # cursor instead of filtering its way down from the newest event.
        events = events.filter(Q(occurred_at__lte=when), Q(occurred_at__lt=when) | Q(occurred_at=when, id__lt=pk))
    rows = list(events[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return EventPage(rows, encode_cursor(rows[-1]) if more and rows else None, is_first=not cursor)


def event_for(viewer: Any, pk: int) -> AuditEvent | None:
    """One event, if the viewer may read it."""
    return events_for(viewer).filter(pk=pk).first()


def units_in_audit_scope(viewer: Any, permission: str = "audit.view") -> QuerySet[OrgUnit]:
    """Units the viewer may filter by: those in their audit subtrees."""
    roots = scope_roots(viewer, permission)
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__prefix=root)
    return OrgUnit.objects.filter(q).order_by("path")


def unit_names(paths: set[str]) -> dict[str, str]:
    """Unit names for a set of paths (one query), for showing paths as names."""
    if not paths:
        return {}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "name"))
