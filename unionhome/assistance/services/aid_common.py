"""Education aid: the limits, states and small helpers shared by the campaign, application,
decision and payment services (checks, locks, notifications)."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.access.policy import OutOfScope, PermissionRefused, can
from unionhome.assistance.models import AidApplication, AidCampaign
from unionhome.assistance.selectors.aid import campaign_visible_to
from unionhome.notify.services import notification_send

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


def clean_text(value: Any, *, field_name: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field_name: _("This text contains invalid characters.")})
    if required and not text:
        raise ValidationError({field_name: _("Enter the %(label)s.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError({field_name: _("At most %(limit)d characters.") % {"limit": max_length}})
    return text


def clean_date(value: Any, *, field_name: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({field_name: _("Enter a date.")})
    return value


def locked_campaign(campaign: AidCampaign) -> AidCampaign:
    return AidCampaign.objects.select_for_update().get(pk=campaign.pk)


def locked_application(application: AidApplication) -> AidApplication:
    return AidApplication.objects.select_for_update().get(pk=application.pk)


def application_url(application: AidApplication) -> str:
    return reverse("assistance:aid_application_detail", args=[application.pk])


def notify_applicant(application: AidApplication, kind: str, title: str, body: str = "") -> None:
    """Tell the applicant (their login, if they have one) about a decision, in the union's language."""
    from unionhome.accounts.models import User

    recipient = User.objects.filter(member_id=application.member_id, is_active=True).first()
    if recipient is None:
        return
    notification_send(recipient=recipient, kind=kind, title=title, body=body, url=application_url(application))


def say(message: str, **values: Any) -> str:
    """``message`` (an English msgid) translated into the union's language for a notification."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values if values else _(message)


def is_applicant(actor: Any, application: AidApplication) -> bool:
    return getattr(actor, "member_id", None) is not None and actor.member_id == application.member_id


def require_case(actor: Any, permission: str, application: AidApplication) -> None:
    """``permission`` on the application's unit; 404 for those who may not even see it."""
    if can(actor, permission, application):
        return
    if is_applicant(actor, application) or can(actor, "assistance.review_aid", application):
        raise PermissionRefused(permission)
    raise OutOfScope()


def require_campaign(actor: Any, permission: str, campaign: AidCampaign) -> None:
    if can(actor, permission, campaign):
        return
    if campaign_visible_to(actor, campaign):
        raise PermissionRefused(permission)
    raise OutOfScope()


def not_own(actor: Any, application: AidApplication) -> None:
    if is_applicant(actor, application):
        raise ValidationError(_("You cannot decide on your own application; another cadre must do it."))


def clean_reason(reason: Any) -> str:
    return clean_text(reason, field_name="reason", label=_("reason"), max_length=500)
