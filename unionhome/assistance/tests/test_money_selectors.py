"""Money selectors: chargeable lines, responsible cadres, the member's own list and the work-queue providers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from unionhome.assistance.models import BudgetLine
from unionhome.assistance.selectors import money as selectors
from unionhome.assistance.services.assistance import assistance_approve
from unionhome.assistance.tests import records

pytestmark = pytest.mark.django_db


def line_of(unit, name, year=2026) -> BudgetLine:
    return BudgetLine.objects.create(
        unit=unit, unit_path=unit.path, name=name, fund_source="union_funds", year=year, amount=Decimal("100")
    )


def test_chargeable_lines_are_the_members_unit_and_above_within_the_union(centre):
    u = centre["union"]
    federation = factories.unit(None, "市总工会", "federation", code="FED")
    other_union = factories.unit(federation, "另一工会", "union", code="OU")
    s1, s2, g11 = line_of(u["s1"], "一站"), line_of(u["s2"], "二站"), line_of(u["g11"], "甲班")
    line_of(other_union, "别家")
    found = set(selectors.chargeable_lines(centre["member_record"]))
    assert found == {centre["budget_line"], s1, g11}
    assert s2 not in set(selectors.chargeable_lines(centre["other_s1"]))


def test_responsible_choices_are_cadres_who_may_follow_the_member_up(centre):
    chosen = set(selectors.responsible_choices(centre["member_record"]))
    assert chosen == {centre["officer_s1"], centre["officer_union"], centre["chair"]}
    assert centre["officer_s1"] not in set(selectors.responsible_choices(centre["s2_member"]))


def test_approvals_queue_lists_others_requests_in_scope(centre):
    mine = records.assistance(centre["member_record"], requested_by=centre["officer_union"], line=centre["budget_line"])
    theirs = records.assistance(centre["other_s1"], requested_by=centre["officer_s1"], line=centre["budget_line"])
    items = selectors.approvals_queue(centre["officer_union"])
    assert [i.url for i in items] == [reverse("assistance:assistance_detail", args=[theirs.pk])]
    assert "李四" in items[0].title and "1000.00" in items[0].title.replace(",", "")
    assert items[0].kind == "assistance.approve"
    assert selectors.approvals_queue(centre["officer_s2"]) == []
    assert selectors.approvals_queue(centre["auditor"]) == []
    chair_urls = {i.url for i in selectors.approvals_queue(centre["chair"])}
    assert reverse("assistance:assistance_detail", args=[mine.pk]) in chair_urls  # not the chair's own request


def test_payments_queue_lists_approved_money_and_deliveries(centre):
    a = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=centre["budget_line"])
    assistance_approve(actor=centre["officer_union"], assistance=a)
    job = records.assistance(
        centre["other_s1"],
        requested_by=centre["officer_s1"],
        amount=None,
        kind="job",
        status="approved",
        decided_by=centre["chair"],
    )
    kinds = {i.kind: i for i in selectors.payments_queue(centre["officer_s1"])}
    assert set(kinds) == {"assistance.disburse", "assistance.deliver"}
    assert kinds["assistance.disburse"].url == reverse("assistance:assistance_detail", args=[a.pk])
    assert kinds["assistance.deliver"].url == reverse("assistance:assistance_detail", args=[job.pk])
    assert selectors.payments_queue(centre["officer_s2"]) == []
    assert selectors.payments_queue(centre["member"]) == []


def test_queue_providers_use_a_constant_number_of_queries(centre):
    def count(provider) -> int:
        user = factories.user(f"fresh{count.n}", roles=(("assistance_officer", centre["union"]["union"]),))
        count.n += 1
        with CaptureQueriesContext(connection) as ctx:
            provider(user)
        return len(ctx.captured_queries)

    count.n = 0
    small = count(selectors.approvals_queue), count(selectors.payments_queue)
    for i in range(12):
        a = records.assistance(
            centre["member_record" if i % 2 else "other_s1"],
            requested_by=centre["officer_s1"],
            line=centre["budget_line"],
            amount="10",
        )
        if i % 3 == 0:
            assistance_approve(actor=centre["chair"], assistance=a)
    assert (count(selectors.approvals_queue), count(selectors.payments_queue)) == small


def test_own_assistance_hides_rejected_and_cancelled(centre):
    shown = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=centre["budget_line"])
    for status in ("rejected", "cancelled"):
        records.assistance(
            centre["member_record"],
            requested_by=centre["officer_s1"],
            line=centre["budget_line"],
            status=status,
            decided_by=centre["chair"],
        )
    assert list(selectors.own_assistance(centre["member_record"].pk)) == [shown]
    assert list(selectors.own_assistance(None)) == []
    assert selectors.own_status_label("requested") == "Being considered"


def test_assistance_of_member_is_scoped_to_the_viewer(centre):
    a = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=centre["budget_line"])
    records.assistance(centre["other_s1"], requested_by=centre["officer_s1"], line=centre["budget_line"])
    assert list(selectors.assistance_of_member(centre["officer_s1"], centre["member_record"])) == [a]
    assert list(selectors.assistance_of_member(centre["auditor"], centre["member_record"].pk)) == [a]
    assert list(selectors.assistance_of_member(centre["officer_s2"], centre["member_record"])) == []
    assert list(selectors.assistance_of_member(centre["cadre"], centre["member_record"])) == []
    assert list(selectors.own_assistance(centre["member_record"])) == [a]
