"""API for visits and condolences: the due-visit queue, recording a visit (money with an ``Idempotency-Key``),
reporting a life event, and a member's own visits. The same selectors, services and scope as the pages."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from unionhome.access.policy import PermissionRefused, has_permission_anywhere, require
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, Id, PlainText
from unionhome.assistance.api.payments import idempotency_key_header, refusals_as_problems
from unionhome.assistance.models import BudgetLine, Occasion, Visit
from unionhome.assistance.selectors import visits as selectors
from unionhome.assistance.services import visits as services

router = Router(tags=["assistance"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_CURSOR_LENGTH = 300
MAX_OWN_VISITS = 100

LifeEvent = Literal["illness", "bereavement", "childbirth", "marriage", "retirement", "disaster"]


class VisitOut(Schema):
    id: int
    member_id: int
    member_name: str
    unit_name: str
    branch_name: str = Field(description="The branch union of the member's unit; empty above any branch.")
    occasion: Occasion
    status: Visit.Status
    due_by: datetime.date | None = Field(description="Null for a visit recorded without being due.")
    overdue: bool
    reason: str | None = Field(
        description="Why the visit is due; null unless the caller holds assistance.view_sensitive."
    )
    campaign_id: int | None
    campaign_name: str | None
    visited_on: datetime.date | None
    visitors: list[str] = Field(description="The cadres who went.")
    visitor_names: str = Field(description="Others who went.")
    gifts: str
    amount: Decimal | None = Field(description="Condolence money in yuan, two decimals.")
    budget_line_id: int | None
    url: str = Field(description="The visit's page.")


def visit_out(viewer, visit: Visit, today: datetime.date) -> dict:
    done = visit.status == Visit.Status.DONE
    return {
        "id": visit.pk,
        "member_id": visit.member_id,
        "member_name": visit.member.name,
        "unit_name": visit.member.unit.name,
        "branch_name": getattr(visit, "branch_name", ""),
        "occasion": visit.occasion,
        "status": visit.status,
        "due_by": visit.due_by,
        "overdue": visit.status == Visit.Status.DUE and visit.due_by is not None and visit.due_by < today,
        "reason": visit.reason if selectors.reason_visible(viewer, visit) else None,
        "campaign_id": visit.campaign_id,
        "campaign_name": visit.campaign.name if visit.campaign_id else None,
        "visited_on": visit.visited_on,
        "visitors": [str(u) for u in visit.visitors.all()] if done else [],
        "visitor_names": visit.visitor_names,
        "gifts": visit.gifts,
        "amount": visit.amount,
        "budget_line_id": visit.budget_line_id,
        "url": reverse("assistance:visit_detail", args=[visit.pk]),
    }


class VisitPageOut(Schema):
    items: list[VisitOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class QueueFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit (a branch, say) and below.")
    after: PlainText | None = Field(
        None, max_length=MAX_CURSOR_LENGTH, description="The `next` cursor of the previous page."
    )
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and selectors.decode_visit_cursor(value) is None:
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


@router.get(
    "/queues/visits",
    response={200: VisitPageOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_visit_queue",
    summary="Due and overdue visits in the caller's scope",
)
def visit_queue(request: HttpRequest, filters: Query[QueueFilters]):
    """Visits still due in units where the caller holds ``assistance.manage_visits``, overdue first (by due
    date), a page at a time; ``unit`` narrows to one unit and below (404 outside the caller's scope)."""
    viewer = request.auth
    require(viewer, "assistance.manage_visits")
    unit = selectors.unit_in_scope(viewer, filters.unit) if filters.unit else None
    today = timezone.localdate()
    found = selectors.visits_due(viewer, today=today, unit=unit)
    page = selectors.visit_page(found, status=Visit.Status.DUE, cursor=filters.after, size=filters.limit)
    rows = selectors.with_branches(page.items)
    return {"items": [visit_out(viewer, v, today) for v in rows], "next": page.next_cursor}


class VisitRecordIn(Schema):
    visited_on: datetime.date = Field(description="Not in the future.")
    visitor_ids: list[Id] = Field(
        [],
        max_length=services.MAX_VISITORS,
        description="User ids of the cadres who went (cadres who visit this unit).",
    )
    visitor_names: str = Field("", max_length=200, description="Others who went, e.g. company leaders.")
    gifts: str = Field("", max_length=300)
    amount: Decimal | None = Field(
        None, description="Condolence money in yuan (more than 0, at most 2 decimals); needs `budget_line_id`."
    )
    budget_line_id: Id | None = Field(None, description="A budget line held at or above the member's unit.")
    findings: str = Field(
        "", max_length=services.FINDINGS_LIMIT, description="Cadres' notes; never shown to the member."
    )
    needs: str = Field("", max_length=services.NEEDS_LIMIT)


@router.post(
    "/visits/{visit_id}/record",
    response={200: VisitOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_visit_record",
    summary="Record a due visit",
)
def visit_record(
    request: HttpRequest,
    payload: VisitRecordIn,
    visit_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str | None = idempotency_key_header(
        required=False,
        description="Required when `amount` is given: 1–100 visible ASCII characters, new for each visit. "
        "Send the same key again to retry safely: the money is paid once.",
    ),
):
    """Record a visit (``assistance.manage_visits``): when, who went, gifts, money paid from a budget line's
    available funds, what was found and the needs raised. A retry with the same ``Idempotency-Key`` answers the
    recorded visit and pays nothing more; 409 ``idempotency_conflict`` when the key paid for something else;
    400 ``already_recorded``, ``cancelled`` or ``over_budget``; 422 for bad input (a date in the future, an
    amount with more than two decimals, money without a key or a budget line). 404 outside the caller's scope.
    """
    viewer = request.auth
    visit = selectors.visit_for(viewer, visit_id)
    line = None
    if payload.budget_line_id is not None:
        line = BudgetLine.objects.filter(pk=payload.budget_line_id).first()
        if line is None:
            raise ValidationError({"budget_line_id": _("There is no such budget line.")})
    with refusals_as_problems():
        services.visit_record(
            actor=viewer,
            visit=visit,
            visited_on=payload.visited_on,
            visitor_ids=payload.visitor_ids,
            visitor_names=payload.visitor_names,
            gifts=payload.gifts,
            amount=payload.amount,
            budget_line=line,
            findings=payload.findings,
            needs=payload.needs,
            idempotency_key=idempotency_key,
        )
    done = selectors.visit_for(viewer, visit.pk)
    return visit_out(viewer, selectors.with_branches([done])[0], timezone.localdate())


class LifeEventIn(Schema):
    member_id: Id | None = Field(None, description="The member; leave out to report about yourself.")
    occasion: LifeEvent = Field(description="A hospital stay is `illness`.")
    occurred_on: datetime.date
    note: str = Field("", max_length=services.NOTE_LIMIT, description="What the visitors need to know.")


class LifeEventOut(Schema):
    visit_id: int
    occasion: Occasion
    status: Visit.Status
    due_by: datetime.date | None
    already_reported: bool = Field(description="The same event was reported before: this is that visit.")


@router.post(
    "/life-events",
    response={200: LifeEventOut, 201: LifeEventOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_life_event_report",
    summary="Report a life event: a visit falls due",
)
def life_event_report(request: HttpRequest, payload: LifeEventIn):
    """A member reports their own life event (e.g. a hospital stay), or a cadre with
    ``assistance.manage_visits`` reports one for a member in scope (404 outside it). A visit falls due within
    the union's rule for the occasion: 201 with the new visit, or 200 with the open visit when the same event
    was already reported."""
    viewer = request.auth
    member_id = payload.member_id if payload.member_id is not None else viewer.member_id
    if member_id is None:
        raise ValidationError({"member_id": _("Your account has no member record: name the member.")})
    if member_id == viewer.member_id:
        member = viewer.member
    else:
        if not has_permission_anywhere(viewer, "assistance.manage_visits"):
            raise PermissionRefused("assistance.manage_visits")
        member = selectors.visit_member_for(viewer, member_id)
    visit = services.life_event_report(
        actor=viewer, member=member, occasion=payload.occasion, occurred_on=payload.occurred_on, note=payload.note
    )
    body = {
        "visit_id": visit.pk,
        "occasion": visit.occasion,
        "status": visit.status,
        "due_by": visit.due_by,
        "already_reported": visit.already_reported,
    }
    return Status(200 if visit.already_reported else 201, body)


class MyVisitOut(Schema):
    id: int
    occasion: Occasion
    status: Visit.Status
    due_by: datetime.date | None
    campaign_name: str | None
    visited_on: datetime.date | None
    visitors: list[str]
    visitor_names: str
    gifts: str
    amount: Decimal | None


class MyVisitListOut(Schema):
    items: list[MyVisitOut]


@router.get(
    "/visits/mine",
    response={200: MyVisitListOut, **ERRORS},
    operation_id="assistance_my_visits",
    summary="The caller's own visits",
)
def my_visits(request: HttpRequest):
    """Visits to the caller (newest first, at most 100): occasion, dates, who came, gifts and money. The
    cadres' notes on a visit are never included. Empty for an account without a member record."""
    viewer = request.auth
    visits = list(selectors.own_visits(viewer.member)[:MAX_OWN_VISITS])
    return {
        "items": [
            {
                "id": v.pk,
                "occasion": v.occasion,
                "status": v.status,
                "due_by": v.due_by,
                "campaign_name": v.campaign.name if v.campaign_id else None,
                "visited_on": v.visited_on,
                "visitors": [str(u) for u in v.visitors.all()] if v.status == Visit.Status.DONE else [],
                "visitor_names": v.visitor_names,
                "gifts": v.gifts,
                "amount": v.amount,
            }
            for v in visits
        ]
    }
