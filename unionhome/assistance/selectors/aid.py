"""Every read of education aid that a user sees, already scoped to the viewer.

Who sees what:

* A campaign is seen by cadres who run or review aid (``assistance.manage_aid`` or ``review_aid``) on
  its unit, below it (a union officer sees a branch's campaign) or above it (a branch officer sees the
  union's campaign, to review their branch's applications), and by members of its unit's subtree once it
  is no longer a draft.
* Applications are seen by reviewers (``assistance.review_aid``) on the applicant's unit and by the
  applicant. Lists mask the child's name and ID number and the household income unless the viewer
  holds ``assistance.view_sensitive`` on the application; the publicity list never shows them.
"""

import base64
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from unionhome.access.policy import OutOfScope, PermissionRefused, can, scope_roots
from unionhome.assistance.models import ZERO, AidApplication, AidCampaign, BudgetLine, Objection
from unionhome.audit.recorder import record
from unionhome.home.work_queue import WorkItem
from unionhome.org.identity import mask_id_number
from unionhome.org.models import Member, OrgUnit, ancestor_paths

PAGE_SIZE = 50
CENT = Decimal("0.01")
MAX_CAMPAIGNS = 100
CAMPAIGN_PERMISSIONS = ("assistance.manage_aid", "assistance.review_aid")
Status = AidApplication.Status
# Applications that are (or were) on the published list.
PUBLISHED = (Status.APPROVED, Status.PAID, Status.REVERSED)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- campaigns -----------------------------------------------------------------------------------


def _cadre_campaign_q(viewer: Any) -> Q | None:
    """Campaigns in, below or above the subtrees where the viewer runs or reviews aid."""
    roots = sorted({root for perm in CAMPAIGN_PERMISSIONS for root in scope_roots(viewer, perm)})
    if not roots:
        return None
    q = Q(unit_path__in=sorted({p for root in roots for p in ancestor_paths(root)}))
    for root in roots:
        q |= Q(unit_path__startswith=root)
    return q


def _member_campaign_q(viewer: Any) -> Q | None:
    """Campaigns run by the member's unit or a unit above it, once they are no longer drafts."""
    if getattr(viewer, "member_id", None) is None:
        return None
    path = Member.objects.filter(pk=viewer.member_id).values_list("unit_path", flat=True).first()
    if not path:
        return None
    return Q(unit_path__in=ancestor_paths(path)) & ~Q(state=AidCampaign.State.DRAFT)


def campaigns_for(viewer: Any) -> QuerySet[AidCampaign]:
    """Campaigns the viewer may open (as a cadre or as a member), newest first, units and lines loaded."""
    q = None
    for part in (_cadre_campaign_q(viewer), _member_campaign_q(viewer)):
        if part is not None:
            q = part if q is None else q | part
    if q is None:
        return AidCampaign.objects.none()
    return AidCampaign.objects.filter(q).select_related("unit", "budget_line").order_by("-year", "-opens_on", "-id")


def cadre_campaigns_for(viewer: Any) -> QuerySet[AidCampaign]:
    """Campaigns the viewer runs or reviews, drafts included, newest first."""
    q = _cadre_campaign_q(viewer)
    if q is None:
        return AidCampaign.objects.none()
    return AidCampaign.objects.filter(q).select_related("unit", "budget_line").order_by("-year", "-opens_on", "-id")


def open_campaigns_for_member(viewer: Any) -> QuerySet[AidCampaign]:
    """Campaigns of the member's union (or branch) that take applications now or soon."""
    q = _member_campaign_q(viewer)
    if q is None:
        return AidCampaign.objects.none()
    return (
        AidCampaign.objects.filter(q, state=AidCampaign.State.OPEN, closes_on__gte=timezone.localdate())
        .select_related("unit")
        .prefetch_related("tiers")
        .order_by("closes_on", "id")
    )


def campaign_visible_to(viewer: Any, campaign: AidCampaign) -> bool:
    return campaigns_for(viewer).filter(pk=campaign.pk).exists()


