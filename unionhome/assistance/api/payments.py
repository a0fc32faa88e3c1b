"""What every paying endpoint shares: the ``Idempotency-Key`` header, the payment as answered, and how the
ledger's refusals become problems (409 for a key reused with other data, 400 naming the rule)."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Header, Schema

from unionhome.api.errors import ApiProblem
from unionhome.assistance import ledger
from unionhome.assistance.models import Payment

KEY_RULES = "1–100 visible ASCII characters, new for each payment (a UUID is a good choice)"


def idempotency_key_header(*, required: bool = True, description: str = ""):
    """The ``Idempotency-Key`` request header of a paying endpoint."""
    return Header(
        ... if required else None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description=description
        or f"{KEY_RULES}. Send the same key again to retry safely: the first payment is answered, not repeated.",
    )


class PaymentOut(Schema):
    id: int
    kind: Payment.Kind
    amount: Decimal = Field(description="Yuan, two decimals, as a string; negative for a reversal.")
    assistance_id: int | None
    aid_application_id: int | None
    visit_id: int | None
    budget_line_id: int
    payee_id: int = Field(description="The member paid.")
    reverses_id: int | None = Field(description="For a reversal: the payment it undoes.")
    paid_at: datetime.datetime
    paid_by_id: int


def payment_out(payment: Payment) -> dict:
    """The payment as answered: a retry with the same key gets the same body (with status 200, not 201)."""
    return {
        "id": payment.pk,
        "kind": payment.kind,
        "amount": payment.amount,
        "assistance_id": payment.assistance_id,
        "aid_application_id": payment.aid_application_id,
        "visit_id": payment.visit_id,
        "budget_line_id": payment.budget_line_id,
        "payee_id": payment.payee_id,
        "reverses_id": payment.reverses_id,
        "paid_at": payment.paid_at,
        "paid_by_id": payment.paid_by_id,
    }


@contextmanager
def refusals_as_problems():
    """Inside: ``IdempotencyConflict`` → 409 ``idempotency_conflict``; a refusal not tied to a field → 400 with
    its code (``already_paid``, ``over_budget``…). Field errors go on to the usual 422."""
    try:
        yield
    except ledger.IdempotencyConflict as exc:
        raise ApiProblem(409, "idempotency_conflict", exc.messages[0]) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ApiProblem(400, exc.code or "refused", " ".join(exc.messages)) from exc
