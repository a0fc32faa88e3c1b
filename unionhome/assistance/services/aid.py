"""Education aid (爱心助学 / 金秋助学): campaigns, applications, review, approval, publicity and payment.

A campaign moves draft → open → review → publicity → paying → closed; an application moves
submitted → reviewed → approved → paid (or rejected, withdrawn, reversed):

* A cadre with ``assistance.manage_aid`` on a unit sets up a campaign (window, criteria, tiers, budget
  line held by that unit or below), opens it and closes it for review.
* A member applies for their own child while the campaign is open and today (local date) is inside the
  window. The criteria are checked when applying and a refusal names the criterion that is not met.
  The child's ID number is validated (``stdnum.cn.ric``), stored encrypted, and identified by a keyed
  digest: one application per child and campaign, whoever applies (a database constraint backs it).
* Review (``assistance.review_aid``) and approval (``assistance.approve_aid``) are done by two different
  people. Approval reserves the amount on the campaign's budget line (``ledger.commit``), so approvals
  stop at the budget; a rejection of an approved application gives the reservation back.
* Publishing lists every approved application for ``publicity_days`` days (member, unit, tier, amount).
  Objections raised meanwhile are resolved: dismissed, or upheld (the application is rejected and its
  money released). Paying starts once the period is over and no objection is open.
* Each payment goes through ``ledger.pay`` from the reservation with an idempotency key; paying the whole
  campaign uses the key ``aid-<application id>``, so running it again pays nobody twice. A payment is
  undone by ``ledger.reverse``, never deleted.

Each write checks the permission first, locks the application (or campaign) before the budget line, and
records an audit event in the same transaction. The child's ID number is never written to the audit
trail or a message unmasked. Applicants are notified of every decision about their application.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from unionhome.access.policy import OutOfScope, PermissionRefused, can, require
from unionhome.assistance import ledger
from unionhome.assistance.models import (
    AidApplication,
    AidCampaign,
    AidTier,
    BudgetLine,
    ConsentRecord,
    Document,
    HardshipFile,
    Objection,
    Payment,
)
from unionhome.assistance.selectors.aid import campaign_visible_to
from unionhome.assistance.services.documents import document_store
from unionhome.audit.recorder import record
from unionhome.encryption import keyed_digest
from unionhome.notify.services import notification_send
from unionhome.org.identity import mask_id_number, normalize_id_number
from unionhome.org.models import Member, OrgUnit
from unionhome.satisfaction.requests import rating_request

Campaign = AidCampaign.State
Status = AidApplication.Status

MAX_TIERS = 10
MAX_PUBLICITY_DAYS = 30
# How many years before the campaign's year a child may have been admitted (students already at university).
ADMITTED_YEARS_BACK = 8
# The states of a campaign in which applications may be reviewed, approved or rejected by a cadre.
DECIDING = (Campaign.OPEN, Campaign.REVIEW)
# A member may add documents to their own application while it waits for review.
OWN_DOCUMENT_STATES = (Status.SUBMITTED,)
AID_CONSENT_TEXT_VERSION = "2026.1"
AID_CONSENT_PURPOSE = gettext_lazy(
    "Education aid: the union's assistance officers may process my child's name, ID number, school and "
    "admission proof to assess, approve, publicise (name, unit and tier only) and pay this application."
)


# --- helpers -------------------------------------------------------------------------------------


def _text(value: Any, *, field_name: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field_name: _("This text contains invalid characters.")})
    if required and not text:
        raise ValidationError({field_name: _("Enter the %(label)s.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError({field_name: _("At most %(limit)d characters.") % {"limit": max_length}})
    return text


def _date(value: Any, *, field_name: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({field_name: _("Enter a date.")})
    return value


def _locked_campaign(campaign: AidCampaign) -> AidCampaign:
    return AidCampaign.objects.select_for_update().get(pk=campaign.pk)


def _locked_application(application: AidApplication) -> AidApplication:
    return AidApplication.objects.select_for_update().get(pk=application.pk)


def _application_url(application: AidApplication) -> str:
    return reverse("assistance:aid_application_detail", args=[application.pk])


def _notify(application: AidApplication, kind: str, title: str, body: str = "") -> None:
    """Tell the applicant (their login, if they have one) about a decision, in the union's language."""
    from unionhome.accounts.models import User

    recipient = User.objects.filter(member_id=application.member_id, is_active=True).first()
    if recipient is None:
        return
    notification_send(recipient=recipient, kind=kind, title=title, body=body, url=_application_url(application))


def _say(message: str, **values: Any) -> str:
    """``message`` (an English msgid) translated into the union's language for a notification."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values if values else _(message)


def _is_applicant(actor: Any, application: AidApplication) -> bool:
    return getattr(actor, "member_id", None) is not None and actor.member_id == application.member_id


def _require_case(actor: Any, permission: str, application: AidApplication) -> None:
    """``permission`` on the application's unit; 404 for those who may not even see it."""
    if can(actor, permission, application):
        return
    if _is_applicant(actor, application) or can(actor, "assistance.review_aid", application):
        raise PermissionRefused(permission)
    raise OutOfScope()