def campaign_for(viewer: Any, pk: int) -> AidCampaign:
    """One campaign the viewer may open; ``OutOfScope`` (404, audited) otherwise."""
    campaign = campaigns_for(viewer).filter(pk=pk).first()
    if campaign is None:
        raise OutOfScope
    return campaign


def is_campaign_cadre(viewer: Any, campaign: AidCampaign) -> bool:
    """Whether the viewer works on this campaign (runs it, or reviews applications under it)."""
    q = _cadre_campaign_q(viewer)
    return q is not None and AidCampaign.objects.filter(q, pk=campaign.pk).exists()


@dataclass(frozen=True)
class CampaignTotals:
    budget: Decimal  # the budget line's amount
    available: Decimal  # what the line has left for new approvals
    committed: Decimal  # approved in this campaign, not yet paid
    paid: Decimal  # paid in this campaign, net of reversals
    counts: dict[str, int]  # applications per status


def campaign_totals(campaign: AidCampaign) -> CampaignTotals:
    """Money and counts of the whole campaign (two queries: the line and one aggregate)."""
    line = BudgetLine.objects.get(pk=campaign.budget_line_id)
    rows = (
        AidApplication.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"), total=Sum("amount"))
    )
    counts = {status: 0 for status in Status.values}
    sums = {status: ZERO for status in Status.values}
    for row in rows:
        counts[row["status"]] = row["n"]
        sums[row["status"]] = (row["total"] or ZERO).quantize(CENT)
    return CampaignTotals(
        budget=line.amount,
        available=line.available,
        committed=sums[Status.APPROVED],
        paid=sums[Status.PAID],
        counts=counts,
    )


# --- applications --------------------------------------------------------------------------------


def _with_relations(applications: QuerySet[AidApplication]) -> QuerySet[AidApplication]:
    return applications.select_related("member__unit", "tier", "campaign")


def applications_for_review(
    viewer: Any, *, campaign: AidCampaign | None = None, status: str | None = None
) -> QuerySet[AidApplication]:
    """Applications in the viewer's ``assistance.review_aid`` scope (optionally of one campaign or status)."""
    roots = scope_roots(viewer, "assistance.review_aid")
    if not roots:
        return AidApplication.objects.none()
    q = Q()
    for root in roots:
        q |= Q(unit_path__startswith=root)
    applications = AidApplication.objects.filter(q)
    if campaign is not None:
        applications = applications.filter(campaign=campaign)
    if status in Status.values:
        applications = applications.filter(status=status)
    return _with_relations(applications)


def review_queue_for(viewer: Any) -> QuerySet[AidApplication]:
    """Applications waiting for the viewer: to review (``review_aid``) or to approve (``approve_aid``, not
    reviewed by the viewer). Never the viewer's own."""
    q = Q(pk__in=[])
    for root in scope_roots(viewer, "assistance.review_aid"):
        q |= Q(status=Status.SUBMITTED, unit_path__startswith=root)
    for root in scope_roots(viewer, "assistance.approve_aid"):
        q |= Q(status=Status.REVIEWED, unit_path__startswith=root) & ~Q(reviewed_by_id=viewer.pk)
    applications = AidApplication.objects.filter(
        q, campaign__state__in=[AidCampaign.State.OPEN, AidCampaign.State.REVIEW]
    )
    if getattr(viewer, "member_id", None) is not None:
        applications = applications.exclude(member_id=viewer.member_id)
    return _with_relations(applications)


def own_applications(viewer: Any) -> QuerySet[AidApplication]:
    """The viewer's own applications (as a member), newest first."""
    if getattr(viewer, "member_id", None) is None:
        return AidApplication.objects.none()
    return (
        AidApplication.objects.filter(member_id=viewer.member_id)
        .select_related("campaign", "tier")
        .order_by("-submitted_at", "-id")
    )


