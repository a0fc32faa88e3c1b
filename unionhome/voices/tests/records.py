"""Appeals put in place through the ORM for tests that are not about submitting (queues, sweeps, signals).

``appeal_of(member_or_branch, ...)`` routes and dates the appeal like the service would, without the
checks, the follow-up code's display or the counts (pass ``counted=True`` to add it to the counts)."""

import datetime
import hashlib

from django.utils import timezone

from unionhome.org.models import Member, OrgUnit
from unionhome.voices.counting import appeal_counted
from unionhome.voices.deadlines import deadlines_for
from unionhome.voices.models import Appeal
from unionhome.voices.routing import branch_of, route_for


def appeal_of(
    who: Member | OrgUnit,
    *,
    category: str = "welfare",
    kind: str = "complaint",
    title: str = "食堂饭菜太咸",
    body: str = "最近一个月食堂饭菜偏咸，希望改进。",
    submitted_at: datetime.datetime | None = None,
    status: str = Appeal.Status.SUBMITTED,
    keywords: list[str] | None = None,
    counted: bool = False,
    **fields,
) -> Appeal:
    """An appeal by a member (named) or from a branch (anonymous, ``who`` being the member's unit)."""
    submitted_at = submitted_at or timezone.now()
    anonymous = isinstance(who, OrgUnit)
    unit = who if anonymous else who.unit
    branch = branch_of(unit)
    if anonymous:
        unit = branch
    route = route_for(branch, category)
    due = deadlines_for(category, submitted_at)
    appeal = Appeal.objects.create(
        kind=kind,
        category=category,
        title=title,
        body=body,
        is_anonymous=anonymous,
        member=None if anonymous else who,
        unit=unit,
        unit_path=unit.path,
        branch=branch,
        code_digest=hashlib.sha256(f"{submitted_at.isoformat()}{title}{id(who)}".encode()).hexdigest()
        if anonymous
        else None,
        handler_id=fields.pop("handler_id", route.handler_id),
        department_id=fields.pop("department_id", route.department_id),
        status=status,
        submitted_at=submitted_at,
        acknowledge_due=due.acknowledge_due,
        answer_due=due.answer_due,
        keywords=keywords or [],
        **fields,
    )
    if counted:
        appeal_counted(appeal)
    return appeal