def _require_campaign(actor: Any, permission: str, campaign: AidCampaign) -> None:
    if can(actor, permission, campaign):
        return
    if campaign_visible_to(actor, campaign):
        raise PermissionRefused(permission)
    raise OutOfScope()


def _not_own(actor: Any, application: AidApplication) -> None:
    if _is_applicant(actor, application):
        raise ValidationError(_("You cannot decide on your own application; another cadre must do it."))


# --- campaigns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFields:
    name: str
    year: int
    opens_on: datetime.date
    closes_on: datetime.date
    budget_line: BudgetLine
    tiers: list[tuple[str, Decimal]]
    require_admission_this_year: bool
    require_active_file: bool
    income_per_head_below: Decimal | None
    publicity_days: int


def _clean_tiers(tiers: Any) -> list[tuple[str, Decimal]]:
    cleaned: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for item in tiers or []:
        try:
            name, amount = item
        except (TypeError, ValueError):
            raise ValidationError({"tiers": _("Give each tier a name and an amount.")}) from None
        name = _text(name, field_name="tiers", label=_("tier name"), max_length=50)
        if name in seen:
            raise ValidationError({"tiers": _("Two tiers are called “%(name)s”.") % {"name": name}})
        seen.add(name)
        cleaned.append((name, ledger.clean_amount(amount, field="tiers")))
    if not cleaned:
        raise ValidationError({"tiers": _("Add at least one tier with its amount.")})
    if len(cleaned) > MAX_TIERS:
        raise ValidationError({"tiers": _("A campaign has at most %(n)s tiers.") % {"n": MAX_TIERS}})
    return cleaned


