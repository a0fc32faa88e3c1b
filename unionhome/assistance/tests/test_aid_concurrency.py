"""Education aid under real concurrency: threads with their own connections and transactions apply for
one child, approve against one budget line, and pay a campaign at the same moment.

On PostgreSQL the campaign, application and budget-line rows are locked with SELECT … FOR UPDATE; on
SQLite the IMMEDIATE transactions make writers queue for the database lock. Same outcome either way.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tests import factories
from tests.concurrency import THREADS, run_together
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, AidCampaign, BudgetLine, Payment
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records

pytestmark = pytest.mark.django_db(transaction=True)


def test_parents_applying_for_one_child_at_once_make_one_application(centre):
    campaign = aid_records.campaign(centre)
    parents = [
        factories.user(f"parent{i}", member=factories.member(centre["union"]["g11"], f"家长{i}"))
        for i in range(THREADS)
    ]
    number = aid_records.child_id(1)
    tier = campaign.tiers.first()

    def apply(i: int) -> AidApplication:
        return services.aid_application_submit(
            actor=parents[i],
            campaign=campaign,
            child_name="张小明",
            child_id_number=number,
            school="湖南大学",
            admitted_year=campaign.year,
            tier=tier,
            consent=True,
        )

    results = run_together(apply)
    errors = [r for kind, r in results if kind == "error"]
    assert sum(kind == "ok" for kind, _ in results) == 1
    assert len(errors) == THREADS - 1 and all(isinstance(e, ValidationError) for e in errors)
    assert all("already has an application in this campaign" in " ".join(e.messages) for e in errors)
    assert AidApplication.objects.filter(campaign=campaign).count() == 1


def test_concurrent_approvals_stop_exactly_at_the_budget(centre):
    unit = centre["union"]["union"]
    line = BudgetLine.objects.create(
        unit=unit, unit_path=unit.path, name="助学并发", fund_source="donations", year=2025, amount=Decimal("12000")
    )
    campaign = aid_records.campaign(centre, line=line)
    applications = [
        aid_records.application(
            campaign, centre["member_record"], n=i, status="reviewed", reviewed_by=centre["officer_s1"]
        )
        for i in range(THREADS)
    ]  # 5,000 yuan each: two fit in 12,000
    results = run_together(
        lambda i: services.aid_application_approve(actor=centre["officer_union"], application=applications[i])
    )
    assert [r for kind, r in results if kind == "error" and not isinstance(r, ledger.OverBudget)] == []
    assert sum(kind == "ok" for kind, _ in results) == 2
    line.refresh_from_db()
    assert line.committed == Decimal("10000.00") and ledger.line_balances(line)
    assert AidApplication.objects.filter(status="approved").count() == 2


def test_pay_all_run_twice_at_once_pays_each_application_once(centre):
    campaign = aid_records.campaign(centre, state="paying")
    applications = [
        aid_records.application(campaign, centre["member_record"], n=i, status="approved") for i in range(4)
    ]
    with transaction.atomic():
        for application in applications:
            ledger.commit(centre["budget_line"].pk, application.amount)
    campaign = AidCampaign.objects.get(pk=campaign.pk)
    results = run_together(
        lambda i: services.aid_campaign_pay_all(actor=centre["officer_union"], campaign=campaign), count=3
    )
    assert [r for kind, r in results if kind == "error"] == []
    paid = sorted(pk for _, result in results for pk in result.paid)
    assert paid == sorted(a.pk for a in applications)  # each once, whichever run paid it
    assert Payment.objects.count() == 4 and ledger.line_balances(centre["budget_line"])
