"""Education-aid services: campaigns, applying (window, criteria, duplicates, ID numbers), review and
approval (maker-checker, budget), publicity and objections, payment (idempotent, pay all), each denied role."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import ledger
from unionhome.assistance.models import (
    AidApplication,
    AidCampaign,
    AidTier,
    BudgetLine,
    ConsentRecord,
    Document,
    Objection,
    Payment,
)
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records, records
from unionhome.audit.models import AuditEvent
from unionhome.encryption import keyed_digest
from unionhome.notify.models import Notification
from unionhome.org.identity import mask_id_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def aid(centre):
    """The centre plus an open union campaign (5,000 / 3,000 yuan tiers) and a login for a second parent."""
    centre["campaign"] = aid_records.campaign(centre)
    centre["parent2"] = factories.user("parent2", member=centre["other_s1"])
    return centre


def submit(aid, actor=None, n: int = 1, **overrides):
    campaign = overrides.pop("campaign", aid["campaign"])
    values = {
        "child_name": "张小明",
        "child_id_number": aid_records.child_id(n),
        "school": "湖南大学",
        "admitted_year": campaign.year,
        "tier": campaign.tiers.order_by("-amount").first(),
        "consent": True,
    }
    values.update(overrides)
    return services.aid_application_submit(actor=actor or aid["member"], campaign=campaign, **values)


def refused(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def approved(aid, n: int = 1, **fields) -> AidApplication:
    application = aid_records.application(aid["campaign"], aid["member_record"], n=n, status="reviewed", **fields)
    application.reviewed_by = aid["officer_s1"]
    application.save()
    return services.aid_application_approve(actor=aid["officer_union"], application=application)


def line_state(line: BudgetLine) -> tuple[Decimal, Decimal]:
    line.refresh_from_db()
    return line.committed, line.spent


# --- campaigns -----------------------------------------------------------------------------------


def campaign_args(centre, **overrides):
    today = centre["today"]
    args = {
        "unit": centre["union"]["union"],
        "name": "2025 金秋助学",
        "year": today.year,
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=30),
        "budget_line": centre["budget_line"],
        "tiers": [("本科", "5000"), ("专科", "3000.50")],
        "require_admission_this_year": True,
        "require_active_file": False,
        "income_per_head_below": "1200",
        "publicity_days": 7,
    }
    args.update(overrides)
    return args


def test_an_officer_sets_up_a_campaign_as_a_draft(centre):
    campaign = services.aid_campaign_create(actor=centre["officer_union"], **campaign_args(centre))
    assert campaign.state == AidCampaign.State.DRAFT and campaign.unit_path == centre["union"]["union"].path
    assert [(t.name, t.amount) for t in campaign.tiers.all()] == [
        ("本科", Decimal("5000.00")),
        ("专科", Decimal("3000.50")),
    ]
    assert campaign.income_per_head_below == Decimal("1200.00") and campaign.publicity_days == 7
    event = AuditEvent.objects.get(action="assistance.aid_campaign.created")
    assert event.object_id == str(campaign.pk) and event.changes["tiers"] == [["本科", "5000.00"], ["专科", "3000.50"]]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"tiers": []}, "tiers"),
        ({"tiers": [("本科", "0")]}, "tiers"),
        ({"tiers": [("本科", "-100")]}, "tiers"),
        ({"tiers": [("本科", "100.005")]}, "tiers"),
        ({"tiers": [("本科", "abc")]}, "tiers"),
        ({"tiers": [("本科", "100"), ("本科", "200")]}, "tiers"),
        ({"tiers": [("", "100")]}, "tiers"),
        ({"name": "  "}, "name"),
        ({"year": 1999}, "year"),
        ({"publicity_days": 0}, "publicity_days"),
        ({"publicity_days": 31}, "publicity_days"),
        ({"income_per_head_below": "0"}, "income_per_head_below"),
        ({"budget_line": None}, "budget_line"),
    ],
)
def test_bad_campaign_input_is_refused_and_nothing_is_written(centre, overrides, field):
    exc = refused(services.aid_campaign_create, actor=centre["officer_union"], **campaign_args(centre, **overrides))
    assert field in exc.message_dict
    assert not AidCampaign.objects.exists() and not AidTier.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assistance.aid_campaign").exists()


def test_a_campaign_window_must_be_in_order(centre):
    today = centre["today"]
    exc = refused(
        services.aid_campaign_create,
        actor=centre["officer_union"],
        **campaign_args(centre, opens_on=today, closes_on=today - datetime.timedelta(days=1)),
    )
    assert exc.message_dict["closes_on"] == ["Applications must close on or after the day they open."]


def test_the_budget_line_must_be_held_by_the_campaign_unit_or_below(centre):
    union = centre["union"]
    s2_line = BudgetLine.objects.create(
        unit=union["s2"], unit_path=union["s2"].path, name="二站", fund_source="union_funds", year=2025, amount=1000
    )
    exc = refused(
        services.aid_campaign_create,
        actor=centre["chair"],
        **campaign_args(centre, unit=union["s1"], budget_line=s2_line),
    )
    assert "budget_line" in exc.message_dict
    exc = refused(
        services.aid_campaign_create,
        actor=centre["chair"],
        **campaign_args(centre, unit=union["s1"], budget_line=centre["budget_line"]),  # the union's line
    )
    assert "budget_line" in exc.message_dict
    # A union campaign may use a branch's line (the union holds it through its subtree).
    assert services.aid_campaign_create(actor=centre["chair"], **campaign_args(centre, budget_line=s2_line)).pk


def test_campaign_names_are_unique_per_unit_and_year(centre):
    services.aid_campaign_create(actor=centre["officer_union"], **campaign_args(centre))
    exc = refused(services.aid_campaign_create, actor=centre["officer_union"], **campaign_args(centre))
    assert "name" in exc.message_dict and AidCampaign.objects.count() == 1


@pytest.mark.parametrize("who", ["cadre", "member", "officer_s1", "auditor", "admin"])
def test_only_aid_managers_of_the_unit_set_up_campaigns(centre, who):
    with pytest.raises(PermissionRefused) as exc:
        services.aid_campaign_create(actor=centre[who], **campaign_args(centre))
    assert exc.value.permission == "assistance.manage_aid"
    assert not AidCampaign.objects.exists()


def test_a_draft_can_be_changed_and_an_open_campaign_cannot(centre):
    campaign = services.aid_campaign_create(actor=centre["officer_union"], **campaign_args(centre))
    services.aid_campaign_update(
        actor=centre["officer_union"],
        campaign=campaign,
        **{k: v for k, v in campaign_args(centre, tiers=[("研究生", "6000")], name="新名称").items() if k != "unit"},
    )
    campaign.refresh_from_db()
    assert campaign.name == "新名称" and [t.name for t in campaign.tiers.all()] == ["研究生"]
    assert AuditEvent.objects.get(action="assistance.aid_campaign.updated").changes["name"] == [
        "2025 金秋助学",
        "新名称",
    ]
    services.aid_campaign_open(actor=centre["officer_union"], campaign=campaign)
    exc = refused(
        services.aid_campaign_update,
        actor=centre["officer_union"],
        campaign=campaign,
        **{k: v for k, v in campaign_args(centre).items() if k != "unit"},
    )
    assert exc.messages == ["Only a draft campaign can be changed."]


def test_campaign_transitions_happen_in_order(aid):
    campaign, officer = aid["campaign"], aid["officer_union"]
    for step in (services.aid_campaign_open, services.aid_campaign_start_paying, services.aid_campaign_finish):
        assert "cannot be done while the campaign is" in messages_of(refused(step, actor=officer, campaign=campaign))
    assert "cannot be done" in messages_of(refused(services.aid_campaign_publish, actor=officer, campaign=campaign))
    services.aid_campaign_close(actor=officer, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.state == AidCampaign.State.REVIEW
    event = AuditEvent.objects.get(action="assistance.aid_campaign.closed")
    assert event.changes["state"] == ["open", "review"]


def test_a_campaign_whose_window_has_passed_cannot_be_opened(centre):
    campaign = aid_records.campaign(centre, state="draft", opens_in=-20, closes_in=-1)
    exc = refused(services.aid_campaign_open, actor=centre["officer_union"], campaign=campaign)
    assert "closes_on" in exc.message_dict
    campaign.refresh_from_db()
    assert campaign.state == "draft"


def test_a_branch_officer_cannot_run_the_union_campaign_and_other_unions_cannot_see_it(aid):
    with pytest.raises(PermissionRefused):  # sees it (to review their branch) but may not run it
        services.aid_campaign_close(actor=aid["officer_s1"], campaign=aid["campaign"])
    other = factories.unit(None, "其他工会", "union")
    stranger = factories.user("stranger", roles=(("assistance_officer", other),))
    with pytest.raises(OutOfScope):
        services.aid_campaign_close(actor=stranger, campaign=aid["campaign"])


# --- applying ------------------------------------------------------------------------------------


def test_a_member_applies_for_their_child(aid):
    number = aid_records.child_id(1)
    application = submit(aid, child_id_number=number.lower() if number.endswith("X") else number)
    assert application.status == AidApplication.Status.SUBMITTED
    assert application.member == aid["member_record"] and application.unit_path == aid["member_record"].unit_path
    assert application.amount == Decimal("5000.00") and application.child_key == keyed_digest(number)
    assert AidApplication.objects.get(pk=application.pk).child_id_number == number
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT child_id_number FROM assistance_aidapplication WHERE id = %s", [application.pk])
        stored = cursor.fetchone()[0]
    assert number not in stored and number[-4:] not in stored
    event = AuditEvent.objects.get(action="assistance.aid_application.submitted")
    assert event.changes["child_id_number"] == mask_id_number(number)
    assert number not in str(event.changes) and number not in event.object_repr


def test_the_proof_is_stored_with_the_application(aid, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    application = submit(aid, proof=SimpleUploadedFile("录取通知书.png", PNG, content_type="image/png"))
    document = Document.objects.get(aid_application=application)
    assert document.kind == Document.Kind.ADMISSION and document.size == len(PNG)


def test_a_wrong_proof_file_stops_the_whole_application(aid, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path
    exc = refused(submit, aid, proof=SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 10))
    assert "upload" in exc.message_dict
    assert not AidApplication.objects.exists()


@pytest.mark.parametrize(
    "opens_in, closes_in, message",
    [(1, 10, "Applications open on"), (-10, -1, "Applications closed on")],
)
def test_applying_outside_the_window_is_refused(centre, opens_in, closes_in, message):
    centre["campaign"] = aid_records.campaign(centre, opens_in=opens_in, closes_in=closes_in)
    exc = refused(submit, centre)
    assert exc.messages[0].startswith(message) and not AidApplication.objects.exists()


@pytest.mark.parametrize("state", ["review", "publicity", "paying", "closed"])
def test_applying_to_a_campaign_that_is_not_open_is_refused(centre, state):
    centre["campaign"] = aid_records.campaign(centre, state=state)
    assert refused(submit, centre).messages == ["This campaign is not taking applications."]


def test_a_draft_campaign_is_not_found_by_members(centre):
    centre["campaign"] = aid_records.campaign(centre, state="draft")
    with pytest.raises(OutOfScope):
        submit(centre)


@pytest.mark.parametrize("opens_in, closes_in, accepted", [(0, 10, True), (-10, -1, False)])
def test_the_window_follows_the_local_date(centre, settings, monkeypatch, opens_in, closes_in, accepted):
    """01:00 on 1 September in Shanghai is still 31 August in UTC: the local date decides."""
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime.datetime(2025, 9, 1, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    assert timezone.localdate() == datetime.date(2025, 9, 1)
    centre["campaign"] = aid_records.campaign(centre, opens_in=opens_in, closes_in=closes_in)
    if accepted:
        assert submit(centre).pk
    else:
        assert refused(submit, centre).messages == ["Applications closed on 2025-08-31."]


def test_admission_this_year_is_checked(aid):
    exc = refused(submit, aid, admitted_year=aid["campaign"].year - 1)
    assert exc.message_dict["admitted_year"] == [
        f"This campaign is for children admitted to university in {aid['campaign'].year}."
    ]
    aid["campaign"].require_admission_this_year = False
    aid["campaign"].save()
    assert submit(aid, admitted_year=aid["campaign"].year - 1).admitted_year == aid["campaign"].year - 1


def test_an_active_hardship_file_is_required_when_the_campaign_asks(aid):
    aid["campaign"].require_active_file = True
    aid["campaign"].save()
    exc = refused(submit, aid)
    assert "active hardship file, and you have none" in messages_of(exc)
    records.hardship_file(aid["member_record"], state="submitted")  # not active yet
    assert "active hardship file, and you have none" in messages_of(refused(submit, aid))
    aid["member_record"].hardship_files.update(state="active")
    application = submit(aid)
    assert application.hardship_file == aid["member_record"].hardship_files.get()
    assert application.income_per_head == Decimal("1000.00")


def test_income_per_head_is_taken_from_the_active_file(aid):
    campaign = aid["campaign"]
    campaign.income_per_head_below = Decimal("800.00")
    campaign.save()
    exc = refused(submit, aid)
    assert "no active hardship file to show your income" in messages_of(exc)
    records.hardship_file(aid["member_record"])  # 1,000 yuan a head
    exc = refused(submit, aid)
    assert "below 800.00 yuan a month; your hardship file shows 1000.00 yuan." in messages_of(exc)
    campaign.income_per_head_below = Decimal("1200.00")
    campaign.save()
    assert submit(aid).income_per_head == Decimal("1000.00")


def test_an_active_file_or_low_income_either_qualifies(aid):
    campaign = aid["campaign"]
    campaign.require_active_file, campaign.income_per_head_below = True, Decimal("500.00")
    campaign.save()
    assert "active hardship file or a household income per head below 500.00" in messages_of(refused(submit, aid))
    records.hardship_file(aid["member_record"])  # income 1,000 is above 500, but the file is active
    assert submit(aid).pk


def test_a_member_cannot_apply_twice_for_the_same_child(aid):
    first = submit(aid)
    exc = refused(submit, aid, child_name="张小明", tier=aid["campaign"].tiers.order_by("amount").first())
    assert exc.message_dict["child_id_number"] == ["You have already applied for this child in this campaign."]
    assert list(AidApplication.objects.values_list("pk", flat=True)) == [first.pk]
    assert submit(aid, n=2, child_name="张小红").pk  # another child is fine


def test_two_parents_cannot_both_apply_for_one_child(aid):
    submit(aid)
    exc = refused(submit, aid, actor=aid["parent2"])
    assert "already has an application in this campaign, perhaps made by the other parent" in messages_of(exc)
    assert AidApplication.objects.count() == 1


def test_after_withdrawing_the_child_can_be_applied_for_again(aid):
    first = submit(aid)
    services.aid_application_withdraw(actor=aid["member"], application=first)
    assert submit(aid, actor=aid["parent2"]).member == aid["other_s1"]


def test_a_race_between_two_parents_ends_in_the_same_clear_error(aid, monkeypatch):
    """The check before writing passes for both; the database constraint stops the second."""
    submit(aid)
    monkeypatch.setattr(services, "_child_taken", lambda campaign, child_key: False)
    exc = refused(submit, aid, actor=aid["parent2"])
    assert "already has an application in this campaign" in messages_of(exc)
    assert AidApplication.objects.count() == 1


@pytest.mark.parametrize(
    "number, message",
    [
        ("123", "An ID number has 18 characters"),
        ("43060220070301001", "An ID number has 18 characters"),
        ("", "An ID number has 18 characters"),
    ],
)
def test_an_invalid_child_id_number_is_refused(aid, number, message):
    exc = refused(submit, aid, child_id_number=number)
    assert message in " ".join(exc.message_dict["child_id_number"])
    assert not AidApplication.objects.exists()


def test_a_wrong_check_digit_is_refused(aid):
    number = aid_records.child_id(1)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    exc = refused(submit, aid, child_id_number=wrong)
    assert exc.message_dict["child_id_number"] == ["The ID number's check digit is wrong."]
    assert not AuditEvent.objects.filter(action__startswith="assistance.aid_application").exists()


def test_the_member_s_own_id_number_is_not_a_child_s(aid):
    exc = refused(submit, aid, child_id_number=aid["member_record"].id_number)
    assert exc.message_dict["child_id_number"] == ["Enter your child's ID number, not your own."]


def test_each_field_is_checked(aid):
    other_campaign = aid_records.campaign(aid, name="另一个")
    exc = refused(
        submit,
        aid,
        child_name="",
        school="x" * 101,
        admitted_year=1990,
        tier=other_campaign.tiers.first(),
    )
    assert set(exc.message_dict) == {"child_name", "school", "admitted_year", "tier"}


def test_a_member_of_another_union_cannot_apply(aid):
    other = factories.unit(None, "其他工会", "union")
    outsider = factories.user("outsider", member=factories.member(other, "赵六"))
    with pytest.raises(OutOfScope):
        submit(aid, actor=outsider)


def test_a_cadre_without_a_member_record_cannot_apply(aid):
    assert refused(submit, aid, actor=aid["officer_union"]).messages == [
        "Only members apply for education aid, for their own children."
    ]


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


# --- publicity and objections --------------------------------------------------------------------


def to_publicity(aid) -> AidApplication:
    application = approved(aid)
    services.aid_campaign_close(actor=aid["officer_union"], campaign=aid["campaign"])
    services.aid_campaign_publish(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    return application


def end_publicity(campaign: AidCampaign) -> None:
    AidCampaign.objects.filter(pk=campaign.pk).update(
        publicity_starts_on=campaign.publicity_starts_on - datetime.timedelta(days=10),
        publicity_ends_on=campaign.publicity_ends_on - datetime.timedelta(days=10),
    )
    campaign.refresh_from_db()


def test_publishing_needs_every_application_decided(aid):
    approved(aid, n=1)
    waiting = submit(aid, n=2, child_name="张小红")
    services.aid_campaign_close(actor=aid["officer_union"], campaign=aid["campaign"])
    exc = refused(services.aid_campaign_publish, actor=aid["officer_union"], campaign=aid["campaign"])
    assert exc.messages == ["1 application is still waiting for review or approval. Decide on it first."]
    services.aid_application_reject(actor=aid["officer_s1"], application=waiting, reason="不符合条件")
    campaign = services.aid_campaign_publish(actor=aid["officer_union"], campaign=aid["campaign"])
    assert campaign.state == "publicity" and campaign.publicity_starts_on == aid["today"]
    assert campaign.publicity_ends_on == aid["today"] + datetime.timedelta(days=campaign.publicity_days - 1)


def test_paying_waits_for_the_end_of_publicity(aid):
    to_publicity(aid)
    exc = refused(services.aid_campaign_start_paying, actor=aid["officer_union"], campaign=aid["campaign"])
    assert "Payment can start the day after" in exc.messages[0]
    end_publicity(aid["campaign"])
    assert services.aid_campaign_start_paying(actor=aid["officer_union"], campaign=aid["campaign"]).state == "paying"


def test_an_open_objection_holds_payment_and_a_dismissed_one_does_not(aid):
    application = to_publicity(aid)
    objection = services.aid_objection_record(
        actor=aid["officer_s1"], application=application, summary="家庭收入不实", raised_by="匿名"
    )
    assert objection.unit_path == application.unit_path and objection.resolution == "open"
    end_publicity(aid["campaign"])
    exc = refused(services.aid_campaign_start_paying, actor=aid["officer_union"], campaign=aid["campaign"])
    assert exc.messages == ["1 objection is not resolved yet. Resolve it before paying."]
    exc = refused(services.aid_objection_resolve, actor=aid["chair"], objection=objection, resolution="open", note="x")
    assert "resolution" in exc.message_dict
    services.aid_objection_resolve(actor=aid["chair"], objection=objection, resolution="dismissed", note="经核实无误")
    application.refresh_from_db()
    assert application.status == "approved"
    assert services.aid_campaign_start_paying(actor=aid["officer_union"], campaign=aid["campaign"]).state == "paying"
    exc = refused(
        services.aid_objection_resolve, actor=aid["chair"], objection=objection, resolution="upheld", note="x"
    )
    assert exc.messages == ["This objection is already resolved."]


def test_an_upheld_objection_rejects_the_application_and_releases_its_money(aid):
    application = to_publicity(aid)
    objection = services.aid_objection_record(actor=aid["officer_union"], application=application, summary="重复申请")
    services.aid_objection_resolve(actor=aid["chair"], objection=objection, resolution="upheld", note="经核实属实")
    application.refresh_from_db()
    assert application.status == "rejected" and application.decision_note == "经核实属实"
    assert line_state(aid["budget_line"]) == (Decimal("0.00"), Decimal("0.00"))
    assert Notification.objects.filter(recipient=aid["member"], kind="assistance.aid.rejected").exists()
    assert Objection.objects.get().resolved_by == aid["chair"]


def test_after_publishing_only_an_objection_rejects(aid):
    application = to_publicity(aid)
    exc = refused(services.aid_application_reject, actor=aid["chair"], application=application, reason="x")
    assert "record an objection and uphold it" in exc.messages[0]


def test_objections_are_only_for_approved_applications_in_publicity(aid):
    application = submit(aid)
    exc = refused(services.aid_objection_record, actor=aid["officer_union"], application=application, summary="x")
    assert "during the publicity period" in exc.messages[0]
    assert not Objection.objects.exists()


def test_objections_are_refused_to_other_roles(aid):
    application = to_publicity(aid)
    with pytest.raises(OutOfScope):
        services.aid_objection_record(actor=aid["officer_s2"], application=application, summary="x")
    with pytest.raises(PermissionRefused):
        services.aid_objection_record(actor=aid["member"], application=application, summary="x")


# --- payment -------------------------------------------------------------------------------------


def to_paying(aid, n: int = 1) -> list[AidApplication]:
    applications = [approved(aid, n=i) for i in range(1, n + 1)]
    services.aid_campaign_close(actor=aid["officer_union"], campaign=aid["campaign"])
    services.aid_campaign_publish(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    end_publicity(aid["campaign"])
    services.aid_campaign_start_paying(actor=aid["officer_union"], campaign=aid["campaign"])
    aid["campaign"].refresh_from_db()
    return applications


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


def test_the_parents_consent_is_recorded_with_the_application(aid):
    application = submit(aid)
    consent = ConsentRecord.objects.get(member=aid["member_record"])
    assert consent.method == "online" and consent.recorded_by == aid["member"] and consent.file is None
    assert "ID number" in consent.purpose or "身份证" in consent.purpose
    assert application.member == consent.member


def test_no_consent_no_application(aid):
    error = refused(submit, aid, consent=False)
    assert "consent" in error.message_dict
    assert not AidApplication.objects.exists() and not ConsentRecord.objects.exists()
