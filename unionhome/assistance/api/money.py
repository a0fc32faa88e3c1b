"""API for assistance money: paying out with an ``Idempotency-Key``, the approval and payment queues, and a
member's own assistance. The same selectors, services, scope and masking as the pages."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from unionhome.access.policy import OutOfScope, require, scope_q
from unionhome.accounts.models import User
from unionhome.api.errors import ApiProblem, ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.assistance.api.payments import PaymentOut, idempotency_key_header, payment_out, refusals_as_problems
from unionhome.assistance.models import Assistance, BudgetLine, HardshipFile
from unionhome.assistance.selectors import money as selectors
from unionhome.assistance.services import assistance as services
from unionhome.org.selectors import members_for

router = Router(tags=["assistance"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_CURSOR_LENGTH = 300


class AssistanceOut(Schema):
    id: int
    member_id: int
    member_name: str
    unit_name: str
    kind: Assistance.Kind
    status: Assistance.Status
    amount: Decimal | None = Field(description="Yuan; null for job and legal help.")
    budget_line_id: int | None
    description: str | None = Field(
        description="What is given and why; null unless the caller holds assistance.view_sensitive on it."
    )
    requested_at: datetime.datetime
    requested_by_id: int
    decided_at: datetime.datetime | None
    delivered_on: datetime.date | None


def assistance_out(viewer, assistance: Assistance) -> dict:
    row = selectors.assistance_row(viewer, assistance)
    return {
        "id": assistance.pk,
        "member_id": assistance.member_id,
        "member_name": assistance.member.name,
        "unit_name": assistance.member.unit.name,
        "kind": assistance.kind,
        "status": assistance.status,
        "amount": assistance.amount,
        "budget_line_id": assistance.budget_line_id,
        "description": row["description"] if row["sensitive"] else None,
        "requested_at": assistance.requested_at,
        "requested_by_id": assistance.requested_by_id,
        "decided_at": assistance.decided_at,
        "delivered_on": assistance.delivered_on,
    }


class AssistancePageOut(Schema):
    items: list[AssistanceOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class PageFilters(Schema):
    after: PlainText | None = Field(
        None, max_length=MAX_CURSOR_LENGTH, description="The `next` cursor of the previous page."
    )
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and selectors.decode_time_cursor(value) is None:
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


# --- requesting ----------------------------------------------------------------------------------


class AssistanceIn(Schema):
    member_id: int = Field(..., ge=1, le=MAX_ID)
    kind: Assistance.Kind
    description: str = Field(..., max_length=2000, description="What is given and why.")
    amount: PlainText | None = Field(
        None,
        max_length=40,
        description='Yuan as a string, e.g. "1500" or "1500.50" (at most two decimals); required for cash, goods, '
        "medical and schooling aid, absent for job and legal help.",
    )
    budget_line_id: int | None = Field(None, ge=1, le=MAX_ID, description="The line that pays; with an amount.")
    responsible_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The cadre who follows the help up; the caller when absent."
    )
    hardship_file_id: int | None = Field(None, ge=1, le=MAX_ID)


@router.post(
    "/assistances",
    response={201: AssistanceOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_request",
    summary="Request assistance for a member",
)
def request_assistance(request: HttpRequest, payload: AssistanceIn):
    """Ask for help for a member in the caller's scope (``assistance.request``); another cadre approves it.
    Bad amounts (zero, negative, more than two decimals, not a number, too large), a line that cannot pay
    for this member or has less available, are 422 with a message per field; nothing is written."""
    viewer = request.auth
    require(viewer, "assistance.request")
    member = members_for(viewer, "assistance.request").filter(pk=payload.member_id).first()
    if member is None:
        raise OutOfScope
    file = None
    if payload.hardship_file_id is not None:
        file = HardshipFile.objects.filter(
            scope_q(viewer, "assistance.view_file", "unit_path"), pk=payload.hardship_file_id
        ).first()
        if file is None:
            raise OutOfScope
    line = None
    if payload.budget_line_id is not None:
        line = BudgetLine.objects.filter(pk=payload.budget_line_id).first()
        if line is None:
            raise ValidationError({"budget_line": _("This budget line cannot pay for help to this member.")})
    responsible = viewer
    if payload.responsible_id is not None:
        responsible = User.objects.filter(pk=payload.responsible_id).first()
    assistance = services.assistance_request(
        actor=viewer,
        member=member,
        kind=payload.kind,
        description=payload.description,
        responsible=responsible,
        amount=payload.amount,
        budget_line=line,
        hardship_file=file,
    )
    assistance = selectors.assistances_for(viewer, "assistance.request").get(pk=assistance.pk)
    return Status(201, assistance_out(viewer, assistance))


# --- paying out ----------------------------------------------------------------------------------


@router.post(
    "/assistances/{assistance_id}/disburse",
    response={
        200: PaymentOut,
        201: PaymentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
        **ERRORS,
    },  # fmt: skip
    operation_id="assistance_disburse",
    summary="Pay out an approved assistance, once",
)
def disburse(
    request: HttpRequest,
    assistance_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = idempotency_key_header(),
):
    """Pay an approved cash, goods, medical or schooling assistance out of its reserved budget
    (``assistance.disburse``). 201 with the payment the first time; 200 with the same body when the same key
    is sent again (nothing more is written); 409 ``idempotency_conflict`` when the key already paid for
    something else; 400 when a rule refuses it: ``already_paid`` (paid before under another key),
    ``not_approved``, ``no_money`` (job or legal help), ``over_budget``. 404 outside the caller's scope.
    """
    assistance = selectors.assistance_for(request.auth, assistance_id)
    with refusals_as_problems():
        result = services.assistance_disburse(
            actor=request.auth, assistance=assistance, idempotency_key=idempotency_key
        )
    return Status(200 if result.replayed else 201, payment_out(result.payment))


# --- queues --------------------------------------------------------------------------------------


def _page(viewer, rows, filters: PageFilters) -> dict:
    page = selectors.assistance_page(rows, filters.after, size=filters.limit)
    return {"items": [assistance_out(viewer, a) for a in page.items], "next": page.next_cursor}


@router.get(
    "/queues/approvals",
    response={200: AssistancePageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_queue_approvals",
    summary="Assistance requests awaiting my approval",
)
def approvals(request: HttpRequest, filters: Query[PageFilters]):
    """Requests in the caller's scope under ``assistance.approve``, newest first, except the caller's own
    (maker–checker). The description is null unless the caller holds ``assistance.view_sensitive``."""
    require(request.auth, "assistance.approve")
    return _page(request.auth, selectors.awaiting_approval(request.auth), filters)


@router.get(
    "/queues/payments",
    response={200: AssistancePageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="assistance_queue_payments",
    summary="Approved assistance awaiting payment",
)
def payments(request: HttpRequest, filters: Query[PageFilters]):
    """Approved money assistance in the caller's scope under ``assistance.disburse``, newest first."""
    require(request.auth, "assistance.disburse")
    return _page(request.auth, selectors.awaiting_payment(request.auth), filters)


