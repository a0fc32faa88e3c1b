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

This module does the applying (criteria, applying for a child, documents, withdrawing) and is the public
entry of the education aid services: views, the API and tests use ``from unionhome.assistance.services
import aid`` and call ``aid.aid_campaign_create(...)`` and so on. The rest is split by what it does:
``aid_campaign_setup`` (drafting a campaign), ``aid_campaign_states`` (its moves), ``aid_decisions`` (review,
approval, rejection, objections) and ``aid_payment`` (paying and reversing); ``aid_common`` holds the limits
and shared checks.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionhome.access.policy import OutOfScope, can
from unionhome.assistance.models import AidApplication, AidCampaign, AidTier, ConsentRecord, Document, HardshipFile
from unionhome.assistance.services.aid_campaign_setup import CampaignFields, aid_campaign_create, aid_campaign_update
from unionhome.assistance.services.aid_campaign_states import (
    aid_campaign_close,
    aid_campaign_finish,
    aid_campaign_open,
    aid_campaign_publish,
    aid_campaign_start_paying,
)
from unionhome.assistance.services.aid_common import (
    ADMITTED_YEARS_BACK,
    AID_CONSENT_PURPOSE,
    AID_CONSENT_TEXT_VERSION,
    DECIDING,
    MAX_PUBLICITY_DAYS,
    MAX_TIERS,
    OWN_DOCUMENT_STATES,
    Campaign,
    Status,
    clean_text,
    is_applicant,
    locked_application,
    locked_campaign,
)
from unionhome.assistance.services.aid_decisions import (
    aid_application_approve,
    aid_application_reject,
    aid_application_review,
    aid_objection_record,
    aid_objection_resolve,
)
from unionhome.assistance.services.aid_payment import (
    PayAllResult,
    aid_application_pay,
    aid_campaign_pay_all,
    aid_payment_reverse,
    pay_all_key,
)
from unionhome.assistance.services.documents import document_store
from unionhome.audit.recorder import record
from unionhome.encryption import keyed_digest
from unionhome.org.identity import mask_id_number, normalize_id_number
from unionhome.org.models import Member


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
    campaign = locked_campaign(campaign)
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
        ("child_name", lambda: clean_text(child_name, field_name="child_name", label=_("child's name"), max_length=50)),
        ("child_id_number", lambda: _clean_child_id(child_id_number, member)),
        ("school", lambda: clean_text(school, field_name="school", label=_("school or university"), max_length=100)),
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
    if not is_applicant(actor, application):
        if can(actor, "assistance.review_aid", application):
            raise ValidationError(_("Only the applicant can withdraw an application; a cadre can reject it."))
        raise OutOfScope()
    application = locked_application(application)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("An application can be withdrawn only while it waits for review."))
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])
    record(actor, "assistance.aid_application.withdrawn", application, status=[Status.SUBMITTED, Status.WITHDRAWN])
    return application


__all__ = [
    "ADMITTED_YEARS_BACK",
    "AID_CONSENT_PURPOSE",
    "AID_CONSENT_TEXT_VERSION",
    "DECIDING",
    "MAX_PUBLICITY_DAYS",
    "MAX_TIERS",
    "OWN_DOCUMENT_STATES",
    "CampaignFields",
    "PayAllResult",
    "aid_application_approve",
    "aid_application_pay",
    "aid_application_reject",
    "aid_application_review",
    "aid_application_submit",
    "aid_application_withdraw",
    "aid_campaign_close",
    "aid_campaign_create",
    "aid_campaign_finish",
    "aid_campaign_open",
    "aid_campaign_pay_all",
    "aid_campaign_publish",
    "aid_campaign_start_paying",
    "aid_campaign_update",
    "aid_document_add",
    "aid_objection_record",
    "aid_objection_resolve",
    "aid_payment_reverse",
    "pay_all_key",
]
