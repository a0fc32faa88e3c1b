"""Building audit events at chosen times for tests, the way ``loaddata`` stores rows (``raw``)."""

import datetime

from django.utils import timezone

from unionhome.audit.models import AuditEvent

T0 = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 0))


def event_at(when: datetime.datetime, **fields) -> AuditEvent:
    values = {"actor_label": "cadre1", "action": "org.member.updated", **fields}
    event = AuditEvent(occurred_at=when, **values)
    event.save_base(raw=True)  # keeps ``occurred_at`` as given (auto_now_add applies to live writes only)
    return event


def events_on(member, n: int, start: datetime.datetime = T0, step: datetime.timedelta | None = None, **fields):
    step = step if step is not None else datetime.timedelta(minutes=1)
    return [
        event_at(
            start + i * step,
            object_type="org.member",
            object_id=str(member.pk),
            object_repr=str(member),
            unit_path=member.unit_path,
            **fields,
        )
        for i in range(n)
    ]