def _clean_campaign(
    *,
    unit: OrgUnit,
    name: Any,
    year: Any,
    opens_on: Any,
    closes_on: Any,
    budget_line: BudgetLine | None,
    tiers: Any,
    require_admission_this_year: bool,
    require_active_file: bool,
    income_per_head_below: Any,
    publicity_days: Any,
) -> CampaignFields:
    errors: dict[str, list[str]] = {}

    def check(field_name: str, clean):
        try:
            return clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key if key != "__all__" else field_name, []).extend(messages)
            return None

    name = check("name", lambda: _text(name, field_name="name", label=_("name"), max_length=100))
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    opens_on = check("opens_on", lambda: _date(opens_on, field_name="opens_on"))
    closes_on = check("closes_on", lambda: _date(closes_on, field_name="closes_on"))
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = [_("Applications must close on or after the day they open.")]
    if budget_line is None:
        errors["budget_line"] = [_("Choose the budget line that pays for the campaign.")]
    elif not budget_line.unit_path.startswith(unit.path):
        errors["budget_line"] = [_("Choose a budget line held by the campaign's unit or a unit below it.")]
    tiers = check("tiers", lambda: _clean_tiers(tiers))
    if income_per_head_below in (None, ""):
        income_per_head_below = None
    else:
        income_per_head_below = check(
            "income_per_head_below", lambda: ledger.clean_amount(income_per_head_below, field="income_per_head_below")
        )
    if not isinstance(publicity_days, int) or isinstance(publicity_days, bool):
        errors["publicity_days"] = [_("Enter a number of days.")]
    elif not 1 <= publicity_days <= MAX_PUBLICITY_DAYS:
        errors["publicity_days"] = [
            _("The publicity period lasts from 1 to %(max)s days.") % {"max": MAX_PUBLICITY_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    return CampaignFields(
        name=name,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        budget_line=budget_line,
        tiers=tiers,
        require_admission_this_year=bool(require_admission_this_year),
        require_active_file=bool(require_active_file),
        income_per_head_below=income_per_head_below,
        publicity_days=publicity_days,
    )


def _name_taken(unit: OrgUnit, fields: CampaignFields, exclude_pk: int | None = None) -> bool:
    others = AidCampaign.objects.filter(unit=unit, year=fields.year, name=fields.name)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _name_taken_error() -> ValidationError:
    return ValidationError({"name": _("This unit already has a campaign with this name in that year.")})


def _campaign_summary(fields: CampaignFields) -> dict[str, Any]:
    return {
        "name": fields.name,
        "year": fields.year,
        "opens_on": fields.opens_on.isoformat(),
        "closes_on": fields.closes_on.isoformat(),
        "budget_line": fields.budget_line.pk,
        "tiers": [[name, str(amount)] for name, amount in fields.tiers],
        "require_admission_this_year": fields.require_admission_this_year,
        "require_active_file": fields.require_active_file,
        "income_per_head_below": str(fields.income_per_head_below) if fields.income_per_head_below else None,
        "publicity_days": fields.publicity_days,
    }


@transaction.atomic
def aid_campaign_create(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    budget_line: BudgetLine,
    tiers: list[tuple[str, Any]],
    require_admission_this_year: bool = True,
    require_active_file: bool = False,
    income_per_head_below: Any = None,
    publicity_days: int = 5,
) -> AidCampaign:
    """Set up a campaign (a draft) run by ``unit``, paid from ``budget_line``, with amounts per tier."""
    require(actor, "assistance.manage_aid", unit)
    fields = _clean_campaign(
        unit=unit,
        name=name,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        budget_line=budget_line,
        tiers=tiers,
        require_admission_this_year=require_admission_this_year,
        require_active_file=require_active_file,
        income_per_head_below=income_per_head_below,
        publicity_days=publicity_days,
    )
    if _name_taken(unit, fields):
        raise _name_taken_error()
    try:
        with transaction.atomic():
            campaign = AidCampaign.objects.create(
                unit=unit,
                unit_path=unit.path,
                name=fields.name,
                year=fields.year,
                opens_on=fields.opens_on,
                closes_on=fields.closes_on,
                budget_line=fields.budget_line,
                require_admission_this_year=fields.require_admission_this_year,
                require_active_file=fields.require_active_file,
                income_per_head_below=fields.income_per_head_below,
                publicity_days=fields.publicity_days,
                created_by=actor,
            )
    except IntegrityError:  # the same name created at the same moment
        raise _name_taken_error() from None
    AidTier.objects.bulk_create(AidTier(campaign=campaign, name=n, amount=a) for n, a in fields.tiers)
    record(actor, "assistance.aid_campaign.created", campaign, unit=unit.pk, **_campaign_summary(fields))
    return campaign


@transaction.atomic
def aid_campaign_update(
    *,
    actor: Any,
    campaign: AidCampaign,
    name: str,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    budget_line: BudgetLine,
    tiers: list[tuple[str, Any]],
    require_admission_this_year: bool,
    require_active_file: bool,
    income_per_head_below: Any,
    publicity_days: int,
) -> AidCampaign:
    """Change a draft campaign: every field, the tiers replaced by ``tiers``."""
    _require_campaign(actor, "assistance.manage_aid", campaign)
    campaign = _locked_campaign(campaign)
    if campaign.state != Campaign.DRAFT:
        raise ValidationError(_("Only a draft campaign can be changed."))
    fields = _clean_campaign(
        unit=campaign.unit,
        name=name,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        budget_line=budget_line,
        tiers=tiers,
        require_admission_this_year=require_admission_this_year,
        require_active_file=require_active_file,
        income_per_head_below=income_per_head_below,
        publicity_days=publicity_days,
    )
    if _name_taken(campaign.unit, fields, exclude_pk=campaign.pk):
        raise _name_taken_error()
    old_tiers = [[t.name, str(t.amount)] for t in campaign.tiers.all()]
    old = {
        "name": campaign.name,
        "year": campaign.year,
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
        "budget_line": campaign.budget_line_id,
        "tiers": old_tiers,
        "require_admission_this_year": campaign.require_admission_this_year,
        "require_active_file": campaign.require_active_file,
        "income_per_head_below": str(campaign.income_per_head_below) if campaign.income_per_head_below else None,
        "publicity_days": campaign.publicity_days,
    }
    new = _campaign_summary(fields)
    diff = {key: [old[key], value] for key, value in new.items() if old[key] != value}
    if not diff:
        return campaign
    for attribute in (
        "name",
        "year",
        "opens_on",
        "closes_on",
        "budget_line",
        "require_admission_this_year",
        "require_active_file",
        "income_per_head_below",
        "publicity_days",
    ):
        setattr(campaign, attribute, getattr(fields, attribute))
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise _name_taken_error() from None
    if "tiers" in diff:
        campaign.tiers.all().delete()  # a draft has no applications, so no application points at a tier
        AidTier.objects.bulk_create(AidTier(campaign=campaign, name=n, amount=a) for n, a in fields.tiers)
    record(actor, "assistance.aid_campaign.updated", campaign, **diff)
    return campaign


def _transition(actor: Any, campaign: AidCampaign, permission: str, allowed: tuple[str, ...]) -> AidCampaign:
    _require_campaign(actor, permission, campaign)
    campaign = _locked_campaign(campaign)
    if campaign.state not in allowed:
        raise ValidationError(
            _("This cannot be done while the campaign is “%(state)s”.") % {"state": campaign.get_state_display()}
        )
    return campaign


def _set_state(actor: Any, campaign: AidCampaign, state: str, action: str, **details: Any) -> AidCampaign:
    old = campaign.state
    campaign.state = state
    campaign.save(update_fields=["state", "publicity_starts_on", "publicity_ends_on"])
    record(actor, f"assistance.aid_campaign.{action}", campaign, state=[old, state], **details)
    return campaign


@transaction.atomic
def aid_campaign_open(*, actor: Any, campaign: AidCampaign) -> AidCampaign:
    """Draft → open: members may apply between ``opens_on`` and ``closes_on``."""
    campaign = _transition(actor, campaign, "assistance.manage_aid", (Campaign.DRAFT,))
    if campaign.closes_on < timezone.localdate():
        raise ValidationError(
            {
                "closes_on": _("The application window ended on %(date)s. Change the dates first.")
                % {"date": campaign.closes_on.isoformat()}
            }
        )
    if not campaign.tiers.exists():
        raise ValidationError({"tiers": _("Add at least one tier with its amount.")})
    return _set_state(actor, campaign, Campaign.OPEN, "opened")


@transaction.atomic
def aid_campaign_close(*, actor: Any, campaign: AidCampaign) -> AidCampaign:
    """Open → review: no more applications; cadres finish reviewing and deciding."""
    campaign = _transition(actor, campaign, "assistance.manage_aid", (Campaign.OPEN,))
    return _set_state(actor, campaign, Campaign.REVIEW, "closed")


@transaction.atomic
def aid_campaign_publish(*, actor: Any, campaign: AidCampaign) -> AidCampaign:
    """Review → publicity: the approved list is shown for ``publicity_days`` days, starting today."""
    campaign = _transition(actor, campaign, "assistance.manage_aid", (Campaign.REVIEW,))
    applications = AidApplication.objects.filter(campaign=campaign)
    undecided = applications.filter(status__in=[Status.SUBMITTED, Status.REVIEWED]).count()
    if undecided:
        raise ValidationError(
            ngettext(
                "%(n)s application is still waiting for review or approval. Decide on it first.",
                "%(n)s applications are still waiting for review or approval. Decide on each one first.",
                undecided,
            )
            % {"n": undecided}
        )
    approved = applications.filter(status=Status.APPROVED).count()
    if not approved:
        raise ValidationError(_("No application is approved, so there is no list to publish."))
    today = timezone.localdate()
    campaign.publicity_starts_on = today
    campaign.publicity_ends_on = today + datetime.timedelta(days=campaign.publicity_days - 1)
    return _set_state(
        actor,
        campaign,
        Campaign.PUBLICITY,
        "published",
        approved=approved,
        publicity_ends_on=campaign.publicity_ends_on.isoformat(),
    )


@transaction.atomic
def aid_campaign_start_paying(*, actor: Any, campaign: AidCampaign) -> AidCampaign:
    """Publicity → paying, once the period is over and every objection is resolved."""
    campaign = _transition(actor, campaign, "assistance.manage_aid", (Campaign.PUBLICITY,))
    if timezone.localdate() <= campaign.publicity_ends_on:
        raise ValidationError(
            _("The publicity period runs until %(date)s. Payment can start the day after.")
            % {"date": campaign.publicity_ends_on.isoformat()}
        )
    open_objections = Objection.objects.filter(
        aid_application__campaign=campaign, resolution=Objection.Resolution.OPEN
    ).count()
    if open_objections:
        raise ValidationError(
            ngettext(
                "%(n)s objection is not resolved yet. Resolve it before paying.",
                "%(n)s objections are not resolved yet. Resolve each one before paying.",
                open_objections,
            )
            % {"n": open_objections}
        )
    return _set_state(actor, campaign, Campaign.PAYING, "paying_started")


@transaction.atomic
def aid_campaign_finish(*, actor: Any, campaign: AidCampaign) -> AidCampaign:
    """Paying → closed, once every approved application is paid."""
    campaign = _transition(actor, campaign, "assistance.manage_aid", (Campaign.PAYING,))
    unpaid = AidApplication.objects.filter(campaign=campaign, status=Status.APPROVED).count()
    if unpaid:
        raise ValidationError(
            ngettext(
                "%(n)s approved application is not paid yet.", "%(n)s approved applications are not paid yet.", unpaid
            )
            % {"n": unpaid}
        )
    return _set_state(actor, campaign, Campaign.CLOSED, "finished")


# --- applications --------------------------------------------------------------------------------


def _unmet_criterion(
    campaign: AidCampaign, member: Member, admitted_year: int
) -> tuple[ValidationError | None, HardshipFile | None]:
    """The first criterion of the campaign that the application does not meet (as an error), and the
    member's active hardship file (where the household income per head is taken from)."""
    if campaign.require_admission_this_year and admitted_year != campaign.year:
        return (
            ValidationError(
                {
                    "admitted_year": _("This campaign is for children admitted to university in %(year)s.")
                    % {"year": campaign.year}
                }
            ),
            None,
        )
    active_file = (
        HardshipFile.objects.filter(member=member, state=HardshipFile.State.ACTIVE).order_by("-activated_on").first()
    )
    threshold = campaign.income_per_head_below
    if not campaign.require_active_file and threshold is None:
        return None, active_file
    if campaign.require_active_file and active_file is not None:
        return None, active_file
    if threshold is not None and active_file is not None and active_file.income_per_head < threshold:
        return None, active_file
    # Not met. With an active file the first criterion holds, so here the file is missing unless only the
    # income threshold is asked for.
    if campaign.require_active_file and threshold is not None:
        message = _(
            "This campaign is for members with an active hardship file or a household income per head below "
            "%(limit)s yuan a month (taken from an active hardship file). You have no active hardship file."
        ) % {"limit": threshold}
    elif campaign.require_active_file:
        message = _(
            "This campaign is for members with an active hardship file, and you have none. "
            "Ask your branch union about opening one."
        )
    elif active_file is None:
        message = _(
            "This campaign is for households with an income per head below %(limit)s yuan a month, "
            "taken from an active hardship file. You have no active hardship file to show your income."
        ) % {"limit": threshold}
    else:
        message = _(
            "This campaign is for households with an income per head below %(limit)s yuan a month; "
            "your hardship file shows %(income)s yuan."
        ) % {"limit": threshold, "income": active_file.income_per_head}
    return ValidationError(message, code="criteria"), active_file


def _child_taken(campaign: AidCampaign, child_key: str) -> bool:
    """Whether the child already has an application (not withdrawn) in the campaign."""
    applications = AidApplication.objects.filter(campaign=campaign, child_key=child_key)
    return applications.exclude(status=Status.WITHDRAWN).exists()


def _duplicate_error(campaign: AidCampaign, member: Member, child_key: str) -> ValidationError:
    earlier = (
        AidApplication.objects.filter(campaign=campaign, child_key=child_key)
        .exclude(status=Status.WITHDRAWN)
        .values_list("member_id", flat=True)
        .first()
    )
    if earlier == member.pk:
        return ValidationError(
            {"child_id_number": _("You have already applied for this child in this campaign.")}, code="duplicate"
        )
    return ValidationError(
        {
            "child_id_number": _(
                "This child already has an application in this campaign, perhaps made by the other parent. "
                "A child can be supported once per campaign."
            )
        },
        code="duplicate",
    )


def _clean_child_id(value: Any, member: Member) -> str:
    try:
        number = normalize_id_number(str(value or ""))
    except ValidationError as exc:
        raise ValidationError({"child_id_number": exc.messages}) from None
    if member.id_number and number == member.id_number.upper():
        raise ValidationError({"child_id_number": _("Enter your child's ID number, not your own.")})
    return number


@transaction.atomic
def aid_application_submit(
    *,
    actor: Any,
    campaign: AidCampaign,
    child_name: str,
    child_id_number: str,
    school: str,
    admitted_year: int,
    tier: AidTier | int,
    consent: bool,
    proof: Any = None,
    proof_kind: str = Document.Kind.ADMISSION,
) -> AidApplication:
    """A member applies for their own child. ``proof`` (an uploaded file) is stored as a document.

    The child's details are sensitive personal information of a minor: the parent's separate consent is
    recorded (``ConsentRecord``) with the application, and without it there is no application."""
    member_id = getattr(actor, "member_id", None)
    if member_id is None:
        raise ValidationError(_("Only members apply for education aid, for their own children."))
    member = Member.objects.select_related("unit").get(pk=member_id)
    campaign = _locked_campaign(campaign)
    if campaign.state == Campaign.DRAFT or not member.unit_path.startswith(campaign.unit_path):
        raise OutOfScope()
    if member.status not in (Member.Status.ACTIVE, Member.Status.RETIRED):
        raise ValidationError(_("Only current and retired members can apply."))
    if campaign.state != Campaign.OPEN:
        raise ValidationError(_("This campaign is not taking applications."))
    today = timezone.localdate()
    if today < campaign.opens_on:
        raise ValidationError(_("Applications open on %(date)s.") % {"date": campaign.opens_on.isoformat()})
    if today > campaign.closes_on:
        raise ValidationError(_("Applications closed on %(date)s.") % {"date": campaign.closes_on.isoformat()})

    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, clean in (
        ("child_name", lambda: _text(child_name, field_name="child_name", label=_("child's name"), max_length=50)),
        ("child_id_number", lambda: _clean_child_id(child_id_number, member)),
        ("school", lambda: _text(school, field_name="school", label=_("school or university"), max_length=100)),
    ):
        try:
            values[name] = clean()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.message_dict.get(name, exc.messages))
    if (
        not isinstance(admitted_year, int)
        or isinstance(admitted_year, bool)
        or not campaign.year - ADMITTED_YEARS_BACK <= admitted_year <= campaign.year
    ):
        errors["admitted_year"] = [
            _("Enter a year of admission from %(first)s to %(last)s.")
            % {"first": campaign.year - ADMITTED_YEARS_BACK, "last": campaign.year}
        ]
    tier_id = tier.pk if isinstance(tier, AidTier) else tier
    chosen = (
        AidTier.objects.filter(campaign=campaign, pk=tier_id).first()
        if isinstance(tier_id, int) and not isinstance(tier_id, bool)
        else None
    )
    if chosen is None:
        errors["tier"] = [_("Choose one of the campaign's tiers.")]
    if consent is not True:
        errors["consent"] = [_("Without your consent to the use of your child's details, there is no application.")]
    if errors:
        raise ValidationError(errors)

    unmet, active_file = _unmet_criterion(campaign, member, admitted_year)
    if unmet is not None:
        raise unmet
    child_key = keyed_digest(values["child_id_number"])
    if _child_taken(campaign, child_key):
        raise _duplicate_error(campaign, member, child_key)
    try:
        with transaction.atomic():
            application = AidApplication.objects.create(
                campaign=campaign,
                member=member,
                unit_path=member.unit_path,
                child_name=values["child_name"],
                child_id_number=values["child_id_number"],
                child_key=child_key,
                school=values["school"],
                admitted_year=admitted_year,
                tier=chosen,
                amount=chosen.amount,
                income_per_head=active_file.income_per_head if active_file else None,
                hardship_file=active_file,
                submitted_by=actor,
            )
    except IntegrityError:  # another parent applied for the same child at the same moment
        raise _duplicate_error(campaign, member, child_key) from None
    with translation.override(settings.LANGUAGE_CODE):
        purpose = str(AID_CONSENT_PURPOSE)
    ConsentRecord.objects.create(
        member=member,
        purpose=purpose,
        text_version=AID_CONSENT_TEXT_VERSION,
        method=ConsentRecord.Method.ONLINE,
        recorded_by=actor,
        given_at=timezone.now(),
    )
    record(
        actor,
        "assistance.aid_application.submitted",
        application,
        campaign=campaign.pk,
        tier=chosen.name,
        amount=str(chosen.amount),
        admitted_year=admitted_year,
        child_id_number=mask_id_number(values["child_id_number"]),
    )
    if proof is not None:
        document_store(
            actor=actor, case=application, upload=proof, kind=proof_kind, own_case_states=OWN_DOCUMENT_STATES
        )
    return application


def aid_document_add(*, actor: Any, application: AidApplication, upload: Any, kind: str) -> Document:
    """Add a supporting document: the applicant while the application waits for review, or a reviewer."""
    return document_store(actor=actor, case=application, upload=upload, kind=kind, own_case_states=OWN_DOCUMENT_STATES)


@transaction.atomic
def aid_application_withdraw(*, actor: Any, application: AidApplication) -> AidApplication:
    """The applicant takes their application back, before it is reviewed."""
    if not _is_applicant(actor, application):
        if can(actor, "assistance.review_aid", application):
            raise ValidationError(_("Only the applicant can withdraw an application; a cadre can reject it."))
        raise OutOfScope()
    application = _locked_application(application)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("An application can be withdrawn only while it waits for review."))
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])
    record(actor, "assistance.aid_application.withdrawn", application, status=[Status.SUBMITTED, Status.WITHDRAWN])
    return application


