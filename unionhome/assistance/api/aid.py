"""API for education aid (爱心助学): campaigns, a member's own applications and applying, the reviewer's
queue, and paying one application. Same selectors, services, scope and masking as the pages."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import field_validator

from unionhome.access.policy import PermissionRefused, scope_roots
from unionhome.api.errors import ErrorOut, ValidationErrorOut
from unionhome.api.fields import MAX_ID, PlainText
from unionhome.assistance.api.payments import PaymentOut, idempotency_key_header, payment_out, refusals_as_problems
from unionhome.assistance.models import AidApplication, AidCampaign
from unionhome.assistance.selectors import aid as selectors
from unionhome.assistance.services import aid as services
from unionhome.org.identity import mask_id_number

router = Router(tags=["assistance"])

ERRORS = {401: ErrorOut, 403: ErrorOut}
MAX_PAGE_SIZE = 100
MAX_OWN = 100


# --- campaigns -----------------------------------------------------------------------------------


class TierOut(Schema):
    id: int
    name: str
    amount: Decimal = Field(description="Yuan, two decimals.")


class CampaignOut(Schema):
    id: int
    name: str
    year: int
    state: AidCampaign.State
    unit_id: int
    unit_name: str
    opens_on: datetime.date
    closes_on: datetime.date
    require_admission_this_year: bool = Field(description="Only children admitted to university in `year`.")
    require_active_file: bool = Field(description="Members with an active hardship file (or below the income limit).")
    income_per_head_below: Decimal | None = Field(
        description="Monthly household income per head (yuan) below which members qualify; null for no limit."
    )
    publicity_days: int
    publicity_starts_on: datetime.date | None
    publicity_ends_on: datetime.date | None
    tiers: list[TierOut]
    can_apply: bool = Field(description="Whether the caller, as a member, can apply today.")
    url: str = Field(description="The campaign's page.")


class CampaignListOut(Schema):
    items: list[CampaignOut]


class CampaignFilters(Schema):
    open_only: bool = Field(False, description="Only campaigns taking applications now.")


def _campaign_out(viewer, campaign: AidCampaign, member_path: str | None, today: datetime.date) -> dict:
    can_apply = (
        member_path is not None
        and member_path.startswith(campaign.unit_path)
        and campaign.state == AidCampaign.State.OPEN
        and campaign.opens_on <= today <= campaign.closes_on
    )
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "year": campaign.year,
        "state": campaign.state,
        "unit_id": campaign.unit_id,
        "unit_name": campaign.unit.name,
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on,
        "require_admission_this_year": campaign.require_admission_this_year,
        "require_active_file": campaign.require_active_file,
        "income_per_head_below": campaign.income_per_head_below,
        "publicity_days": campaign.publicity_days,
        "publicity_starts_on": campaign.publicity_starts_on,
        "publicity_ends_on": campaign.publicity_ends_on,
        "tiers": [{"id": t.pk, "name": t.name, "amount": t.amount} for t in campaign.tiers.all()],
        "can_apply": can_apply,
        "url": reverse("assistance:aid_campaign_detail", args=[campaign.pk]),
    }


@router.get(
    "/aid/campaigns",
    response={200: CampaignListOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="aid_campaigns_list",
    summary="Education-aid campaigns open to me or in my scope",
)
def aid_campaigns(request: HttpRequest, filters: Query[CampaignFilters]):
    """For a member, the campaigns of their union (or branch) that are no longer drafts; for a cadre who
    runs or reviews aid (``assistance.manage_aid`` / ``review_aid``), the campaigns in, above or below
    their scope, drafts included. Newest first, at most 100."""
    viewer = request.auth
    campaigns = selectors.campaigns_for(viewer).prefetch_related("tiers")
    today = timezone.localdate()
    if filters.open_only:
        campaigns = campaigns.filter(state=AidCampaign.State.OPEN, opens_on__lte=today, closes_on__gte=today)
    member_path = viewer.member.unit_path if viewer.member_id is not None else None
    return {"items": [_campaign_out(viewer, c, member_path, today) for c in campaigns[: selectors.MAX_CAMPAIGNS]]}


# --- applications --------------------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    campaign_id: int
    campaign_name: str
    member_id: int
    member_name: str
    unit_name: str
    child_name: str = Field(description="The family name only (张**) unless the caller may see it.")
    child_id_number: str = Field(description="Masked (430**********1234) unless the caller may see it.")
    school: str
    admitted_year: int
    tier_id: int
    tier_name: str
    amount: Decimal
    status: AidApplication.Status
    submitted_at: datetime.datetime
    reason: str = Field(description="Why the application was rejected; empty otherwise.")
    masked: bool = Field(description="Whether the child's name and ID number are masked for this caller.")
    url: str = Field(description="The application's page.")


class ApplicationListOut(Schema):
    items: list[ApplicationOut]


class ApplicationPageOut(Schema):
    items: list[ApplicationOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


def _application_out(application: AidApplication, row: dict, *, own: bool) -> dict:
    return {
        "id": application.pk,
        "campaign_id": application.campaign_id,
        "campaign_name": application.campaign.name,
        "member_id": application.member_id,
        "member_name": application.member.name,
        "unit_name": application.member.unit.name,
        "child_name": application.child_name if own else row["child_name"],
        "child_id_number": row["child_id_number"],
        "school": application.school,
        "admitted_year": application.admitted_year,
        "tier_id": application.tier_id,
        "tier_name": application.tier.name,
        "amount": application.amount,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "reason": application.decision_note if application.status == AidApplication.Status.REJECTED else "",
        "masked": not row["sensitive"],
        "url": reverse("assistance:aid_application_detail", args=[application.pk]),
    }


def _own_out(application: AidApplication) -> dict:
    """The applicant's own view: their child's name, the ID number masked all the same (no need to echo it)."""
    row = {"child_name": application.child_name, "child_id_number": _masked_id(application), "sensitive": False}
    return _application_out(application, row, own=True)


def _masked_id(application: AidApplication) -> str:
    return mask_id_number(application.child_id_number)


@router.get(
    "/aid/applications/mine",
    response={200: ApplicationListOut, **ERRORS},
    operation_id="aid_applications_mine",
    summary="My education-aid applications",
)
def aid_applications_mine(request: HttpRequest):
    """The caller's own applications (as a member), newest first, at most 100; the reason is shown for a
    rejected one. Empty for an account without a member record."""
    applications = selectors.own_applications(request.auth).select_related("member__unit")[:MAX_OWN]
    return {"items": [_own_out(a) for a in applications]}


class ApplicationIn(Schema):
    child_name: PlainText = Field(..., min_length=1, max_length=50)
    child_id_number: PlainText = Field(
        ..., min_length=1, max_length=18, description="The child's resident ID number (18 characters)."
    )
    school: PlainText = Field(..., min_length=1, max_length=100)
    admitted_year: int = Field(..., ge=2000, le=2100, description="The year the child was admitted.")
    tier_id: int = Field(..., ge=1, le=MAX_ID, description="One of the campaign's tiers.")
    consent: bool = Field(
        ...,
        description="The parent's separate consent to the use of the child's details for this application "
        "(recorded; without it there is no application).",
    )


@router.post(
    "/aid/campaigns/{campaign_id}/applications",
    response={201: ApplicationOut, 404: ErrorOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="aid_application_submit",
    summary="Apply for education aid for my child",
)
def aid_apply(request: HttpRequest, body: ApplicationIn, campaign_id: int = Path(..., ge=1, le=MAX_ID)):
    """A member applies for their own child while the campaign is open and today is inside its window.
    Refusals are 422 and say why: outside the window, a criterion not met (named), an invalid ID number,
    or the child already has an application in this campaign (by the caller or the other parent).
    A campaign the caller cannot see is 404. Proof documents are added on the application's page."""
    viewer = request.auth
    campaign = selectors.campaign_for(viewer, campaign_id)
    application = services.aid_application_submit(
        actor=viewer,
        campaign=campaign,
        child_name=body.child_name,
        child_id_number=body.child_id_number,
        school=body.school,
        admitted_year=body.admitted_year,
        tier=body.tier_id,
        consent=body.consent,
    )
    application = selectors.own_applications(viewer).select_related("member__unit").get(pk=application.pk)
    return Status(201, _own_out(application))


