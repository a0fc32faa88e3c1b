"""Education-aid decision and payment services: withdrawing, review then approval by another cadre
(maker-checker, reserving the budget), rejection releasing the money, payment (idempotent, pay all, reversal)
and each denied role."""

from decimal import Decimal

import pytest

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, BudgetLine, Payment
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records
from unionhome.assistance.tests.aid_steps import approved, line_state, messages_of, refused, submit, to_paying
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification

# --- withdraw, review, approve, reject -----------------------------------------------------------


def test_withdrawing_is_the_applicant_s_own_and_only_before_review(aid):
    application = submit(aid)
    with pytest.raises(OutOfScope):
        services.aid_application_withdraw(actor=aid["parent2"], application=application)
    services.aid_application_review(actor=aid["officer_s1"], application=application)
    exc = refused(services.aid_application_withdraw, actor=aid["member"], application=application)
    assert exc.messages == ["An application can be withdrawn only while it waits for review."]


def test_review_then_approval_by_another_cadre_reserves_the_money(aid):
    application = submit(aid)
    line = aid["budget_line"]
    services.aid_application_review(actor=aid["officer_s1"], application=application, note="材料齐全")
    application.refresh_from_db()
    assert application.status == "reviewed" and application.reviewed_by == aid["officer_s1"]
    services.aid_application_approve(actor=aid["chair"], application=application)
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == aid["chair"]
    assert line_state(line) == (Decimal("5000.00"), Decimal("0.00"))
    notice = Notification.objects.get(recipient=aid["member"], kind="assistance.aid.approved")
    assert notice.url.endswith(f"/aid/applications/{application.pk}/")
    assert ledger.line_balances(line)


def test_approval_before_review_is_refused(aid):
    application = submit(aid)
    exc = refused(services.aid_application_approve, actor=aid["chair"], application=application)
    assert exc.messages == ["The application must be reviewed before it can be approved."]
    assert line_state(aid["budget_line"]) == (Decimal("0.00"), Decimal("0.00"))


def test_the_reviewer_cannot_approve(aid):
    application = submit(aid)
    services.aid_application_review(actor=aid["chair"], application=application)
    exc = refused(services.aid_application_approve, actor=aid["chair"], application=application)
    assert exc.messages == ["You reviewed this application, so another cadre must approve it."]
    application.refresh_from_db()
    assert application.status == "reviewed"


def test_nobody_decides_on_their_own_application(aid):
    """A cadre who is also a member cannot review or approve their own child's application."""
    officer = aid["officer_s1"]
    officer.member = factories.member(aid["union"]["g12"], "周七")
    officer.save()
    application = submit(aid, actor=officer)
    exc = refused(services.aid_application_review, actor=officer, application=application)
    assert "your own application" in messages_of(exc)


def test_approvals_stop_at_the_budget(centre):
    small = BudgetLine.objects.create(
        unit=centre["union"]["union"],
        unit_path=centre["union"]["union"].path,
        name="助学金",
        fund_source="donations",
        year=2025,
        amount=Decimal("8000.00"),
    )
    centre["campaign"] = aid_records.campaign(centre, line=small)
    first = approved(centre, n=1)
    second = aid_records.application(centre["campaign"], centre["other_s1"], n=2, status="reviewed")
    second.reviewed_by = centre["officer_s1"]
    second.save()
    exc = refused(services.aid_application_approve, actor=centre["officer_union"], application=second)
    assert exc.code == "over_budget" and "has 3000.00 yuan available" in exc.messages[0]
    second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "reviewed")
    assert line_state(small) == (Decimal("5000.00"), Decimal("0.00"))
    # A cheaper tier still fits.
    second.tier = centre["campaign"].tiers.get(name="专科")
    second.amount = second.tier.amount
    second.save()
    services.aid_application_approve(actor=centre["officer_union"], application=second)
    assert line_state(small) == (Decimal("8000.00"), Decimal("0.00")) and ledger.line_balances(small)


def test_a_rejection_carries_its_reason_to_the_member(aid):
    application = submit(aid)
    exc = refused(services.aid_application_reject, actor=aid["officer_s1"], application=application, reason=" ")
    assert "reason" in exc.message_dict
    services.aid_application_reject(actor=aid["officer_s1"], application=application, reason="录取通知书不清晰")
    application.refresh_from_db()
    assert application.status == "rejected" and application.decision_note == "录取通知书不清晰"
    notice = Notification.objects.get(recipient=aid["member"], kind="assistance.aid.rejected")
    assert "录取通知书不清晰" in notice.body


def test_rejecting_an_approved_application_releases_its_money(aid):
    application = approved(aid)
    assert line_state(aid["budget_line"]) == (Decimal("5000.00"), Decimal("0.00"))
    with pytest.raises(OutOfScope):  # a branch cadre does not even see it
        services.aid_application_reject(actor=aid["cadre"], application=application, reason="x")
    services.aid_application_reject(actor=aid["chair"], application=application, reason="重复资助")
    assert line_state(aid["budget_line"]) == (Decimal("0.00"), Decimal("0.00"))
    event = AuditEvent.objects.get(action="assistance.aid_application.rejected")
    assert event.changes["released"] == "5000.00" and event.changes["status"] == ["approved", "rejected"]
    assert ledger.line_balances(aid["budget_line"])


