"""Assistance (帮扶): request, approve or reject, pay out or deliver, cancel, reverse.

```
requested ──approve──▶ approved ──disburse (money) / deliver (job, legal)──▶ delivered ──reverse──▶ reversed
    │                     │
    ├─reject─▶ rejected   └─cancel─▶ cancelled (the reservation is released)
    └─cancel─▶ cancelled
```

Maker–checker: the cadre who requests may not approve or reject (also a database check).
Approval reserves the money on the budget line (``ledger.commit``), so approvals stop at the budget;
paying out draws on that reservation with an idempotency key (``ledger.pay``). Each service locks the
assistance first and the budget line second (inside ``ledger``), always in that order.
"""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from unionhome.access.policy import can
from unionhome.accounts.models import User
from unionhome.assistance import ledger
from unionhome.assistance.models import Assistance, BudgetLine, HardshipFile, Payment
from unionhome.assistance.selectors.money import is_money_kind, may_charge
from unionhome.assistance.services.budget import clean_text, collect_error, require_in_scope
from unionhome.assistance.services.follow_ups import follow_ups_schedule
from unionhome.audit.recorder import record
from unionhome.notify.services import notification_send
from unionhome.org.models import Member
from unionhome.satisfaction.requests import rating_request

DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
# 1–100 visible ASCII characters: what a client can send in an HTTP header and the column holds.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")


def clean_idempotency_key(value: Any) -> str:
    key = value if isinstance(value, str) else ""
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationError(
            {"idempotency_key": _("The idempotency key must be 1 to 100 visible ASCII characters.")},
            code="invalid_key",
        )
    return key


def _locked(assistance: Assistance) -> Assistance:
    return Assistance.objects.select_for_update().get(pk=assistance.pk)


def _status_error(message: str, assistance: Assistance, code: str) -> ValidationError:
    return ValidationError(message % {"status": assistance.get_status_display()}, code=code)


def _money(amount) -> str | None:
    return str(amount) if amount is not None else None


# --- request -------------------------------------------------------------------------------------


@transaction.atomic
def assistance_request(
    *,
    actor: Any,
    member: Member,
    kind: str,
    description: str,
    responsible: User | None,
    amount: Any = None,
    budget_line: BudgetLine | None = None,
    hardship_file: HardshipFile | None = None,
) -> Assistance:
    """Ask for help for ``member`` (``assistance.request``). Cash, goods, medical and schooling aid need an
    amount and a budget line of the member's unit or union with that much available; job and legal help
    carry none. ``responsible`` follows the help up and must hold ``assistance.follow_up`` over the member."""
    require_in_scope(actor, "assistance.request", member)
    errors: dict[str, list[str]] = {}
    if kind not in Assistance.Kind.values:
        errors["kind"] = [_("Choose the kind of help.")]
    description = collect_error(
        errors,
        clean_text,
        description,
        field="description",
        max_length=DESCRIPTION_MAX_LENGTH,
        required=_("Say what is given and why."),
        multiline=True,
    )
    if member.status in (Member.Status.LEFT, Member.Status.TRANSFERRED):
        errors["member"] = [_("This member has left the union.")]
    if responsible is None:
        errors["responsible"] = [_("Choose the cadre who follows this help up.")]
    elif not responsible.is_active or not can(responsible, "assistance.follow_up", member):
        errors["responsible"] = [_("This person cannot follow up help to this member.")]
    if hardship_file is not None and hardship_file.member_id != member.pk:
        errors["hardship_file"] = [_("This hardship file belongs to another member.")]
    has_amount = amount is not None and str(amount).strip() != ""
    if kind in Assistance.Kind.values and is_money_kind(kind):
        amount = collect_error(errors, ledger.clean_amount, amount) if has_amount else None
        if not has_amount:
            errors["amount"] = [_("Enter the amount in yuan.")]
        if budget_line is None:
            errors["budget_line"] = [_("Choose the budget line that pays for this help.")]
        elif not may_charge(budget_line, member):
            errors["budget_line"] = [_("This budget line cannot pay for help to this member.")]
        elif amount is not None:
            line = BudgetLine.objects.get(pk=budget_line.pk)
            if amount > line.available:
                errors.setdefault("amount", []).extend(ledger.OverBudget(line, amount).messages)
    elif kind in Assistance.Kind.values:
        if has_amount:
            errors["amount"] = [_("Job help and legal help carry no amount.")]
        if budget_line is not None:
            errors["budget_line"] = [_("Job help and legal help are not charged to a budget line.")]
        amount, budget_line = None, None
    if errors:
        raise ValidationError(errors)
    assistance = Assistance.objects.create(
        member=member,
        hardship_file=hardship_file,
        unit_path=member.unit_path,
        kind=kind,
        amount=amount,
        budget_line=budget_line,
        description=description,
        requested_by=actor,
        responsible=responsible,
    )
    record(
        actor,
        "assistance.assistance.requested",
        assistance,
        member=member.pk,
        kind=kind,
        amount=_money(amount),
        budget_line=budget_line.pk if budget_line else None,
        hardship_file=hardship_file.pk if hardship_file else None,
        responsible=responsible.pk,
    )
    return assistance