@transaction.atomic
def aid_application_review(*, actor: Any, application: AidApplication, note: str = "") -> AidApplication:
    """A reviewer checks the application and its proof and passes it on for approval."""
    _require_case(actor, "assistance.review_aid", application)
    note = _text(note, field_name="note", label=_("note"), max_length=500, required=False)
    application = _locked_application(application)
    _not_own(actor, application)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("Only an application that waits for review can be reviewed."))
    if application.campaign.state not in DECIDING:
        raise ValidationError(_("The campaign no longer takes decisions on applications."))
    application.status = Status.REVIEWED
    application.reviewed_by = actor
    application.save(update_fields=["status", "reviewed_by"])
    record(
        actor, "assistance.aid_application.reviewed", application, status=[Status.SUBMITTED, Status.REVIEWED], note=note
    )
    return application


@transaction.atomic
def aid_application_approve(*, actor: Any, application: AidApplication, note: str = "") -> AidApplication:
    """Approve a reviewed application (not by its reviewer) and reserve its amount on the budget line."""
    _require_case(actor, "assistance.approve_aid", application)
    note = _text(note, field_name="note", label=_("note"), max_length=500, required=False)
    application = _locked_application(application)
    _not_own(actor, application)
    if application.status == Status.SUBMITTED:
        raise ValidationError(_("The application must be reviewed before it can be approved."))
    if application.status != Status.REVIEWED:
        raise ValidationError(_("Only a reviewed application can be approved."))
    if application.reviewed_by_id == actor.pk:
        raise ValidationError(_("You reviewed this application, so another cadre must approve it."))
    campaign = application.campaign
    if campaign.state not in DECIDING:
        raise ValidationError(_("The campaign no longer takes decisions on applications."))
    ledger.commit(campaign.budget_line_id, application.amount)  # OverBudget: approvals stop at the budget
    application.status = Status.APPROVED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_note = note
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        "assistance.aid_application.approved",
        application,
        status=[Status.REVIEWED, Status.APPROVED],
        amount=str(application.amount),
        budget_line=campaign.budget_line_id,
    )
    _notify(
        application,
        "assistance.aid.approved",
        _say(gettext_noop("Your education-aid application is approved")),
        _say(
            gettext_noop(
                "The application for %(child)s in “%(campaign)s” is approved: %(amount)s yuan. "
                "It will be paid after the publicity period."
            ),
            child=application.child_name,
            campaign=campaign.name,
            amount=application.amount,
        ),
    )
    return application


