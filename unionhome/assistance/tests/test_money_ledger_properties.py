"""Properties of ``ledger.py`` under random sequences of commit, release, pay and reverse with random
amounts and idempotency keys: the counters never go negative, ``amount = available + committed + spent``,
``spent`` is the sum of the payment records, every step is accepted exactly when a simple model says it
should be, and every refused step changes nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionhome.assistance import ledger
from unionhome.assistance.models import ZERO, BudgetLine, Payment
from unionhome.assistance.tests import records

pytestmark = pytest.mark.django_db

ITEMS = 3
KEYS = ["k1", "k2", "k3", None]

# An amount is a number of yuan, or "available" / "committed": exactly what the line holds at that moment,
# so that the boundaries (all of it, one fen more) are reached, not only amounts far from them.
fixed = st.one_of(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=80_000)).map(
    lambda n: Decimal(n) / 100
)
cents = st.one_of(fixed, st.sampled_from(["available", "committed", "available+1", "committed+1"]))
step = st.one_of(
    st.tuples(st.just("commit"), cents),
    st.tuples(st.just("release"), cents),
    st.tuples(st.just("pay"), cents, st.integers(0, ITEMS - 1), st.booleans(), st.sampled_from(KEYS)),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
)


def resolve(step, model):
    """The step with a symbolic amount replaced by the model's current figure (at least one fen)."""
    if step[0] == "reverse" or isinstance(step[1], Decimal):
        return step
    base, _, plus = step[1].partition("+")
    amount = (model.available if base == "available" else model.committed) + (Decimal("0.01") if plus else 0)
    return (step[0], max(amount, Decimal("0.01")), *step[2:])


@dataclass
class Model:
    """What the ledger should hold, kept by plain arithmetic."""

    amount: Decimal
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    keys: dict = field(default_factory=dict)  # key -> (item index, amount)

    @property
    def available(self) -> Decimal:
        return self.amount - self.committed - self.spent


def observed(line: BudgetLine) -> tuple:
    line.refresh_from_db()
    return line.amount, line.committed, line.spent, Payment.objects.filter(budget_line=line).count()


def check_invariants(line: BudgetLine, model: Model) -> None:
    line.refresh_from_db()
    # Summed here row by row: each row's amount is exact, while SQLite sums decimals as floats (see below).
    payments = sum(Payment.objects.filter(budget_line=line).values_list("amount", flat=True), ZERO)
    assert line.committed >= 0 and line.spent >= 0 and line.available >= 0
    assert line.amount == line.available + line.committed + line.spent
    assert line.spent == payments
    if connection.vendor != "sqlite":
        assert ledger.line_balances(line)
    assert (line.committed, line.spent) == (model.committed, model.spent)


def apply(step, *, line, model, items, actor) -> bool:
    """Run one step against the ledger (in a savepoint) and the model; True when the ledger accepted it."""
    op = step[0]
    with transaction.atomic():
        if op == "commit":
            amount = step[1]
            ledger.commit(line.pk, amount)
            model.committed += amount
        elif op == "release":
            amount = step[1]
            ledger.release(line.pk, amount)
            model.committed -= amount
        elif op == "pay":
            _, amount, index, from_commitment, key = step
            result = ledger.pay(
                actor=actor,
                line_id=line.pk,
                amount=amount,
                item=items[index],
                from_commitment=from_commitment,
                idempotency_key=key,
            )
            if result.replayed:
                assert model.keys[key] == (index, amount)
                assert result.payment.amount == amount and result.payment.assistance_id == items[index].pk
                return True
            if from_commitment:
                model.committed -= amount
            model.spent += amount
            if key:
                model.keys[key] = (index, amount)
        else:
            payments = list(Payment.objects.filter(budget_line=line).order_by("id"))
            if not payments:
                return False
            payment = payments[step[1] % len(payments)]
            reversal = ledger.reverse(actor=actor, payment=payment, reason="更正")
            assert reversal.amount == -payment.amount
            model.spent -= payment.amount
    return True


