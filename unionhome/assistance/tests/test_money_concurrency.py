"""Real concurrency against one budget line: several threads, each with its own database connection and
transaction, approve, pay or disburse at the same moment. The line never overspends, exactly the
affordable number succeed, and one idempotency key sent concurrently pays once.

On PostgreSQL the rows are locked with SELECT … FOR UPDATE; on SQLite the IMMEDIATE transactions make
writers queue for the database lock, which gives the same outcome.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tests.concurrency import THREADS, run_together
from unionhome.assistance import ledger
from unionhome.assistance.models import Assistance, BudgetLine, Payment, Visit
from unionhome.assistance.services.assistance import assistance_approve, assistance_disburse
from unionhome.assistance.tests import records

pytestmark = pytest.mark.django_db(transaction=True)


def unexpected(results, *allowed: type) -> list:
    return [r for kind, r in results if kind == "error" and not isinstance(r, allowed)]


def small_line(centre, amount: str) -> BudgetLine:
    unit = centre["union"]["union"]
    return BudgetLine.objects.create(
        unit=unit,
        unit_path=unit.path,
        name="并发测试",
        fund_source="donations",
        year=centre["today"].year,
        amount=Decimal(amount),
    )


def test_concurrent_approvals_stop_exactly_at_the_budget(centre):
    line = small_line(centre, "1000.00")
    requests = [
        records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="300")
        for _ in range(THREADS)
    ]
    results = run_together(lambda i: assistance_approve(actor=centre["officer_union"], assistance=requests[i]))
    assert unexpected(results, ledger.OverBudget) == []
    assert sum(kind == "ok" for kind, _ in results) == 3  # 3 × 300 fit in 1000; a fourth does not
    line.refresh_from_db()
    assert line.committed == Decimal("900.00") and line.available == Decimal("100.00")
    assert Assistance.objects.filter(budget_line=line, status="approved").count() == 3
    assert ledger.line_balances(line)


def test_concurrent_payments_from_what_is_available_never_overspend(centre):
    line = small_line(centre, "1000.00")
    visits = [
        Visit.objects.create(
            member=centre["member_record"],
            unit_path=centre["member_record"].unit_path,
            occasion="illness",
            status="done",
            visited_on=centre["today"],
        )
        for _ in range(THREADS)
    ]

    def pay(i: int):
        with transaction.atomic():
            return ledger.pay(
                actor=centre["chair"], line_id=line.pk, amount=Decimal("300"), item=visits[i], from_commitment=False
            )

    results = run_together(pay)
    assert unexpected(results, ledger.OverBudget) == []
    assert sum(kind == "ok" for kind, _ in results) == 3
    line.refresh_from_db()
    assert line.spent == Decimal("900.00") and Payment.objects.filter(budget_line=line).count() == 3
    assert ledger.line_balances(line)


def test_concurrent_disbursements_of_approved_assistance_all_pay_once(centre):
    line = small_line(centre, "2400.00")
    approved = []
    for _ in range(THREADS):
        a = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="300")
        approved.append(assistance_approve(actor=centre["officer_union"], assistance=a))
    results = run_together(
        lambda i: assistance_disburse(actor=centre["officer_s1"], assistance=approved[i], idempotency_key=f"k-{i}")
    )
    assert unexpected(results) == []
    line.refresh_from_db()
    assert (line.committed, line.spent, line.available) == (0, Decimal("2400.00"), 0)
    assert ledger.line_balances(line)


def test_the_same_idempotency_key_sent_concurrently_pays_once(centre):
    line = small_line(centre, "1000.00")
    a = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="300")
    a = assistance_approve(actor=centre["officer_union"], assistance=a)
    results = run_together(
        lambda i: assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="double-click")
    )
    assert unexpected(results) == []
    payments = {r.payment.pk for _, r in results}
    assert len(payments) == 1 and Payment.objects.count() == 1
    assert sorted(r.replayed for _, r in results) == [False] + [True] * (THREADS - 1)
    line.refresh_from_db()
    assert (line.committed, line.spent) == (0, Decimal("300.00")) and ledger.line_balances(line)


def test_the_same_assistance_with_different_keys_pays_once(centre):
    line = small_line(centre, "1000.00")
    a = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="300")
    a = assistance_approve(actor=centre["officer_union"], assistance=a)
    results = run_together(
        lambda i: assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key=f"tab-{i}")
    )
    assert unexpected(results, ValidationError) == []
    assert sum(kind == "ok" for kind, _ in results) == 1
    refusals = [r for kind, r in results if kind == "error"]
    assert all(isinstance(r, ledger.AlreadyPaid) for r in refusals)
    assert Payment.objects.filter(assistance=a).count() == 1
    line.refresh_from_db()
    assert line.spent == Decimal("300.00") and ledger.line_balances(line)