def _reject(actor: Any, application: AidApplication, reason: str, action: str) -> AidApplication:
    """Reject a locked application, giving back its reservation if it was approved."""
    old = application.status
    if old == Status.APPROVED:
        ledger.release(application.campaign.budget_line_id, application.amount)
    application.status = Status.REJECTED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_note = reason
    application.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        action,
        application,
        status=[old, Status.REJECTED],
        reason=reason,
        released=str(application.amount) if old == Status.APPROVED else None,
    )
    _notify(
        application,
        "assistance.aid.rejected",
        _say(gettext_noop("Your education-aid application is not approved")),
        _say(
            gettext_noop("The application for %(child)s in “%(campaign)s” is not approved. Reason: %(reason)s"),
            child=application.child_name,
            campaign=application.campaign.name,
            reason=reason,
        ),
    )
    return application


def _clean_reason(reason: Any) -> str:
    return _text(reason, field_name="reason", label=_("reason"), max_length=500)


@transaction.atomic
def aid_application_reject(*, actor: Any, application: AidApplication, reason: str) -> AidApplication:
    """Reject an application with a reason the applicant sees; an approved one gives its money back.

    A reviewer rejects what waits for review; rejecting a reviewed or approved application is an
    approver's decision. Once the list is published, only an upheld objection rejects."""
    permission = "assistance.review_aid" if application.status == Status.SUBMITTED else "assistance.approve_aid"
    _require_case(actor, permission, application)
    reason = _clean_reason(reason)
    application = _locked_application(application)
    _not_own(actor, application)
    if application.status not in (Status.SUBMITTED, Status.REVIEWED, Status.APPROVED):
        raise ValidationError(_("This application is already decided and cannot be rejected now."))
    if application.status != Status.SUBMITTED:
        require(actor, "assistance.approve_aid", application)
    if application.campaign.state == Campaign.PUBLICITY:
        raise ValidationError(
            _("The approved list is published: record an objection and uphold it to reject an application.")
        )
    if application.campaign.state not in DECIDING:
        raise ValidationError(_("The campaign no longer takes decisions on applications."))
    return _reject(actor, application, reason, "assistance.aid_application.rejected")