def application_for(viewer: Any, pk: int) -> AidApplication:
    """One application: the applicant's own, or one in the viewer's review scope; 404 otherwise."""
    application = (
        AidApplication.objects.filter(pk=pk)
        .select_related("campaign__budget_line", "campaign__unit", "member__unit", "tier", "reviewed_by", "decided_by")
        .first()
    )
    if application is None:
        raise OutOfScope
    own = getattr(viewer, "member_id", None) is not None and application.member_id == viewer.member_id
    if not own and not can(viewer, "assistance.review_aid", application):
        raise OutOfScope
    return application


@dataclass
class ApplicationPage:
    items: list[AidApplication]
    next_cursor: str | None
    has_previous: bool


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id after which the next page starts, or None for a missing or forged cursor."""
    if not cursor or len(cursor) > 100:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != 1 or type(values[0]) is not int or not 0 < values[0] < 2**63:
        return None
    return values[0]


def application_page(
    applications: QuerySet[AidApplication], cursor: str | None, size: int | None = None
) -> ApplicationPage:
    """One page, oldest first, by keyset on ``id``: page 100 costs what page 1 costs."""
    size = size or PAGE_SIZE
    after = decode_cursor(cursor)
    applications = applications.order_by("id")
    if after:
        applications = applications.filter(id__gt=after)
    rows = list(applications[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return ApplicationPage(rows, encode_cursor(rows[-1].pk) if more and rows else None, has_previous=bool(after))


def mask_name(name: str) -> str:
    """张小明 → 张**: the family name only."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def application_row(viewer: Any, application: AidApplication) -> dict[str, Any]:
    """The application as the viewer may see it in a list (no query): the child's name and ID number and
    the income per head are masked unless the viewer holds ``assistance.view_sensitive`` on it."""
    sensitive = can(viewer, "assistance.view_sensitive", application)
    return {
        "application": application,
        "child_name": application.child_name if sensitive else mask_name(application.child_name),
        "child_id_number": application.child_id_number if sensitive else mask_id_number(application.child_id_number),
        "income_per_head": application.income_per_head if sensitive else None,
        "sensitive": sensitive,
    }


def record_sensitive_listing(viewer: Any, rows: list[dict[str, Any]], where: str) -> None:
    """A list that showed unmasked children's details is a read of sensitive data: one audit event."""
    shown = [row["application"].pk for row in rows if row["sensitive"]]
    if shown:
        record(viewer, "assistance.aid_application.sensitive_listed", None, applications=shown, where=where)


# --- publicity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicityRow:
    member_name: str
    unit_name: str
    tier: str
    amount: Decimal


def publicity_rows(campaign: AidCampaign) -> list[PublicityRow]:
    """The published list: member, unit, tier and amount of each approved application. Nothing about the
    child, no ID number, no income. One query."""
    applications = (
        AidApplication.objects.filter(campaign=campaign, status__in=PUBLISHED)
        .select_related("member__unit", "tier")
        .order_by("unit_path", "member__name_pinyin", "id")
    )
    return [PublicityRow(a.member.name, a.member.unit.name, a.tier.name, a.amount) for a in applications]


def publicity_is_visible(campaign: AidCampaign) -> bool:
    return campaign.state in (AidCampaign.State.PUBLICITY, AidCampaign.State.PAYING, AidCampaign.State.CLOSED)


def objections_of(campaign: AidCampaign, viewer: Any) -> QuerySet[Objection]:
    """The objections to the campaign's applications in the viewer's review scope."""
    roots = scope_roots(viewer, "assistance.review_aid")
    if not roots:
        return Objection.objects.none()
    q = Q()
    for root in roots:
        q |= Q(unit_path__startswith=root)
    return Objection.objects.filter(q, aid_application__campaign=campaign).select_related("aid_application__member")


# --- export --------------------------------------------------------------------------------------