# --- a member's own ------------------------------------------------------------------------------


class OwnAssistanceOut(Schema):
    id: int
    kind: Assistance.Kind
    status: str = Field(description="requested, approved, delivered or reversed.")
    status_label: str = Field(description="The status in words, as the member's page shows it.")
    amount: Decimal | None
    description: str
    requested_at: datetime.datetime
    delivered_on: datetime.date | None


class OwnAssistanceListOut(Schema):
    items: list[OwnAssistanceOut]


@router.get(
    "/assistances/mine",
    response={200: OwnAssistanceListOut, **ERRORS},
    operation_id="assistance_mine",
    summary="My own assistance",
)
def mine(request: HttpRequest):
    """The help given to the caller's own member record (rejected and cancelled requests are not shown);
    403 ``not_a_member`` for an account without a member record."""
    if request.auth.member_id is None:
        raise ApiProblem(403, "not_a_member", _("Your account is not linked to a member record."))
    rows = selectors.own_assistance(request.auth.member_id)[:200]
    return {
        "items": [
            {
                "id": a.pk,
                "kind": a.kind,
                "status": a.status,
                "status_label": selectors.own_status_label(a.status),
                "amount": a.amount,
                "description": a.description,
                "requested_at": a.requested_at,
                "delivered_on": a.delivered_on,
            }
            for a in rows
        ]
    }