# --- the reviewer's queue ------------------------------------------------------------------------


class QueueFilters(Schema):
    after: PlainText | None = Field(None, max_length=100, description="The `next` cursor of the previous page.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value and selectors.decode_cursor(value) is None:
            raise ValueError(_("This cursor is not valid. Start again from the first page."))
        return value or None


@router.get(
    "/queues/aid",
    response={200: ApplicationPageOut, 422: ValidationErrorOut, **ERRORS},
    operation_id="aid_queue",
    summary="Education-aid applications waiting for me",
)
def aid_queue(request: HttpRequest, filters: Query[QueueFilters]):
    """Applications waiting for the caller's review (``assistance.review_aid``) or approval
    (``assistance.approve_aid``, not ones the caller reviewed), oldest first, a page at a time. The
    child's name and ID number are masked unless the caller holds ``assistance.view_sensitive``; a page
    showing them unmasked is recorded in the audit trail."""
    viewer = request.auth
    if not scope_roots(viewer, "assistance.review_aid") and not scope_roots(viewer, "assistance.approve_aid"):
        raise PermissionRefused("assistance.review_aid")
    page = selectors.application_page(selectors.review_queue_for(viewer), filters.after, size=filters.limit)
    rows = [selectors.application_row(viewer, a) for a in page.items]
    selectors.record_sensitive_listing(viewer, rows, where="api queue")
    return {
        "items": [_application_out(row["application"], row, own=False) for row in rows],
        "next": page.next_cursor,
    }


# --- paying one application ----------------------------------------------------------------------


@router.post(
    "/aid/applications/{application_id}/payment",
    response={
        200: PaymentOut,
        201: PaymentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
        **ERRORS,
    },  # fmt: skip
    operation_id="aid_application_pay",
    summary="Pay an approved education-aid application, once",
)
def aid_pay(
    request: HttpRequest,
    application_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = idempotency_key_header(),
):
    """Pay an approved application out of the money its approval reserved, once the campaign is paying
    (``assistance.disburse``). 201 with the payment the first time; 200 with the same body when the same
    key is sent again (nothing more is written); 409 ``idempotency_conflict`` when the key already paid
    for something else; 400 ``already_paid`` when the application was paid under another key; 422 when
    the application is not approved or the campaign is not paying yet. 404 outside the caller's scope;
    403 for the applicant."""
    viewer = request.auth
    application = selectors.application_for(viewer, application_id)
    with refusals_as_problems():
        result = services.aid_application_pay(actor=viewer, application=application, idempotency_key=idempotency_key)
    return Status(200 if result.replayed else 201, payment_out(result.payment))