# --- decide --------------------------------------------------------------------------------------


def _check_maker_checker(actor: Any, assistance: Assistance) -> None:
    if assistance.requested_by_id == actor.pk:
        raise ValidationError(
            _("You requested this assistance, so another cadre must decide on it (maker–checker)."),
            code="maker_checker",
        )


@transaction.atomic
def assistance_approve(*, actor: Any, assistance: Assistance, note: str = "") -> Assistance:
    """Approve a request (``assistance.approve``; not the requester's own) and reserve its money on the line."""
    require_in_scope(actor, "assistance.approve", assistance)
    note = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    assistance = _locked(assistance)
    if assistance.status != Assistance.Status.REQUESTED:
        raise _status_error(
            _("Only a request awaiting approval can be approved; this one is “%(status)s”."),
            assistance,
            "not_requested",
        )
    _check_maker_checker(actor, assistance)
    if assistance.amount is not None:
        ledger.commit(assistance.budget_line_id, assistance.amount)  # OverBudget: approvals stop at the budget
    assistance.status = Assistance.Status.APPROVED
    assistance.decided_by = actor
    assistance.decided_at = timezone.now()
    assistance.decision_note = note
    assistance.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        "assistance.assistance.approved",
        assistance,
        status=[Assistance.Status.REQUESTED, Assistance.Status.APPROVED],
        amount=_money(assistance.amount),
        budget_line=assistance.budget_line_id,
        note=note,
    )
    return assistance


@transaction.atomic
def assistance_reject(*, actor: Any, assistance: Assistance, reason: str) -> Assistance:
    """Turn a request down, with a reason (``assistance.approve``; not the requester's own)."""
    require_in_scope(actor, "assistance.approve", assistance)
    reason = clean_text(
        reason, field="reason", max_length=NOTE_MAX_LENGTH, required=_("Say why the request is turned down.")
    )
    assistance = _locked(assistance)
    if assistance.status != Assistance.Status.REQUESTED:
        raise _status_error(
            _("Only a request awaiting approval can be turned down; this one is “%(status)s”."),
            assistance,
            "not_requested",
        )
    _check_maker_checker(actor, assistance)
    assistance.status = Assistance.Status.REJECTED
    assistance.decided_by = actor
    assistance.decided_at = timezone.now()
    assistance.decision_note = reason
    assistance.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(
        actor,
        "assistance.assistance.rejected",
        assistance,
        status=[Assistance.Status.REQUESTED, Assistance.Status.REJECTED],
        reason=reason,
    )
    return assistance


@transaction.atomic
def assistance_cancel(*, actor: Any, assistance: Assistance, reason: str) -> Assistance:
    """Withdraw a request (``assistance.request``) or cancel an approved, unpaid assistance
    (``assistance.approve``), giving its reserved money back to the budget line."""
    require_in_scope(actor, "assistance.request", assistance)
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX_LENGTH, required=_("Say why it is cancelled."))
    assistance = _locked(assistance)
    old = assistance.status
    if old == Assistance.Status.APPROVED:
        require_in_scope(actor, "assistance.approve", assistance)
        if assistance.amount is not None:
            ledger.release(assistance.budget_line_id, assistance.amount)
    elif old != Assistance.Status.REQUESTED:
        raise _status_error(
            _("Only a request or an approved assistance not yet delivered can be cancelled; this one is “%(status)s”."),
            assistance,
            "not_cancellable",
        )
    assistance.status = Assistance.Status.CANCELLED
    assistance.decision_note = reason
    assistance.save(update_fields=["status", "decision_note"])
    record(
        actor,
        "assistance.assistance.cancelled",
        assistance,
        status=[old, Assistance.Status.CANCELLED],
        released=_money(assistance.amount) if old == Assistance.Status.APPROVED else None,
        reason=reason,
    )
    return assistance


# --- deliver -------------------------------------------------------------------------------------


def _notify_delivered(assistance: Assistance) -> None:
    """Tell the member (in the site's default language: accounts keep no language of their own)."""
    recipient = User.objects.filter(member_id=assistance.member_id, is_active=True).first()
    if recipient is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        kind = assistance.get_kind_display()
        if assistance.amount is not None:
            body = _("%(kind)s of %(amount)s yuan was paid to you on %(date)s.") % {
                "kind": kind,
                "amount": number_format(assistance.amount, 2, force_grouping=True),
                "date": assistance.delivered_on.isoformat(),
            }
        else:
            body = _("%(kind)s was delivered to you on %(date)s.") % {
                "kind": kind,
                "date": assistance.delivered_on.isoformat(),
            }
        notification_send(
            recipient=recipient,
            kind="assistance.delivered",
            title=_("Your assistance has been delivered"),
            body=body + " " + _("The union will follow up with you on how it helped."),
            url=reverse("assistance:my_assistance"),
            dedupe_key=f"assistance.delivered:{assistance.pk}",
        )