# --- objections during publicity -----------------------------------------------------------------


@transaction.atomic
def aid_objection_record(*, actor: Any, application: AidApplication, summary: str, raised_by: str = "") -> Objection:
    """Record an objection to an approved application while the list is in publicity."""
    _require_case(actor, "assistance.manage_aid", application)
    summary = _text(summary, field_name="summary", label=_("objection"), max_length=2000)
    raised_by = _text(raised_by, field_name="raised_by", label=_("raised by"), max_length=100, required=False)
    application = _locked_application(application)
    if application.campaign.state != Campaign.PUBLICITY or application.status != Status.APPROVED:
        raise ValidationError(_("Objections are recorded against approved applications during the publicity period."))
    objection = Objection.objects.create(
        aid_application=application,
        unit_path=application.unit_path,
        summary=summary,
        raised_by=raised_by,
        recorded_by=actor,
    )
    record(actor, "assistance.aid_objection.recorded", objection, application=application.pk)
    return objection


@transaction.atomic
def aid_objection_resolve(*, actor: Any, objection: Objection, resolution: str, note: str) -> Objection:
    """Dismiss an objection, or uphold it: the application is then rejected and its money released."""
    application = objection.aid_application
    if application is None:
        raise OutOfScope()
    _require_case(actor, "assistance.approve_aid", application)
    if resolution not in (Objection.Resolution.DISMISSED, Objection.Resolution.UPHELD):
        raise ValidationError({"resolution": _("Choose whether the objection is dismissed or upheld.")})
    note = _text(note, field_name="resolution_note", label=_("resolution note"), max_length=2000)
    application = _locked_application(application)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolution != Objection.Resolution.OPEN:
        raise ValidationError(_("This objection is already resolved."))
    objection.resolution = resolution
    objection.resolution_note = note
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["resolution", "resolution_note", "resolved_by", "resolved_at"])
    record(actor, "assistance.aid_objection.resolved", objection, resolution=[Objection.Resolution.OPEN, resolution])
    if resolution == Objection.Resolution.UPHELD and application.status == Status.APPROVED:
        _reject(actor, application, note, "assistance.aid_application.rejected_on_objection")
    return objection