@pytest.mark.parametrize(
    "call",
    [services.aid_application_review, services.aid_application_approve],
)
def test_an_officer_of_another_branch_gets_not_found(aid, call):
    application = submit(aid)
    with pytest.raises(OutOfScope):
        call(actor=aid["officer_s2"], application=application)


@pytest.mark.parametrize("who", ["cadre", "auditor", "admin", "parent2"])
def test_other_roles_get_not_found_for_an_application(aid, who):
    application = submit(aid)
    with pytest.raises(OutOfScope):
        services.aid_application_review(actor=aid[who], application=application)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_applicant_is_refused_the_review_permission(aid):
    application = submit(aid)
    with pytest.raises(PermissionRefused) as exc:
        services.aid_application_review(actor=aid["member"], application=application)
    assert exc.value.permission == "assistance.review_aid"


# --- payment -------------------------------------------------------------------------------------


def test_pay_all_twice_pays_each_application_once(aid):
    applications = to_paying(aid, n=3)
    line = aid["budget_line"]
    exc = refused(services.aid_campaign_finish, actor=aid["officer_union"], campaign=aid["campaign"])
    assert exc.messages == ["3 approved applications are not paid yet."]
    first = services.aid_campaign_pay_all(actor=aid["officer_union"], campaign=aid["campaign"])
    assert sorted(first.paid) == sorted(a.pk for a in applications) and first.total == Decimal("15000.00")
    assert first.failed == []
    second = services.aid_campaign_pay_all(actor=aid["officer_union"], campaign=aid["campaign"])
    assert second.paid == [] and second.total == Decimal("0.00")
    assert Payment.objects.filter(kind="payment").count() == 3
    assert set(Payment.objects.values_list("idempotency_key", flat=True)) == {f"aid-{a.pk}" for a in applications}
    assert line_state(line) == (Decimal("0.00"), Decimal("15000.00")) and ledger.line_balances(line)
    assert set(AidApplication.objects.values_list("status", flat=True)) == {"paid"}
    assert Notification.objects.filter(kind="assistance.aid.paid").count() == 3
    services.aid_campaign_finish(actor=aid["officer_union"], campaign=aid["campaign"])


def test_paying_one_application_is_idempotent(aid):
    (application,) = to_paying(aid)
    first = services.aid_application_pay(actor=aid["officer_union"], application=application, idempotency_key="k-1")
    again = services.aid_application_pay(actor=aid["officer_union"], application=application, idempotency_key="k-1")
    assert not first.replayed and again.replayed and again.payment.pk == first.payment.pk
    exc = refused(
        services.aid_application_pay, actor=aid["officer_union"], application=application, idempotency_key="k-2"
    )
    assert exc.messages == ["This has already been paid."]
    assert Payment.objects.count() == 1 and ledger.line_balances(aid["budget_line"])
    # pay all afterwards pays nobody twice
    assert services.aid_campaign_pay_all(actor=aid["officer_union"], campaign=aid["campaign"]).paid == []


def test_paying_before_publicity_ends_is_refused(aid):
    application = approved(aid)
    exc = refused(
        services.aid_application_pay, actor=aid["officer_union"], application=application, idempotency_key="k"
    )
    assert "Payments start once the publicity period is over" in exc.messages[0]
    exc = refused(services.aid_campaign_pay_all, actor=aid["officer_union"], campaign=aid["campaign"])
    assert "Payments start once the publicity period is over" in exc.messages[0]
    assert not Payment.objects.exists()


def test_an_empty_idempotency_key_is_refused(aid):
    (application,) = to_paying(aid)
    exc = refused(
        services.aid_application_pay, actor=aid["officer_union"], application=application, idempotency_key=" "
    )
    assert "idempotency_key" in exc.message_dict


@pytest.mark.parametrize(
    "who, error", [("cadre", OutOfScope), ("officer_s2", OutOfScope), ("member", PermissionRefused)]
)
def test_paying_is_refused_to_other_roles(aid, who, error):
    (application,) = to_paying(aid)
    with pytest.raises(error):
        services.aid_application_pay(actor=aid[who], application=application, idempotency_key="k")
    assert not Payment.objects.exists()


def test_a_payment_is_reversed_by_an_entry_never_deleted(aid):
    (application,) = to_paying(aid)
    services.aid_campaign_pay_all(actor=aid["officer_union"], campaign=aid["campaign"])
    application.refresh_from_db()
    reversal = services.aid_payment_reverse(actor=aid["chair"], application=application, reason="银行卡号错误")
    assert reversal.amount == Decimal("-5000.00") and reversal.reverses.aid_application == application
    application.refresh_from_db()
    assert application.status == "reversed"
    assert line_state(aid["budget_line"]) == (Decimal("0.00"), Decimal("0.00"))
    assert Payment.objects.count() == 2 and ledger.line_balances(aid["budget_line"])
    exc = refused(services.aid_payment_reverse, actor=aid["chair"], application=application, reason="again")
    assert exc.messages == ["Only a paid application can have its payment reversed."]
