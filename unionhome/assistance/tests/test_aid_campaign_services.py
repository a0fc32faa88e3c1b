"""Education-aid campaign services: setting a campaign up (tiers, window, budget line, unique names), its
transitions and who may run it, then publicity and objections (publishing once all is decided, an open
objection holding payment, an upheld one rejecting), each denied role."""

import datetime
from decimal import Decimal

import pytest

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.models import AidCampaign, AidTier, BudgetLine, Objection
from unionhome.assistance.services import aid as services
from unionhome.assistance.tests import aid_records
from unionhome.assistance.tests.aid_steps import (
    approved,
    end_publicity,
    line_state,
    messages_of,
    refused,
    submit,
    to_publicity,
)
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification

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


# --- publicity and objections --------------------------------------------------------------------


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