# --- payment -------------------------------------------------------------------------------------


def _clean_key(idempotency_key: Any) -> str:
    key = str(idempotency_key or "").strip()
    if not key or len(key) > 100 or not key.isprintable():
        raise ValidationError({"idempotency_key": _("Send an idempotency key of 1 to 100 printable characters.")})
    return key


@transaction.atomic
def aid_application_pay(*, actor: Any, application: AidApplication, idempotency_key: str) -> ledger.PaymentResult:
    """Pay an approved application from its reservation, once: a retry with the same key returns the
    first payment; paying an already paid application with another key is refused."""
    _require_case(actor, "assistance.disburse", application)
    key = _clean_key(idempotency_key)
    application = _locked_application(application)
    if application.status == Status.PAID:
        earlier = Payment.objects.filter(
            idempotency_key=key, aid_application=application, kind=Payment.Kind.PAYMENT
        ).first()
        if earlier is None:
            raise ledger.AlreadyPaid()
        return ledger.PaymentResult(earlier, replayed=True)
    if application.status != Status.APPROVED:
        raise ValidationError(_("Only an approved application can be paid."))
    campaign = application.campaign
    if campaign.state != Campaign.PAYING:
        raise ValidationError(_("Payments start once the publicity period is over and paying has started."))
    result = ledger.pay(
        actor=actor,
        line_id=campaign.budget_line_id,
        amount=application.amount,
        item=application,
        from_commitment=True,
        idempotency_key=key,
        note=f"{campaign.name} {application.tier.name}"[:500],
    )
    application.status = Status.PAID
    application.save(update_fields=["status"])
    transaction.on_commit(lambda: rating_request(application), robust=True)
    record(
        actor,
        "assistance.aid_application.paid",
        application,
        status=[Status.APPROVED, Status.PAID],
        amount=str(application.amount),
        payment=result.payment.pk,
    )
    _notify(
        application,
        "assistance.aid.paid",
        _say(gettext_noop("Your education aid is paid")),
        _say(
            gettext_noop("%(amount)s yuan of education aid for %(child)s (“%(campaign)s”) has been paid."),
            amount=application.amount,
            child=application.child_name,
            campaign=campaign.name,
        ),
    )
    return result


