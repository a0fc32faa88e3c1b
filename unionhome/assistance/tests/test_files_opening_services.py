"""Hardship files through their services, opening and editing: consent, household figures and levels, one
open file per member, editing a draft, notifications and audit events, and each role the policy refuses."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.models import AssistanceSettings, ConsentRecord, HardshipFile, HouseholdMember
from unionhome.assistance.services import files as services
from unionhome.assistance.tests.file_checks import history, notices
from unionhome.assistance.tests.file_records import apply, household, person, walk
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification


def nothing_written():
    assert not HardshipFile.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not HouseholdMember.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assistance.file").exists()


# --- opening -------------------------------------------------------------------------------------


def test_member_applies_for_themselves_with_online_consent(centre):
    member = centre["member_record"]
    file = apply(centre["member"], member, household=household("2000.00", "0.00", "0.00"))
    assert file.state == "draft" and not file.opened_on_behalf and file.opened_by == centre["member"]
    assert (file.household_size, file.household_monthly_income, file.income_per_head) == (
        3,
        Decimal("2000.00"),
        Decimal("666.67"),
    )
    assert file.level == "deep"  # 666.67 < 800 (the union's default deep threshold)
    assert file.unit_path == member.unit_path and file.union == member.union
    consent = ConsentRecord.objects.get()
    assert (consent.member, consent.file, consent.method, consent.recorded_by) == (
        member,
        file,
        "online",
        centre["member"],
    )
    assert list(file.causes.values_list("cause", flat=True)) == ["low_income"]
    assert list(file.household.values_list("relation", flat=True)) == ["self", "child", "child"]
    assert history(file) == [("open", "", "draft")]
    event = AuditEvent.objects.get(action="assistance.file.created")
    assert event.object_id == str(file.pk) and event.changes["consent"] == "online"
    assert event.unit_path == member.unit_path
    assert notices(centre) == []  # nobody is told of their own step


def test_income_per_head_rounds_half_up(centre):
    # 1000.05 / 2 = 500.025 → 500.03 (banker's rounding would give 500.02)
    file = apply(centre["member"], centre["member_record"], household=household("1000.05", "0.00"))
    assert file.income_per_head == Decimal("500.03")


@pytest.mark.parametrize(
    "per_head, causes, level",
    [
        ("799.99", ["low_income"], "deep"),
        ("800.00", ["low_income"], "relative"),
        ("1599.99", ["illness"], "relative"),
        ("1600.00", ["illness"], ""),
        ("5000.00", ["disaster", "illness"], "sudden"),
    ],
)
def test_suggested_level_follows_the_unions_thresholds(centre, per_head, causes, level):
    file = apply(centre["member"], centre["member_record"], household=household(per_head), causes=causes)
    assert file.level == level


def test_thresholds_are_the_unions_own(centre):
    AssistanceSettings.objects.filter(union=centre["union"]["union"]).update(
        deep_hardship_below=Decimal("500.00"), relative_hardship_below=Decimal("700.00")
    )
    file = apply(centre["member"], centre["member_record"], household=household("1200.00", "0.00"))
    assert file.level == "relative"  # 600 per head: deep under the defaults
    services.file_update(actor=centre["member"], file=file, household=household("3000.00", "0.00"))
    assert HardshipFile.objects.get(pk=file.pk).level == ""  # 1500: relative under the defaults, not here


def test_cadre_opens_a_file_on_a_members_behalf(centre):
    member = centre["member_record"]
    file = apply(centre["officer_s1"], member, consent_method="in_person", level="sudden")
    assert file.opened_on_behalf and file.level == "sudden"
    assert ConsentRecord.objects.get(file=file).method == "in_person"
    assert notices(centre) == ["assistance.file.open"]
    notice = Notification.objects.get(recipient=centre["member"])
    assert notice.url == f"/assistance/files/{file.pk}/"


@pytest.mark.parametrize("method", [None, ""])
def test_no_consent_no_file(centre, method):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], consent_method=method)
    assert "No consent, no file" in exc.value.message_dict["consent_method"][0]
    nothing_written()


def test_consent_method_must_fit_who_applies(centre):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], consent_method="paper")
    assert "online" in exc.value.message_dict["consent_method"][0]
    with pytest.raises(ValidationError) as exc:
        apply(centre["officer_s1"], centre["member_record"], consent_method="online")
    assert "paper form or in person" in exc.value.message_dict["consent_method"][0]
    nothing_written()


def test_member_cannot_choose_their_own_level(centre):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], level="deep")
    assert "level" in exc.value.message_dict
    nothing_written()


@pytest.mark.parametrize(
    "rows, message",
    [
        ([], "List the people in the household"),
        ([person("child", "0.00", age=8)], "exactly once"),
        ([person("self"), person("self")], "exactly once"),
        ([person("self", age=131)], "Person 1: enter an age from 0 to 130"),
        ([person("self"), person("spouse", "-1.00")], "Person 2: enter the monthly income"),
        ([person("self", "100.005")], "at most two decimal places"),
        ([person("boss")], "Person 1: choose the relation"),
        ([person("self", health="fine")], "choose the state of health"),
        ([person("self") for _ in range(21)], "at most 20 people"),
        (["not a row"], "Person 1"),
    ],
)
def test_bad_household_rows_are_refused_and_nothing_is_written(centre, rows, message):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], household=rows)
    assert any(message in m for m in exc.value.message_dict["household"]), exc.value.message_dict
    nothing_written()


def test_every_wrong_field_is_named_at_once(centre):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], causes=[], situation="  ", household=[])
    assert set(exc.value.message_dict) == {"causes", "situation", "household"}
    nothing_written()


def test_unknown_cause_is_refused(centre):
    with pytest.raises(ValidationError) as exc:
        apply(centre["member"], centre["member_record"], causes=["laziness"])
    assert exc.value.message_dict["causes"] == ["Choose causes from the list."]
    nothing_written()


def test_one_open_file_per_member(centre):
    apply(centre["member"], centre["member_record"])
    with pytest.raises(ValidationError) as exc:
        apply(centre["officer_s1"], centre["member_record"])
    assert "already has an open hardship file" in exc.value.messages[0]
    assert HardshipFile.objects.count() == 1 and ConsentRecord.objects.count() == 1


def test_a_new_file_may_follow_a_closed_one(centre):
    file = walk(centre, "submitted")
    services.file_reject(actor=centre["officer_s1"], file=file, reason="收入超过标准")
    assert apply(centre["member"], centre["member_record"]).state == "draft"


def test_a_member_who_left_gets_no_file(centre):
    member = centre["other_s1"]
    member.status = "left"
    member.save()
    with pytest.raises(ValidationError, match="active or retired"):
        apply(centre["officer_s1"], member)
    nothing_written()


@pytest.mark.parametrize(
    "who, error",
    [
        ("cadre", PermissionRefused),  # a branch cadre does not open hardship files
        ("auditor", PermissionRefused),
        ("admin", PermissionRefused),
        ("officer_s2", OutOfScope),  # an officer of another station: the member is out of scope
    ],
)
def test_who_may_not_open_a_file_for_a_member(centre, who, error):
    with pytest.raises(error):
        apply(centre[who], centre["member_record"])
    nothing_written()


def test_a_member_cannot_apply_for_another(centre):
    with pytest.raises(PermissionRefused):
        apply(centre["member"], centre["other_s1"], consent_method="online")
    nothing_written()


# --- editing a draft -----------------------------------------------------------------------------


def test_member_changes_their_draft_and_figures_follow(centre):
    file = apply(centre["member"], centre["member_record"])
    services.file_update(
        actor=centre["member"], file=file, household=household("1000.00", "0.00", "0.00", "200.00"), causes=["illness"]
    )
    file.refresh_from_db()
    assert (file.household_size, file.income_per_head, file.level) == (4, Decimal("300.00"), "deep")
    assert list(file.causes.values_list("cause", flat=True)) == ["illness"]
    event = AuditEvent.objects.get(action="assistance.file.updated")
    assert event.changes["fields"] == ["causes", "household", "level"]
    assert event.changes["level"] == ["relative", "deep"]


def test_a_cadre_sets_the_level_of_a_draft(centre):
    file = apply(centre["member"], centre["member_record"])
    services.file_update(actor=centre["officer_s1"], file=file, level="sudden")
    assert HardshipFile.objects.get(pk=file.pk).level == "sudden"


def test_only_a_draft_can_be_changed(centre):
    file = walk(centre, "submitted")
    with pytest.raises(ValidationError, match="Only a draft"):
        services.file_update(actor=centre["member"], file=file, situation="改了")
    assert HardshipFile.objects.get(pk=file.pk).situation != "改了"


def test_bad_update_changes_nothing(centre):
    file = apply(centre["member"], centre["member_record"])
    with pytest.raises(ValidationError):
        services.file_update(actor=centre["member"], file=file, household=[person("child")], situation="新情况")
    file.refresh_from_db()
    assert file.household_size == 2 and file.situation != "新情况"
    assert not AuditEvent.objects.filter(action="assistance.file.updated").exists()


@pytest.mark.parametrize("who", ["cadre", "officer_s2", "admin", "auditor"])
def test_others_cannot_see_a_draft_to_change_it(centre, who):
    file = apply(centre["member"], centre["member_record"])
    with pytest.raises(OutOfScope):
        services.file_update(actor=centre[who], file=file, situation="x")
