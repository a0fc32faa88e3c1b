"""Real concurrency on visits: threads with their own connections and transactions submit at the same moment.

A double (or eightfold) submit of one visit's record pays once; visits paid from one budget line stop at its
balance; the same life event reported at once by several people makes one visit. On PostgreSQL the visit,
member and budget-line rows are locked with SELECT … FOR UPDATE; on SQLite, IMMEDIATE transactions queue.
"""

from decimal import Decimal

import pytest

from tests.concurrency import THREADS, run_together
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine, Payment, Visit
from unionhome.assistance.services import visits as services
from unionhome.assistance.tests.visit_records import due_visit

pytestmark = pytest.mark.django_db(transaction=True)


def errors(results, *allowed: type) -> list:
    return [r for kind, r in results if kind == "error" and not isinstance(r, allowed)]


def record(centre, visit, *, amount: str, line: BudgetLine, key: str):
    return services.visit_record(
        actor=centre["cadre"],
        visit=visit,
        visited_on=centre["today"],
        visitor_ids=[centre["cadre"].pk],
        gifts="水果",
        amount=amount,
        budget_line=line,
        idempotency_key=key,
    )


def test_the_same_record_submitted_at_once_pays_once(centre):
    visit = due_visit(centre["other_s1"])
    line = centre["budget_line"]
    results = run_together(lambda i: record(centre, visit, amount="500", line=line, key="same-submit"))
    assert errors(results) == []
    assert Payment.objects.filter(visit=visit).count() == 1
    line.refresh_from_db()
    assert line.spent == Decimal("500.00") and ledger.line_balances(line)
    assert Visit.objects.get(pk=visit.pk).status == "done"


def test_visits_paid_at_once_stop_at_the_budget(centre):
    unit = centre["union"]["union"]
    line = BudgetLine.objects.create(
        unit=unit,
        unit_path=unit.path,
        name="慰问金并发",
        fund_source="union_funds",
        year=centre["today"].year,
        amount=Decimal("1000.00"),
    )
    visits = [due_visit(centre["other_s1"] if i % 2 else centre["member_record"]) for i in range(THREADS)]
    results = run_together(lambda i: record(centre, visits[i], amount="300", line=line, key=f"k-{i}"))
    assert errors(results, ledger.OverBudget) == []
    assert sum(kind == "ok" for kind, _ in results) == 3
    line.refresh_from_db()
    assert line.spent == Decimal("900.00") and ledger.line_balances(line)
    assert Visit.objects.filter(status="done").count() == 3 and Visit.objects.filter(status="due").count() == 5


def test_the_same_life_event_reported_at_once_makes_one_visit(centre):
    actors = [centre["member"], centre["cadre"], centre["officer_s1"], centre["chair"]]
    results = run_together(
        lambda i: services.life_event_report(
            actor=actors[i], member=centre["member_record"], occasion="illness", occurred_on=centre["today"]
        ),
        count=len(actors),
    )
    assert errors(results) == []
    assert Visit.objects.count() == 1
    assert sum(not v.already_reported for kind, v in results if kind == "ok") == 1
