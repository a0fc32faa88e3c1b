"""Education aid decisions: review, approval (reserving the money), rejection, and objections raised
during publicity."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from unionhome.access.policy import OutOfScope, require
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, Objection
from unionhome.assistance.services.aid_common import (
    DECIDING,
    Campaign,
    Status,
    clean_reason,
    clean_text,
    locked_application,
    not_own,
    notify_applicant,
    require_case,
    say,
)
from unionhome.audit.recorder import record


@transaction.atomic
def aid_application_review(*, actor: Any, application: AidApplication, note: str = "") -> AidApplication:
    """A reviewer checks the application and its proof and passes it on for approval."""
    require_case(actor, "assistance.review_aid", application)
    note = clean_text(note, field_name="note", label=_("note"), max_length=500, required=False)
    application = locked_application(application)
    not_own(actor, application)
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
    require_case(actor, "assistance.approve_aid", application)
    note = clean_text(note, field_name="note", label=_("note"), max_length=500, required=False)
    application = locked_application(application)
    not_own(actor, application)
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
    notify_applicant(
        application,
        "assistance.aid.approved",
        say(gettext_noop("Your education-aid application is approved")),
        say(
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
    notify_applicant(
        application,
        "assistance.aid.rejected",
        say(gettext_noop("Your education-aid application is not approved")),
        say(
            gettext_noop("The application for %(child)s in “%(campaign)s” is not approved. Reason: %(reason)s"),
            child=application.child_name,
            campaign=application.campaign.name,
            reason=reason,
        ),
    )
    return application


@transaction.atomic
def aid_application_reject(*, actor: Any, application: AidApplication, reason: str) -> AidApplication:
    """Reject an application with a reason the applicant sees; an approved one gives its money back.

    A reviewer rejects what waits for review; rejecting a reviewed or approved application is an
    approver's decision. Once the list is published, only an upheld objection rejects."""
    permission = "assistance.review_aid" if application.status == Status.SUBMITTED else "assistance.approve_aid"
    require_case(actor, permission, application)
    reason = clean_reason(reason)
    application = locked_application(application)
    not_own(actor, application)
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
    require_case(actor, "assistance.manage_aid", application)
    summary = clean_text(summary, field_name="summary", label=_("objection"), max_length=2000)
    raised_by = clean_text(raised_by, field_name="raised_by", label=_("raised by"), max_length=100, required=False)
    application = locked_application(application)
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
    require_case(actor, "assistance.approve_aid", application)
    if resolution not in (Objection.Resolution.DISMISSED, Objection.Resolution.UPHELD):
        raise ValidationError({"resolution": _("Choose whether the objection is dismissed or upheld.")})
    note = clean_text(note, field_name="resolution_note", label=_("resolution note"), max_length=2000)
    application = locked_application(application)
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
