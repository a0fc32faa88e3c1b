"""Rows the visit tests start from, written straight to the database."""

import datetime

from django.utils import timezone

from unionhome.assistance.models import Occasion, Visit, VisitCampaign
from unionhome.org.models import Member


def due_visit(
    member: Member, *, due_in: int = 2, occasion: str = Occasion.ILLNESS, reason: str = "住院治疗", **fields
) -> Visit:
    """A visit due ``due_in`` days from today (negative: overdue)."""
    return Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=occasion,
        reason=reason,
        status=Visit.Status.DUE,
        due_by=timezone.localdate() + datetime.timedelta(days=due_in),
        **fields,
    )


def done_visit(member: Member, *, visited_ago: int = 1, due_in: int | None = 0, **fields) -> Visit:
    today = timezone.localdate()
    return Visit.objects.create(
        member=member,
        unit_path=member.unit_path,
        occasion=fields.pop("occasion", Occasion.ILLNESS),
        status=Visit.Status.DONE,
        due_by=today + datetime.timedelta(days=due_in) if due_in is not None else None,
        visited_on=today - datetime.timedelta(days=visited_ago),
        gifts=fields.pop("gifts", "水果一篮"),
        findings=fields.pop("findings", "病情稳定,家中老人需要照顾"),
        **fields,
    )


def campaign(unit, *, name: str = "春节送温暖", due_in: int = 20, **fields) -> VisitCampaign:
    return VisitCampaign.objects.create(
        unit=unit,
        unit_path=unit.path,
        name=name,
        occasion=fields.pop("occasion", Occasion.WINTER),
        due_by=timezone.localdate() + datetime.timedelta(days=due_in),
        **fields,
    )
