"""Education aid campaigns: drafting and changing a campaign (window, criteria, tiers, budget line)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unionhome.access.policy import require
from unionhome.assistance import ledger
from unionhome.assistance.models import AidCampaign, AidTier, BudgetLine
from unionhome.assistance.services.aid_common import (
    MAX_PUBLICITY_DAYS,
    MAX_TIERS,
    Campaign,
    clean_date,
    clean_text,
    locked_campaign,
    require_campaign,
)
from unionhome.audit.recorder import record
from unionhome.org.models import OrgUnit


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
        name = clean_text(name, field_name="tiers", label=_("tier name"), max_length=50)
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

    name = check("name", lambda: clean_text(name, field_name="name", label=_("name"), max_length=100))
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [_("Enter a year between 2000 and 2100.")]
    opens_on = check("opens_on", lambda: clean_date(opens_on, field_name="opens_on"))
    closes_on = check("closes_on", lambda: clean_date(closes_on, field_name="closes_on"))
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
    require_campaign(actor, "assistance.manage_aid", campaign)
    campaign = locked_campaign(campaign)
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
