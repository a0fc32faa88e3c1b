"""Assistance services: request, approve (maker–checker, stops at the budget), reject, cancel, disburse
(idempotency), deliver, reverse; each guard and each denied role."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import Assistance, BudgetLine, FollowUp, Payment
from unionhome.assistance.services.assistance import (
    assistance_approve,
    assistance_cancel,
    assistance_deliver,
    assistance_disburse,
    assistance_reject,
    assistance_request,
    assistance_reverse,
)
from unionhome.assistance.tests import records
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification

pytestmark = pytest.mark.django_db


def request(centre, **overrides) -> Assistance:
    fields = {
        "actor": centre["officer_s1"],
        "member": centre["member_record"],
        "kind": "cash",
        "description": "因病住院，生活困难补助",
        "responsible": centre["officer_s1"],
        "amount": "3000",
        "budget_line": centre["budget_line"],
    }
    return assistance_request(**{**fields, **overrides})


def approved(centre, amount="3000", **overrides) -> Assistance:
    a = request(centre, amount=amount, **overrides)
    return assistance_approve(actor=centre["officer_union"], assistance=a)


def state():
    """Everything a refused step must leave as it was."""
    return (
        list(Assistance.objects.order_by("pk").values_list("pk", "status", "decided_by", "delivered_on")),
        list(BudgetLine.objects.order_by("pk").values_list("amount", "committed", "spent")),
        Payment.objects.count(),
        FollowUp.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action="access.denied").count(),
    )


def line(centre) -> BudgetLine:
    centre["budget_line"].refresh_from_db()
    return centre["budget_line"]


# --- request -------------------------------------------------------------------------------------


def test_request_records_the_help_without_touching_the_budget(centre):
    file = records.hardship_file(centre["member_record"])
    a = request(centre, hardship_file=file, amount="3,000.50")
    assert a.status == "requested" and a.amount == Decimal("3000.50")
    assert a.unit_path == centre["member_record"].unit_path and a.requested_by == centre["officer_s1"]
    assert a.hardship_file == file
    assert line(centre).committed == 0  # reserved only on approval
    event = AuditEvent.objects.get(action="assistance.assistance.requested")
    assert event.changes["amount"] == "3000.50" and event.changes["kind"] == "cash"
    assert event.changes["hardship_file"] == file.pk
    assert "住院" not in str(event.changes)  # the description stays out of the trail


def test_job_help_needs_no_money(centre):
    a = request(centre, kind="job", amount=None, budget_line=None, description="推荐到物业公司再就业")
    assert a.amount is None and a.budget_line is None


def test_a_station_line_pays_only_for_its_own_members(centre):
    s1_line = BudgetLine.objects.create(
        unit=centre["union"]["s1"],
        unit_path=centre["union"]["s1"].path,
        name="一站",
        fund_source="union_funds",
        year=centre["today"].year,
        amount=Decimal("5000"),
    )
    assert request(centre, budget_line=s1_line).budget_line == s1_line
    before = state()
    with pytest.raises(ValidationError) as refused:
        request(
            centre,
            actor=centre["officer_union"],
            member=centre["s2_member"],
            budget_line=s1_line,
            responsible=centre["officer_union"],
        )
    assert "cannot pay for help to this member" in refused.value.message_dict["budget_line"][0]
    assert state() == before


def test_a_line_of_another_union_cannot_be_charged(centre):
    other = factories.unit(None, "炼油厂工会", "union", code="RF")
    foreign = BudgetLine.objects.create(
        unit=other, unit_path=other.path, name="其他", fund_source="union_funds", year=2026, amount=Decimal("9000")
    )
    with pytest.raises(ValidationError) as refused:
        request(centre, budget_line=foreign)
    assert "budget_line" in refused.value.message_dict


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("1.001", "at most two decimals"),
        ("abc", "Enter an amount in yuan"),
        ("1e20", "too large"),
        ("100000.01", "100000.00 yuan available"),
        (None, "Enter the amount in yuan"),
    ],
)
def test_request_refuses_bad_amounts(centre, amount, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        request(centre, amount=amount)
    assert message in refused.value.message_dict["amount"][0]
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "lottery"}, "kind", "Choose the kind of help"),
        ({"description": "  "}, "description", "Say what is given and why"),
        ({"description": "x\x00y"}, "description", "control characters"),
        ({"budget_line": None}, "budget_line", "Choose the budget line"),
        ({"kind": "legal", "amount": "500", "budget_line": None}, "amount", "carry no amount"),
        ({"kind": "legal", "amount": None}, "budget_line", "not charged to a budget line"),
        ({"responsible": None}, "responsible", "Choose the cadre"),
    ],
)
def test_request_guards(centre, overrides, field, message):
    before = state()
    with pytest.raises(ValidationError) as refused:
        request(centre, **overrides)
    assert message in refused.value.message_dict[field][0]
    assert state() == before


def test_the_responsible_cadre_must_be_able_to_follow_the_member_up(centre):
    for who in ("officer_s2", "cadre", "auditor", "member"):
        with pytest.raises(ValidationError) as refused:
            request(centre, responsible=centre[who])
        assert "cannot follow up" in refused.value.message_dict["responsible"][0]
    assert request(centre, responsible=centre["officer_union"]).responsible == centre["officer_union"]


def test_a_hardship_file_must_be_the_members_own(centre):
    file = records.hardship_file(centre["other_s1"])
    with pytest.raises(ValidationError) as refused:
        request(centre, hardship_file=file)
    assert "belongs to another member" in refused.value.message_dict["hardship_file"][0]


def test_no_help_for_a_member_who_has_left(centre):
    gone = factories.member(centre["union"]["g11"], "钱七", status="left")
    with pytest.raises(ValidationError) as refused:
        request(centre, member=gone)
    assert "has left the union" in refused.value.message_dict["member"][0]


@pytest.mark.parametrize("who", ["auditor", "cadre", "admin", "member"])
def test_request_is_refused_to_roles_without_the_permission(centre, who):
    before = state()
    with pytest.raises(PermissionRefused) as refused:
        request(centre, actor=centre[who])
    assert refused.value.permission == "assistance.request"
    assert state() == before


def test_request_for_a_member_out_of_scope_is_not_found(centre):
    with pytest.raises(OutOfScope):
        request(centre, actor=centre["officer_s2"])
    assert not Assistance.objects.exists()


# --- approve, reject -----------------------------------------------------------------------------


def test_approval_reserves_the_money(centre):
    a = request(centre)
    done = assistance_approve(actor=centre["officer_union"], assistance=a, note="同意")
    assert done.status == "approved" and done.decided_by == centre["officer_union"] and done.decision_note == "同意"
    assert line(centre).committed == Decimal("3000.00") and line(centre).available == Decimal("97000.00")
    event = AuditEvent.objects.get(action="assistance.assistance.approved")
    assert event.changes["status"] == ["requested", "approved"] and event.changes["amount"] == "3000.00"


def test_maker_checker_the_requester_cannot_approve(centre):
    a = request(centre, actor=centre["chair"], responsible=centre["chair"])
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_approve(actor=centre["chair"], assistance=a)
    assert refused.value.code == "maker_checker"
    assert "another cadre must decide" in refused.value.messages[0]
    assert state() == before
    with pytest.raises(ValidationError):
        assistance_reject(actor=centre["chair"], assistance=a, reason="不批")
    assert state() == before
    assert assistance_approve(actor=centre["officer_union"], assistance=a).status == "approved"


def test_approvals_stop_at_the_budget(centre):
    first = request(centre, amount="60000")
    second = request(centre, amount="50000", member=centre["other_s1"])
    assistance_approve(actor=centre["officer_union"], assistance=first)
    before = state()
    with pytest.raises(ledger.OverBudget) as refused:
        assistance_approve(actor=centre["officer_union"], assistance=second)
    assert "40000.00 yuan available" in refused.value.messages[0]
    assert state() == before
    second.refresh_from_db()
    assert second.status == "requested"


def test_job_help_is_approved_without_money(centre):
    a = request(centre, kind="legal", amount=None, budget_line=None)
    assert assistance_approve(actor=centre["chair"], assistance=a).status == "approved"
    assert line(centre).committed == 0


def test_only_a_request_can_be_approved_or_rejected(centre):
    a = approved(centre)
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_approve(actor=centre["chair"], assistance=a)
    assert "awaiting approval can be approved" in refused.value.messages[0] and "Approved" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        assistance_reject(actor=centre["chair"], assistance=a, reason="重复")
    assert state() == before


def test_reject_needs_a_reason_and_records_it(centre):
    a = request(centre)
    with pytest.raises(ValidationError) as refused:
        assistance_reject(actor=centre["officer_union"], assistance=a, reason="")
    assert "Say why" in refused.value.message_dict["reason"][0]
    done = assistance_reject(actor=centre["officer_union"], assistance=a, reason="不符合条件")
    assert done.status == "rejected" and done.decision_note == "不符合条件"
    assert line(centre).committed == 0
    assert AuditEvent.objects.get(action="assistance.assistance.rejected").changes["reason"] == "不符合条件"


@pytest.mark.parametrize("service", [assistance_approve, assistance_reject])
@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("auditor", PermissionRefused),
        ("cadre", PermissionRefused),
        ("admin", PermissionRefused),
        ("officer_s2", OutOfScope),
    ],
)
def test_decisions_are_refused_to_others(centre, service, who, error):
    a = request(centre)
    before = state()
    kwargs = {"reason": "x"} if service is assistance_reject else {}
    with pytest.raises(error):
        service(actor=centre[who], assistance=a, **kwargs)
    assert state() == before


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_an_approved_assistance_releases_the_money(centre):
    a = approved(centre)
    done = assistance_cancel(actor=centre["officer_s1"], assistance=a, reason="职工已调离")
    assert done.status == "cancelled" and line(centre).committed == 0
    assert ledger.line_balances(line(centre))
    assert AuditEvent.objects.get(action="assistance.assistance.cancelled").changes["released"] == "3000.00"


def test_a_requester_may_withdraw_their_request(centre):
    a = request(centre)
    assert assistance_cancel(actor=centre["officer_s1"], assistance=a, reason="重复申请").status == "cancelled"


def test_delivered_or_rejected_assistance_cannot_be_cancelled(centre):
    paid = approved(centre)
    assistance_disburse(actor=centre["officer_s1"], assistance=paid, idempotency_key="k-1")
    turned_down = request(centre)
    assistance_reject(actor=centre["chair"], assistance=turned_down, reason="不符")
    before = state()
    for a in (paid, turned_down):
        with pytest.raises(ValidationError) as refused:
            assistance_cancel(actor=centre["chair"], assistance=a, reason="撤销")
        assert refused.value.code == "not_cancellable"
    assert state() == before


def test_cancel_needs_a_reason_and_the_permission(centre):
    a = approved(centre)
    with pytest.raises(ValidationError):
        assistance_cancel(actor=centre["chair"], assistance=a, reason="")
    with pytest.raises(PermissionRefused):
        assistance_cancel(actor=centre["auditor"], assistance=a, reason="x")
    with pytest.raises(OutOfScope):
        assistance_cancel(actor=centre["officer_s2"], assistance=a, reason="x")
    assert line(centre).committed == Decimal("3000.00")


# --- disburse ------------------------------------------------------------------------------------


def test_disburse_pays_delivers_schedules_follow_ups_and_tells_the_member(centre):
    a = approved(centre)
    result = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1")
    assert not result.replayed
    payment = result.payment
    assert payment.amount == Decimal("3000.00") and payment.assistance_id == a.pk
    assert payment.idempotency_key == "pay-1" and payment.payee == centre["member_record"]
    a.refresh_from_db()
    assert a.status == "delivered" and a.delivered_on == centre["today"]
    ln = line(centre)
    assert (ln.committed, ln.spent, ln.available) == (0, Decimal("3000.00"), Decimal("97000.00"))
    assert ledger.line_balances(ln)
    follow_ups = list(FollowUp.objects.filter(assistance=a).order_by("sequence"))
    assert [f.due_on for f in follow_ups] == [
        centre["today"] + datetime.timedelta(days=30),
        centre["today"] + datetime.timedelta(days=90),
    ]
    assert all(f.responsible == centre["officer_s1"] for f in follow_ups)
    note = Notification.objects.get(recipient=centre["member"])
    assert note.kind == "assistance.delivered" and note.url == "/assistance/help/mine/"
    assert "3000.00" in note.body.replace(",", "")  # in the site language (Chinese by default)
    event = AuditEvent.objects.get(action="assistance.assistance.disbursed")
    assert event.changes["amount"] == "3000.00" and event.changes["payment"] == payment.pk


def test_a_retry_with_the_same_key_returns_the_same_payment_and_writes_nothing(centre):
    a = approved(centre)
    first = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1")
    before = state()
    again = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1")
    assert again.replayed and again.payment.pk == first.payment.pk
    assert state() == before


def test_the_same_key_for_another_assistance_is_a_conflict(centre):
    a = approved(centre)
    b = approved(centre, member=centre["other_s1"])
    assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1")
    before = state()
    with pytest.raises(ledger.IdempotencyConflict):
        assistance_disburse(actor=centre["officer_s1"], assistance=b, idempotency_key="pay-1")
    assert state() == before


def test_paying_twice_with_a_new_key_is_refused(centre):
    a = approved(centre)
    assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1")
    before = state()
    with pytest.raises(ledger.AlreadyPaid) as refused:
        assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-2")
    assert "already been paid" in refused.value.messages[0]
    assert state() == before


@pytest.mark.parametrize("status", ["requested", "rejected", "cancelled"])
def test_only_approved_assistance_is_paid(centre, status):
    a = records.assistance(
        centre["member_record"], requested_by=centre["officer_s1"], line=centre["budget_line"], status=status
    )
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="pay-1")
    assert refused.value.code == "not_approved"
    assert state() == before


@pytest.mark.parametrize("key", ["", " ", "x" * 101, "ключ", "a b", "tab\there", None])
def test_disburse_needs_a_valid_key(centre, key):
    a = approved(centre)
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key=key)
    assert "1 to 100 visible ASCII" in refused.value.message_dict["idempotency_key"][0]
    assert state() == before


def test_help_without_money_is_delivered_not_paid(centre):
    a = request(centre, kind="job", amount=None, budget_line=None)
    assistance_approve(actor=centre["chair"], assistance=a)
    with pytest.raises(ValidationError) as refused:
        assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="pay-1")
    assert refused.value.code == "no_money"
    done = assistance_deliver(actor=centre["officer_s1"], assistance=a)
    assert done.status == "delivered" and done.delivered_on == centre["today"]
    assert FollowUp.objects.filter(assistance=a).count() == 2
    assert Notification.objects.filter(recipient=centre["member"], kind="assistance.delivered").count() == 1
    assert AuditEvent.objects.filter(action="assistance.assistance.delivered").count() == 1


def test_deliver_guards(centre):
    money = approved(centre)
    requested_job = request(centre, kind="job", amount=None, budget_line=None)
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_deliver(actor=centre["chair"], assistance=money)
    assert refused.value.code == "has_money"
    with pytest.raises(ValidationError) as refused:
        assistance_deliver(actor=centre["chair"], assistance=requested_job)
    assert refused.value.code == "not_approved"
    with pytest.raises(PermissionRefused):
        assistance_deliver(actor=centre["auditor"], assistance=requested_job)
    assert state() == before


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("auditor", PermissionRefused),
        ("cadre", PermissionRefused),
        ("member", PermissionRefused),
        ("officer_s2", OutOfScope),
    ],
)
def test_disburse_is_refused_to_others(centre, who, error):
    a = approved(centre)
    before = state()
    with pytest.raises(error):
        assistance_disburse(actor=centre[who], assistance=a, idempotency_key="pay-1")
    assert state() == before


# --- reverse -------------------------------------------------------------------------------------


def test_reverse_returns_the_money_and_keeps_the_follow_ups(centre):
    a = approved(centre)
    payment = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1").payment
    reversal = assistance_reverse(actor=centre["chair"], payment=payment, reason="重复发放")
    assert reversal.kind == "reversal" and reversal.amount == Decimal("-3000.00") and reversal.reverses == payment
    a.refresh_from_db()
    assert a.status == "reversed"
    ln = line(centre)
    assert (ln.committed, ln.spent, ln.available) == (0, 0, Decimal("100000.00")) and ledger.line_balances(ln)
    assert FollowUp.objects.filter(assistance=a).count() == 2
    event = AuditEvent.objects.get(action="assistance.payment.reversed")
    assert event.changes["amount"] == "3000.00" and event.changes["reason"] == "重复发放"
    assert event.changes["status"] == ["delivered", "reversed"]
    # A reversed assistance is not paid again, whatever the key.
    with pytest.raises(ValidationError) as refused:
        assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-2")
    assert refused.value.code == "already_paid"


def test_reverse_guards(centre):
    a = approved(centre)
    payment = assistance_disburse(actor=centre["officer_s1"], assistance=a, idempotency_key="pay-1").payment
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_reverse(actor=centre["chair"], payment=payment, reason="  ")
    assert "Say why" in refused.value.message_dict["reason"][0]
    with pytest.raises(PermissionRefused):
        assistance_reverse(actor=centre["auditor"], payment=payment, reason="x")
    with pytest.raises(OutOfScope):
        assistance_reverse(actor=centre["officer_s2"], payment=payment, reason="x")
    assert state() == before
    reversal = assistance_reverse(actor=centre["chair"], payment=payment, reason="错发")
    before = state()
    with pytest.raises(ValidationError) as refused:
        assistance_reverse(actor=centre["chair"], payment=payment, reason="再次")
    assert "already been reversed" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        assistance_reverse(actor=centre["chair"], payment=reversal, reason="再次")
    assert "cannot itself be reversed" in refused.value.messages[0]
    assert state() == before


def test_a_visit_payment_is_not_reversed_here(centre):
    from unionhome.assistance.models import Visit

    visit = Visit.objects.create(
        member=centre["member_record"],
        unit_path=centre["member_record"].unit_path,
        occasion="illness",
        status="done",
        visited_on=centre["today"],
    )
    payment = ledger.pay(
        actor=centre["chair"],
        line_id=centre["budget_line"].pk,
        amount=Decimal("500"),
        item=visit,
        from_commitment=False,
    ).payment
    with pytest.raises(ValidationError) as refused:
        assistance_reverse(actor=centre["chair"], payment=payment, reason="x")
    assert refused.value.code == "not_assistance"