def expected_to_pass(step, *, line, model) -> bool | None:
    """What the model says about a step: True accepted, False refused, None when it cannot tell beforehand."""
    op = step[0]
    if op == "commit":
        return model.available >= step[1]
    if op == "release":
        return model.committed >= step[1]
    if op == "pay":
        _, amount, index, from_commitment, key = step
        if key in model.keys:
            return model.keys[key] == (index, amount)  # a replay, or a conflict
        return (model.committed if from_commitment else model.available) >= amount
    return None  # reverse: depends on which payment the index lands on


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    budget=st.integers(min_value=0, max_value=200_000).map(lambda n: Decimal(n) / 100),
    steps=st.lists(step, max_size=25),
)
def test_random_sequences_keep_the_ledger_balanced(centre, budget, steps):
    with transaction.atomic():
        line = BudgetLine.objects.create(
            unit=centre["union"]["union"],
            unit_path=centre["union"]["union"].path,
            name="性质测试",
            fund_source="donations",
            year=2030,
            amount=budget,
        )
        items = [
            records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="1")
            for _ in range(ITEMS)
        ]
        model = Model(amount=budget)
        for one in steps:
            one = resolve(one, model)
            expected = expected_to_pass(one, line=line, model=model)
            before = observed(line)
            try:
                accepted = apply(one, line=line, model=model, items=items, actor=centre["chair"])
            except ValidationError:
                accepted = False
                assert observed(line) == before  # a refused step changes nothing
            if expected is not None:
                assert accepted == expected, (one, model)
            check_invariants(line, model)
        transaction.set_rollback(True)


# Long digit strings with three or more decimals: what broke decimal arithmetic in ledger.clean_amount.
long_numbers = st.builds(
    lambda whole, fraction: f"{whole}.{fraction}",
    st.integers(min_value=0, max_value=10**40),
    st.integers(min_value=0, max_value=10**6),
)


@given(
    value=st.one_of(
        st.text(max_size=30),
        long_numbers,
        st.decimals(allow_nan=True, allow_infinity=True),
        st.floats(),
        st.integers(min_value=-(10**30), max_value=10**30),
    )
)
def test_every_input_gets_a_valid_amount_or_a_field_error(value):
    """What every money service uses: ``ledger.clean_amount``."""
    try:
        amount = ledger.clean_amount(value)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["amount"]
        return
    assert Decimal("0.01") <= amount <= ledger.MAX_AMOUNT
    assert amount == amount.quantize(Decimal("0.01"))


def test_ledger_clean_amount_refuses_a_huge_amount_with_three_decimals():
    with pytest.raises(ValidationError):
        ledger.clean_amount("123456789012345678901234567.123")


@given(fen=st.integers(min_value=1, max_value=999_999_999_999))
def test_clean_amount_keeps_every_two_decimal_amount(fen):
    amount = Decimal(fen) / 100
    assert ledger.clean_amount(str(amount)) == amount
    assert ledger.clean_amount(f"{amount:,}") == amount  # thousands separators are fine


@given(fen=st.integers(min_value=1, max_value=10**9), extra=st.integers(min_value=1, max_value=9))
def test_clean_amount_refuses_a_third_decimal(fen, extra):
    with pytest.raises(ValidationError) as refused:
        ledger.clean_amount(f"{Decimal(fen) / 100:.2f}{extra}")
    assert "two decimals" in refused.value.message_dict["amount"][0]


def test_line_balances_after_a_reversal_leaves_one_fen(centre):
    line = centre["budget_line"]
    items = [records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line) for _ in "ab"]
    big = ledger.pay(
        actor=centre["chair"], line_id=line.pk, amount=Decimal("2.00"), item=items[0], from_commitment=False
    ).payment
    ledger.pay(actor=centre["chair"], line_id=line.pk, amount=Decimal("0.01"), item=items[1], from_commitment=False)
    ledger.reverse(actor=centre["chair"], payment=big, reason="更正")
    line.refresh_from_db()
    assert line.spent == Decimal("0.01")
    assert ledger.line_balances(line)


@pytest.mark.parametrize(("total", "committed", "paid"), [("0.30", "0.10", "0.20"), ("0.30", "0.20", "0.10")])
def test_a_line_can_be_used_to_its_last_fen(centre, total, committed, paid):
    """0.10 + 0.20 is more than 0.30 in floating point, which SQLite uses: the check must still allow it."""
    unit = centre["union"]["union"]
    line = BudgetLine.objects.create(
        unit=unit, unit_path=unit.path, name="用尽", fund_source="donations", year=2030, amount=Decimal(total)
    )
    item = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line)
    ledger.commit(line.pk, Decimal(committed))
    ledger.pay(actor=centre["chair"], line_id=line.pk, amount=Decimal(paid), item=item, from_commitment=False)
    line.refresh_from_db()
    assert line.available == 0


def test_the_database_still_refuses_an_overspend_of_one_fen(centre):
    line = centre["budget_line"]
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(committed=Decimal("60000.00"), spent=Decimal("40000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(spent=Decimal("-0.01"))
    BudgetLine.objects.filter(pk=line.pk).update(committed=Decimal("60000.00"), spent=Decimal("40000.00"))