def _mark_delivered(assistance: Assistance) -> None:
    assistance.status = Assistance.Status.DELIVERED
    assistance.delivered_on = timezone.localdate()
    assistance.save(update_fields=["status", "delivered_on"])
    follow_ups_schedule(assistance=assistance)
    _notify_delivered(assistance)
    transaction.on_commit(lambda: rating_request(assistance), robust=True)


@transaction.atomic
def assistance_disburse(*, actor: Any, assistance: Assistance, idempotency_key: str) -> ledger.PaymentResult:
    """Pay an approved assistance out of its reservation, once (``assistance.disburse``).

    A retry with the same ``idempotency_key`` returns the first payment and writes nothing
    (``replayed=True``); the same key with different data raises ``IdempotencyConflict``; paying an
    already-paid assistance with a new key raises ``AlreadyPaid``.
    """
    require_in_scope(actor, "assistance.disburse", assistance)
    key = clean_idempotency_key(idempotency_key)
    assistance = _locked(assistance)
    if assistance.amount is None:
        raise ValidationError(_("This help carries no money: mark it delivered instead."), code="no_money")
    if Payment.objects.filter(idempotency_key=key).exists():
        # A retry: the first payment again, or IdempotencyConflict if the key paid for something else.
        return ledger.pay(
            actor=actor,
            line_id=assistance.budget_line_id,
            amount=assistance.amount,
            item=assistance,
            from_commitment=True,
            idempotency_key=key,
        )
    if assistance.status == Assistance.Status.REVERSED:
        raise ValidationError(
            _("This assistance was paid and the payment reversed. Request a new assistance to pay again."),
            code="already_paid",
        )
    if assistance.status == Assistance.Status.DELIVERED or assistance.payments.exists():
        raise ledger.AlreadyPaid()
    if assistance.status != Assistance.Status.APPROVED:
        raise _status_error(
            _("Only approved assistance can be paid out; this one is “%(status)s”."), assistance, "not_approved"
        )
    result = ledger.pay(
        actor=actor,
        line_id=assistance.budget_line_id,
        amount=assistance.amount,
        item=assistance,
        from_commitment=True,
        idempotency_key=key,
    )
    _mark_delivered(assistance)
    record(
        actor,
        "assistance.assistance.disbursed",
        assistance,
        status=[Assistance.Status.APPROVED, Assistance.Status.DELIVERED],
        amount=str(assistance.amount),
        budget_line=assistance.budget_line_id,
        payment=result.payment.pk,
    )
    return result


@transaction.atomic
def assistance_deliver(*, actor: Any, assistance: Assistance) -> Assistance:
    """Record that approved help without money (job help, legal help) was given (``assistance.request``)."""
    require_in_scope(actor, "assistance.request", assistance)
    assistance = _locked(assistance)
    if assistance.amount is not None:
        raise ValidationError(_("This assistance pays money: pay it out instead."), code="has_money")
    if assistance.status != Assistance.Status.APPROVED:
        raise _status_error(
            _("Only approved assistance can be delivered; this one is “%(status)s”."), assistance, "not_approved"
        )
    _mark_delivered(assistance)
    record(
        actor,
        "assistance.assistance.delivered",
        assistance,
        status=[Assistance.Status.APPROVED, Assistance.Status.DELIVERED],
    )
    return assistance


@transaction.atomic
def assistance_reverse(*, actor: Any, payment: Payment, reason: str) -> Payment:
    """Undo an assistance's payment with a reversal entry (``assistance.disburse``): the money goes back to
    what is available on the line and the assistance becomes reversed. Its follow-ups stay."""
    require_in_scope(actor, "assistance.disburse", payment)
    reason = clean_text(
        reason, field="reason", max_length=NOTE_MAX_LENGTH, required=_("Say why the payment is reversed.")
    )
    if payment.assistance_id is None:
        raise ValidationError(_("This payment is not for an assistance."), code="not_assistance")
    assistance = Assistance.objects.select_for_update().get(pk=payment.assistance_id)
    reversal = ledger.reverse(actor=actor, payment=payment, reason=reason)
    old = assistance.status
    assistance.status = Assistance.Status.REVERSED
    assistance.save(update_fields=["status"])
    record(
        actor,
        "assistance.payment.reversed",
        assistance,
        status=[old, Assistance.Status.REVERSED],
        amount=str(payment.amount),
        payment=payment.pk,
        reversal=reversal.pk,
        reason=reason,
    )
    return reversal
