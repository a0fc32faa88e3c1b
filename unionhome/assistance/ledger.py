"""The money rules of the centre, in one place: every yuan that leaves a budget line goes through here.

A ``BudgetLine`` holds ``amount = available + committed + spent``:

* ``commit`` reserves money for an approved item (an assistance, an education-aid approval) and
  refuses when less than that is available: approvals stop at the budget.
* ``release`` gives a reservation back (a cancelled approval).
* ``pay`` records a ``Payment``, from a reservation (``committed``) or straight from what is available
  (a visit's condolence money). With an idempotency key, a retry returns the first payment; the same
  key with different data is refused.
* ``reverse`` undoes a payment with a negative ``Payment`` that points at it; nothing is ever deleted.

Every function locks the budget line (``select_for_update``) before reading its balance, so that
concurrent requests queue on the line and can never overspend it; the database check constraint
``budgetline_never_below_zero`` backs this up. Callers lock the served item first and the budget line
second (this module), always in that order. These functions do no permission checks and write no
audit events: the services that call them do both, in the same transaction.
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from unionhome.assistance.models import AidApplication, Assistance, BudgetLine, Payment, Visit

MAX_AMOUNT = Decimal("9999999999.99")
FEN = Decimal("0.01")


class OverBudget(ValidationError):
    def __init__(self, line: BudgetLine, amount: Decimal):
        super().__init__(
            _("Budget line “%(line)s” has %(available)s yuan available; %(amount)s yuan is more than that.")
            % {"line": line, "available": line.available, "amount": amount},
            code="over_budget",
        )


class IdempotencyConflict(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            _("This idempotency key was already used for a different payment. Use a new key for a new payment."),
            code="idempotency_conflict",
        )


class AlreadyPaid(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("This has already been paid."), code="already_paid")


def clean_amount(value: Any, *, field: str = "amount") -> Decimal:
    """A positive yuan amount with at most two decimals, or a ``ValidationError`` naming ``field``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 1500 or 1500.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, such as 1500 or 1500.50.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount > MAX_AMOUNT:  # before quantize, which cannot hold more digits than the context's precision
        raise ValidationError({field: _("The amount is too large.")})
    if amount != amount.quantize(FEN):
        raise ValidationError({field: _("Amounts have at most two decimals (fen).")})
    return amount.quantize(FEN)


def money_sum(total: Any) -> Decimal:
    """A sum of yuan amounts from the database, exact to the fen.

    SQLite adds decimals as binary floating point (2.00 + 0.01 - 2.00 = 0.00999…); every amount has
    two decimals, so rounding the sum to the fen gives the exact result back."""
    return Decimal(str(total or 0)).quantize(FEN)


def locked_line(line_id: int) -> BudgetLine:
    return BudgetLine.objects.select_for_update().get(pk=line_id)


def commit(line_id: int, amount: Decimal) -> BudgetLine:
    """Reserve ``amount`` on the line for an approved item; ``OverBudget`` if less is available."""
    line = locked_line(line_id)
    if line.available < amount:
        raise OverBudget(line, amount)
    line.committed += amount
    line.save(update_fields=["committed"])
    return line


def release(line_id: int, amount: Decimal) -> BudgetLine:
    """Give back a reservation made by ``commit``."""
    line = locked_line(line_id)
    if line.committed < amount:
        raise ValidationError(_("Nothing is reserved on this budget line for this item."))
    line.committed -= amount
    line.save(update_fields=["committed"])
    return line


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    replayed: bool  # True when an earlier request with the same idempotency key made the payment


def fingerprint(**data: Any) -> str:
    """A digest of what a payment request asks for, to tell a retry from a different request."""
    canonical = json.dumps({k: str(v) for k, v in sorted(data.items())}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(idempotency_key: str | None, request_fingerprint: str) -> PaymentResult | None:
    if not idempotency_key:
        return None
    earlier = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint != request_fingerprint:
        raise IdempotencyConflict()
    return PaymentResult(earlier, replayed=True)


def _item_field(item: Assistance | AidApplication | Visit) -> str:
    return {Assistance: "assistance", AidApplication: "aid_application", Visit: "visit"}[type(item)]


def pay(
    *,
    actor: Any,
    line_id: int,
    amount: Decimal,
    item: Assistance | AidApplication | Visit,
    from_commitment: bool,
    idempotency_key: str | None = None,
    note: str = "",
) -> PaymentResult:
    """Pay ``amount`` for ``item`` out of the line, once per idempotency key.

    Must run inside the caller's transaction, after the caller has locked ``item``.
    """
    request_fingerprint = fingerprint(item=f"{_item_field(item)}:{item.pk}", amount=amount, line=line_id)
    if (done := _replay(idempotency_key, request_fingerprint)) is not None:
        return done
    line = locked_line(line_id)
    # A concurrent request with the same key may have paid while this one waited for the lock.
    if (done := _replay(idempotency_key, request_fingerprint)) is not None:
        return done
    if from_commitment:
        if line.committed < amount:
            raise ValidationError(_("Nothing is reserved on this budget line for this item."))
        line.committed -= amount
    elif line.available < amount:
        raise OverBudget(line, amount)
    line.spent += amount
    line.save(update_fields=["committed", "spent"])
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                budget_line=line,
                unit_path=item.unit_path,
                kind=Payment.Kind.PAYMENT,
                amount=amount,
                payee_id=item.member_id,
                idempotency_key=idempotency_key or None,
                request_fingerprint=request_fingerprint,
                note=note,
                paid_by=actor,
                **{_item_field(item): item},
            )
    except IntegrityError:
        # The same key was used at the same moment for a payment on another budget line.
        raise IdempotencyConflict() from None
    return PaymentResult(payment, replayed=False)


def reverse(*, actor: Any, payment: Payment, reason: str) -> Payment:
    """Undo ``payment`` by a reversal entry; the money goes back to what is available on its line."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the payment is reversed.")})
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.kind != Payment.Kind.PAYMENT:
        raise ValidationError(_("A reversal cannot itself be reversed."))
    if Payment.objects.filter(reverses=payment).exists():
        raise ValidationError(_("This payment has already been reversed."))
    line = locked_line(payment.budget_line_id)
    line.spent -= payment.amount
    line.save(update_fields=["spent"])
    return Payment.objects.create(
        budget_line=line,
        unit_path=payment.unit_path,
        kind=Payment.Kind.REVERSAL,
        amount=-payment.amount,
        assistance_id=payment.assistance_id,
        aid_application_id=payment.aid_application_id,
        visit_id=payment.visit_id,
        payee_id=payment.payee_id,
        reverses=payment,
        note=reason.strip()[:500],
        paid_by=actor,
    )


def paid_total(item: Assistance | AidApplication | Visit) -> Decimal:
    """What has been paid for ``item``, net of reversals."""
    return money_sum(Payment.objects.filter(**{_item_field(item): item}).aggregate(total=Sum("amount"))["total"])


def line_balances(line: BudgetLine) -> bool:
    """Whether the line's counters agree with its payment records (used by tests and checks)."""
    line.refresh_from_db()
    payments = money_sum(Payment.objects.filter(budget_line=line).aggregate(total=Sum("amount"))["total"])
    return (
        line.spent == payments
        and line.committed >= 0
        and line.spent >= 0
        and line.amount == line.available + line.committed + line.spent
        and line.available >= 0
    )