def _cell(sheet: Any, value: Any) -> Any:
    """Text starting with "=" stays text instead of becoming a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def approved_list_workbook(*, viewer: Any, campaign: AidCampaign) -> bytes:
    """The approved (and paid) applications in the viewer's review scope as an .xlsx workbook.

    The child's ID number is always masked; the child's name too unless the viewer holds
    ``assistance.view_sensitive``. No income. Each export is an audit event."""
    if not scope_roots(viewer, "assistance.review_aid"):
        raise PermissionRefused("assistance.review_aid")
    applications = applications_for_review(viewer, campaign=campaign).filter(status__in=PUBLISHED)
    applications = applications.order_by("unit_path", "member__name_pinyin", "id")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Approved")[:31])
    bold = Font(bold=True)
    headers = [
        _("No."),
        _("Member"),
        _("Employee number"),
        _("Unit"),
        _("Child"),
        _("Child's ID number"),
        _("School or university"),
        _("Year of admission"),
        _("Tier"),
        _("Amount (yuan)"),
        _("Status"),
    ]
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count, total = 0, ZERO
    for number, application in enumerate(applications.iterator(chunk_size=500), start=1):
        row = application_row(viewer, application)
        sheet.append(
            [
                number,
                _cell(sheet, application.member.name),
                _cell(sheet, application.member.employee_no),
                _cell(sheet, application.member.unit.name),
                _cell(sheet, row["child_name"]),
                mask_id_number(application.child_id_number),
                _cell(sheet, application.school),
                application.admitted_year,
                _cell(sheet, application.tier.name),
                application.amount,
                str(application.get_status_display()),
            ]
        )
        count += 1
        total += application.amount
    sheet.append([None, _("Total"), None, None, None, None, None, None, None, total, None])
    output = io.BytesIO()
    workbook.save(output)
    record(viewer, "assistance.aid_campaign.exported", campaign, rows=count, amount=str(total))
    return output.getvalue()


# --- a cadre's work queue ------------------------------------------------------------------------


def aid_work_items(user: Any) -> list[WorkItem]:
    """Work-queue provider: per campaign, the applications waiting for this user's review or approval."""
    if not (scope_roots(user, "assistance.review_aid") or scope_roots(user, "assistance.approve_aid")):
        return []
    rows = (
        review_queue_for(user)
        .order_by()
        .values("campaign_id", "campaign__name", "campaign__closes_on", "status")
        .annotate(n=Count("id"))
        .order_by("campaign__closes_on", "campaign_id", "status")[:20]
    )
    items = []
    for row in rows:
        if row["status"] == Status.SUBMITTED:
            title = ngettext(
                "Education aid “%(campaign)s”: %(n)s application to review",
                "Education aid “%(campaign)s”: %(n)s applications to review",
                row["n"],
            )
        else:
            title = ngettext(
                "Education aid “%(campaign)s”: %(n)s application to approve",
                "Education aid “%(campaign)s”: %(n)s applications to approve",
                row["n"],
            )
        items.append(
            WorkItem(
                title=title % {"campaign": row["campaign__name"], "n": row["n"]},
                url=reverse("assistance:aid_campaign_detail", args=[row["campaign_id"]]) + f"?status={row['status']}",
                due=row["campaign__closes_on"].isoformat(),
                kind="assistance.aid",
            )
        )
    return items


# --- choices for the campaign form ---------------------------------------------------------------


def campaign_units_for(viewer: Any) -> QuerySet[OrgUnit]:
    """Units (not groups) where the viewer may run a campaign."""
    roots = scope_roots(viewer, "assistance.manage_aid")
    if not roots:
        return OrgUnit.objects.none()
    q = Q()
    for root in roots:
        q |= Q(path__startswith=root)
    return OrgUnit.objects.filter(q).exclude(kind=OrgUnit.Kind.GROUP).order_by("path")


def campaign_budget_lines_for(viewer: Any) -> QuerySet[BudgetLine]:
    """Budget lines held where the viewer may run a campaign (the service checks the line against the unit)."""
    roots = scope_roots(viewer, "assistance.manage_aid")
    if not roots:
        return BudgetLine.objects.none()
    q = Q()
    for root in roots:
        q |= Q(unit_path__startswith=root)
    return BudgetLine.objects.filter(q).select_related("unit").order_by("-year", "name", "id")