def pay_all_key(application: AidApplication | int) -> str:
    """The idempotency key with which ``aid_campaign_pay_all`` pays an application."""
    return f"aid-{application.pk if isinstance(application, AidApplication) else application}"


@dataclass
class PayAllResult:
    paid: list[int] = field(default_factory=list)  # the applications paid by this run
    failed: list[tuple[int, str]] = field(default_factory=list)  # (application id, why not)
    total: Decimal = Decimal("0.00")  # paid by this run


def aid_campaign_pay_all(*, actor: Any, campaign: AidCampaign) -> PayAllResult:
    """Pay every approved application of the campaign, each in its own transaction with the key
    ``aid-<id>``: an interrupted run can simply be run again, and nobody is paid twice."""
    _require_campaign(actor, "assistance.disburse", campaign)
    campaign.refresh_from_db(fields=["state"])
    if campaign.state != Campaign.PAYING:
        raise ValidationError(_("Payments start once the publicity period is over and paying has started."))
    result = PayAllResult()
    pending = list(
        AidApplication.objects.filter(campaign=campaign, status=Status.APPROVED)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for pk in pending:
        application = AidApplication.objects.get(pk=pk)
        try:
            paid = aid_application_pay(actor=actor, application=application, idempotency_key=pay_all_key(pk))
        except (ValidationError, PermissionRefused, OutOfScope) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            result.failed.append((pk, message))
            continue
        if not paid.replayed:
            result.paid.append(pk)
            result.total += paid.payment.amount
    with transaction.atomic():
        record(
            actor,
            "assistance.aid_campaign.paid_all",
            campaign,
            paid=len(result.paid),
            amount=str(result.total),
            failed=[pk for pk, _message in result.failed],
        )
    return result


@transaction.atomic
def aid_payment_reverse(*, actor: Any, application: AidApplication, reason: str) -> Payment:
    """Undo the payment of an application by a reversal entry; the money goes back to the budget line."""
    _require_case(actor, "assistance.disburse", application)
    reason = _clean_reason(reason)
    application = _locked_application(application)
    if application.status != Status.PAID:
        raise ValidationError(_("Only a paid application can have its payment reversed."))
    payment = (
        Payment.objects.filter(aid_application=application, kind=Payment.Kind.PAYMENT, reversal__isnull=True)
        .order_by("-paid_at", "-id")
        .first()
    )
    if payment is None:
        raise ValidationError(_("This payment has already been reversed."))
    reversal = ledger.reverse(actor=actor, payment=payment, reason=reason)
    application.status = Status.REVERSED
    application.save(update_fields=["status"])
    record(
        actor,
        "assistance.aid_application.payment_reversed",
        application,
        status=[Status.PAID, Status.REVERSED],
        amount=str(payment.amount),
        reason=reason,
        reversal=reversal.pk,
    )
    _notify(
        application,
        "assistance.aid.reversed",
        _say(gettext_noop("Your education-aid payment was reversed")),
        _say(
            gettext_noop("The payment for %(child)s was reversed. Reason: %(reason)s"),
            child=application.child_name,
            reason=reason,
        ),
    )
    return reversal
