"""Education aid payment: paying one application or the whole campaign once, and reversing a payment."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, AidCampaign, Payment
from unionhome.assistance.services.aid_common import (
    Campaign,
    Status,
    clean_reason,
    locked_application,
    notify_applicant,
    require_campaign,
    require_case,
    say,
)
from unionhome.audit.recorder import record
from unionhome.satisfaction.requests import rating_request


def _clean_key(idempotency_key: Any) -> str:
    key = str(idempotency_key or "").strip()
    if not key or len(key) > 100 or not key.isprintable():
        raise ValidationError({"idempotency_key": _("Send an idempotency key of 1 to 100 printable characters.")})
    return key


@transaction.atomic
def aid_application_pay(*, actor: Any, application: AidApplication, idempotency_key: str) -> ledger.PaymentResult:
    """Pay an approved application from its reservation, once: a retry with the same key returns the
    first payment; paying an already paid application with another key is refused."""
    require_case(actor, "assistance.disburse", application)
    key = _clean_key(idempotency_key)
    application = locked_application(application)
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
    notify_applicant(
        application,
        "assistance.aid.paid",
        say(gettext_noop("Your education aid is paid")),
        say(
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
    require_campaign(actor, "assistance.disburse", campaign)
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
    require_case(actor, "assistance.disburse", application)
    reason = clean_reason(reason)
    application = locked_application(application)
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
    notify_applicant(
        application,
        "assistance.aid.reversed",
        say(gettext_noop("Your education-aid payment was reversed")),
        say(
            gettext_noop("The payment for %(child)s was reversed. Reason: %(reason)s"),
            child=application.child_name,
            reason=reason,
        ),
    )
    return reversal
