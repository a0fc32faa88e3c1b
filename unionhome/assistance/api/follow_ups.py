"""API for follow-ups (跟踪问效): the cadre's queue and recording one. Same selectors and service as the pages."""

import datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema

from unionhome.access.policy import PermissionRefused
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, DateCursor, MultilineText
from unionhome.assistance.models import Assistance, FollowUp
from unionhome.assistance.selectors import follow_ups as selectors
from unionhome.assistance.services.follow_ups import FINDINGS_MAX_LENGTH, NEXT_STEPS_MAX_LENGTH, follow_up_record

router = Router(tags=["assistance"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100


class QueueFilters(Schema):
    state: Literal["due", "overdue", "upcoming", "done"] = Field(
        "due",
        description="due: due by today, overdue first (the default); overdue: due before today; "
        "upcoming: due in the next 30 days; done: recorded, newest first.",
    )
    after: DateCursor | None = Field(None, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class FollowUpOut(Schema):
    id: int
    assistance_id: int
    sequence: int = Field(description="1 for the first follow-up of the assistance, 2 for the second…")
    member_id: int
    member_name: str
    unit_name: str
    kind: Assistance.Kind
    due_on: datetime.date
    days_overdue: int = Field(description="Days past the due date while not recorded; 0 otherwise.")
    responsible_id: int
    responsible_name: str
    done_on: datetime.date | None
    grade: FollowUp.Grade | None = Field(description="The recorded effect of the help; null until recorded.")
    escalated: bool = Field(description="Whether the follow-up was escalated to the branch chair as overdue.")
    url: str = Field(description="The follow-up's page.")


class FollowUpPageOut(Schema):
    items: list[FollowUpOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class FollowUpIn(Schema):
    findings: MultilineText = Field(..., max_length=FINDINGS_MAX_LENGTH, description="What was found.")
    grade: FollowUp.Grade = Field(..., description="How effective the help was.")
    next_steps: MultilineText = Field("", max_length=NEXT_STEPS_MAX_LENGTH)


def follow_up_out(follow_up: FollowUp, today: datetime.date) -> dict:
    member = follow_up.assistance.member
    late = follow_up.done_on is None and follow_up.due_on < today
    return {
        "id": follow_up.pk,
        "assistance_id": follow_up.assistance_id,
        "sequence": follow_up.sequence,
        "member_id": member.pk,
        "member_name": member.name,
        "unit_name": member.unit.name,
        "kind": follow_up.assistance.kind,
        "due_on": follow_up.due_on,
        "days_overdue": (today - follow_up.due_on).days if late else 0,
        "responsible_id": follow_up.responsible_id,
        "responsible_name": str(follow_up.responsible),
        "done_on": follow_up.done_on,
        "grade": follow_up.grade or None,
        "escalated": follow_up.escalated_at is not None,
        "url": reverse("assistance:follow_up_record", args=[follow_up.pk]),
    }


@router.get(
    "/queues/follow-ups",
    response={200: FollowUpPageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_follow_up_queue",
    summary="The caller's follow-up queue",
)
def follow_up_queue(request: HttpRequest, filters: Query[QueueFilters]):
    """Follow-ups the caller is responsible for, and those on members in units where the caller holds
    ``assistance.follow_up``, a page at a time. Callers with neither get 403."""
    viewer = request.auth
    if not selectors.may_follow_up(viewer):
        raise PermissionRefused(selectors.PERMISSION)
    today = timezone.localdate()
    found = selectors.follow_ups_filtered(viewer, state=filters.state, today=today)
    page = selectors.follow_up_page(found, filters.after, state=filters.state, size=filters.limit)
    return {"items": [follow_up_out(f, today) for f in page.items], "next": page.next_cursor}


@router.post(
    "/follow-ups/{follow_up_id}",
    response={200: FollowUpOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_follow_up_record",
    summary="Record a follow-up",
)
def follow_up_record_endpoint(
    request: HttpRequest, payload: FollowUpIn, follow_up_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Record what was found, the effect (resolved, improved, unchanged, worse) and next steps.

    The responsible cadre or anyone holding ``assistance.follow_up`` on the member's unit; a
    follow-up the caller cannot see is 404. Recording twice, or one of a reversed assistance, is 422."""
    viewer = request.auth
    follow_up = selectors.follow_up_for(viewer, follow_up_id)
    done = follow_up_record(
        actor=viewer,
        follow_up=follow_up,
        findings=payload.findings,
        grade=payload.grade,
        next_steps=payload.next_steps,
    )
    return follow_up_out(selectors.follow_up_for(viewer, done.pk), timezone.localdate())
