"""Budget lines: budget_line_create and budget_line_adjust, their guards and who may use them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import BudgetLine
from unionhome.assistance.services.budget import budget_line_adjust, budget_line_create
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = [
    ("0", "more than zero"),
    ("-1", "more than zero"),
    ("1.001", "at most two decimals"),
    ("abc", "Enter an amount in yuan"),
    ("NaN", "Enter an amount in yuan"),
    ("100000000000", "too large"),
    ("123456789012345678901234567.123", "too large"),
    ("", "Enter an amount in yuan"),
]


def create(centre, **overrides):
    fields = {
        "actor": centre["chair"],
        "unit": centre["union"]["s1"],
        "name": "一站帮扶资金",
        "fund_source": BudgetLine.FundSource.UNION_FUNDS,
        "year": centre["today"].year,
        "amount": "20000",
    }
    return budget_line_create(**{**fields, **overrides})


def snapshot():
    return (
        list(BudgetLine.objects.order_by("pk").values_list("pk", "amount", "committed", "spent")),
        AuditEvent.objects.count(),
    )


def test_chair_creates_a_budget_line(centre):
    line = create(centre, amount="20,000.5")
    assert line.amount == Decimal("20000.50")
    assert (line.committed, line.spent, line.available) == (Decimal("0"), Decimal("0"), Decimal("20000.50"))
    assert line.unit_path == centre["union"]["s1"].path and line.created_by == centre["chair"]
    event = AuditEvent.objects.get(action="assistance.budget_line.created")
    assert event.object_id == str(line.pk)
    assert event.changes["amount"] == "20000.50" and event.changes["year"] == centre["today"].year
    assert event.unit_path == centre["union"]["s1"].path


@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
def test_bad_amounts_are_refused_and_nothing_is_written(centre, amount, message):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        create(centre, amount=amount)
    assert message in refused.value.message_dict["amount"][0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the budget line a name"),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "bad\x00name"}, "name", "control characters"),
        ({"fund_source": "lottery"}, "fund_source", "Choose a fund source"),
        ({"year": "twenty"}, "year", "Enter a year"),
        ({"year": 1999}, "year", "between 2000 and 2100"),
        ({"year": 2101}, "year", "between 2000 and 2100"),
    ],
)
def test_each_bad_field_gets_its_own_message(centre, overrides, field, message):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        create(centre, **overrides)
    assert message in refused.value.message_dict[field][0]
    assert snapshot() == before


def test_all_problems_are_reported_together(centre):
    with pytest.raises(ValidationError) as refused:
        create(centre, name="", fund_source="x", amount="0")
    assert set(refused.value.message_dict) == {"name", "fund_source", "amount"}


def test_groups_hold_no_budget_lines(centre):
    with pytest.raises(ValidationError) as refused:
        create(centre, unit=centre["union"]["g11"])
    assert "not by a union group" in refused.value.message_dict["unit"][0]


def test_the_same_name_twice_in_a_year_is_refused(centre):
    create(centre)
    with pytest.raises(ValidationError) as refused:
        create(centre, amount="5")
    assert "already has a budget line with this name" in refused.value.message_dict["name"][0]
    assert BudgetLine.objects.filter(name="一站帮扶资金").count() == 1
    create(centre, year=centre["today"].year + 1)  # another year is another line


@pytest.mark.parametrize("who", ["officer_union", "officer_s1", "auditor", "cadre", "admin", "member"])
def test_only_budget_managers_create_lines(centre, who):
    with pytest.raises(PermissionRefused) as refused:
        create(centre, actor=centre[who])
    assert refused.value.permission == "assistance.manage_budget"
    assert not BudgetLine.objects.filter(name="一站帮扶资金").exists()


def test_a_chair_of_another_union_gets_not_found(centre):
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    other_chair = factories.user("other_chair", roles=(("chair", other),))
    with pytest.raises(OutOfScope):
        create(centre, actor=other_chair)
    create(centre, actor=other_chair, unit=other)  # their own union is fine


# --- adjust --------------------------------------------------------------------------------------


def test_adjust_changes_the_amount_and_audits_old_and_new(centre):
    line = centre["budget_line"]
    adjusted = budget_line_adjust(actor=centre["chair"], line=line, amount="120000", reason="追加预算")
    assert adjusted.amount == Decimal("120000.00")
    line.refresh_from_db()
    assert line.amount == Decimal("120000.00")
    event = AuditEvent.objects.get(action="assistance.budget_line.adjusted")
    assert event.changes == {"amount": ["100000.00", "120000.00"], "reason": "追加预算"}


def test_adjust_to_the_same_amount_writes_nothing(centre):
    budget_line_adjust(actor=centre["chair"], line=centre["budget_line"], amount="100000.00", reason="核对")
    assert not AuditEvent.objects.filter(action="assistance.budget_line.adjusted").exists()


def test_adjust_never_goes_below_committed_and_spent(centre):
    from unionhome.assistance.tests import records

    line = centre["budget_line"]
    paid = records.assistance(centre["member_record"], requested_by=centre["officer_s1"], line=line, amount="3000")
    reserved = records.assistance(centre["other_s1"], requested_by=centre["officer_s1"], line=line, amount="2000")
    ledger.commit(line.pk, Decimal("3000"))
    ledger.pay(actor=centre["chair"], line_id=line.pk, amount=Decimal("3000"), item=paid, from_commitment=True)
    ledger.commit(line.pk, reserved.amount)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        budget_line_adjust(actor=centre["chair"], line=line, amount="4999.99", reason="压缩")
    assert "cannot be less than 5000.00 yuan" in refused.value.message_dict["amount"][0]
    assert snapshot() == before
    budget_line_adjust(actor=centre["chair"], line=line, amount="5000", reason="压缩")
    line.refresh_from_db()
    assert line.available == 0 and ledger.line_balances(line)


@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
def test_adjust_refuses_bad_amounts(centre, amount, message):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        budget_line_adjust(actor=centre["chair"], line=centre["budget_line"], amount=amount, reason="调整")
    assert message in refused.value.message_dict["amount"][0]
    assert snapshot() == before


def test_adjust_needs_a_reason(centre):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        budget_line_adjust(actor=centre["chair"], line=centre["budget_line"], amount="1", reason=" ")
    assert "Say why the amount changes" in refused.value.message_dict["reason"][0]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["officer_union", "auditor", "cadre", "admin"])
def test_adjust_is_for_budget_managers_only(centre, who):
    with pytest.raises(PermissionRefused):
        budget_line_adjust(actor=centre[who], line=centre["budget_line"], amount="1", reason="x")
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].amount == Decimal("100000.00")


def test_a_station_chair_cannot_adjust_the_union_line(centre):
    station_chair = factories.user("station_chair", roles=(("chair", centre["union"]["s1"]),))
    with pytest.raises(OutOfScope):
        budget_line_adjust(actor=station_chair, line=centre["budget_line"], amount="1", reason="x")
