"""Education aid campaigns: the moves draft → open → review → publicity → paying → closed."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unionhome.assistance.models import AidApplication, AidCampaign, Objection
from unionhome.assistance.services.aid_common import Campaign, Status, locked_campaign, require_campaign
from unionhome.audit.recorder import record


def _transition(actor: Any, campaign: AidCampaign, permission: str, allowed: tuple[str, ...]) -> AidCampaign:
    require_campaign(actor, permission, campaign)
    campaign = locked_campaign(campaign)
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
