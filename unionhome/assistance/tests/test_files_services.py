"""Hardship files through their services: opening with consent, household figures and levels, editing a
draft, every transition of the workflow and its guards, objections, the publicity sweep, re-review and exit,
notifications and audit events, and each role the policy refuses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import (
    AssistanceSettings,
    ConsentRecord,
    FileEvent,
    HardshipFile,
    HouseholdMember,
    Objection,
    ReReview,
)
from unionhome.assistance.services import files as services
from unionhome.assistance.tests.file_records import apply, household, person, walk
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification

D = datetime.date


def nothing_written():
    assert not HardshipFile.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not HouseholdMember.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="assistance.file").exists()


def history(file) -> list[tuple[str, str, str]]:
    return list(FileEvent.objects.filter(file=file).values_list("action", "from_state", "to_state"))


def notices(centre) -> list[str]:
    return list(Notification.objects.filter(recipient=centre["member"]).order_by("id").values_list("kind", flat=True))


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


# --- the whole way -------------------------------------------------------------------------------


def test_a_file_goes_the_whole_way(centre):
    member_user, officer, approver = centre["member"], centre["officer_s1"], centre["officer_union"]
    file = apply(member_user, centre["member_record"])
    services.file_submit(actor=member_user, file=file)
    services.file_branch_review(actor=officer, file=file, level="deep", note="情况属实")
    monday = D(2026, 3, 2)
    services.file_approve(actor=approver, file=file, today=monday)
    file.refresh_from_db()
    assert (file.state, file.level, file.branch_reviewed_by, file.approved_by) == (
        "publicity",
        "deep",
        officer,
        approver,
    )
    assert (file.publicity_starts_on, file.publicity_ends_on) == (monday, D(2026, 3, 6))  # 5 days, inclusive
    services.file_activate(actor=officer, file=file, today=D(2026, 3, 7))
    file.refresh_from_db()
    assert (file.state, file.activated_on, file.next_review_due) == ("active", D(2026, 3, 7), D(2027, 3, 7))
    review = services.file_re_review(
        actor=officer, file=file, outcome="continue", level="relative", today=D(2027, 3, 1)
    )
    file.refresh_from_db()
    assert (review.due_on, review.done_on, review.level) == (D(2027, 3, 7), D(2027, 3, 1), "relative")
    assert (file.state, file.level, file.next_review_due) == ("active", "relative", D(2028, 3, 1))
    services.file_exit(actor=officer, file=file, reason="子女工作，家庭收入提高", today=D(2027, 6, 1))
    file.refresh_from_db()
    assert (file.state, file.closed_on, file.close_reason, file.next_review_due) == (
        "exited",
        D(2027, 6, 1),
        "子女工作，家庭收入提高",
        None,
    )
    assert history(file) == [
        ("open", "", "draft"),
        ("submit", "draft", "submitted"),
        ("branch_review", "submitted", "branch_reviewed"),
        ("approve", "branch_reviewed", "publicity"),
        ("activate", "publicity", "active"),
        ("re_review", "active", "active"),
        ("exit", "active", "exited"),
    ]
    assert FileEvent.objects.get(file=file, action="branch_review").note == "情况属实"
    assert notices(centre) == [
        "assistance.file.branch_review",
        "assistance.file.approve",
        "assistance.file.activate",
        "assistance.file.re_review",
        "assistance.file.exit",
    ]
    actions = set(AuditEvent.objects.filter(object_id=str(file.pk)).values_list("action", flat=True))
    assert {
        "assistance.file.created",
        "assistance.file.submit",
        "assistance.file.branch_review",
        "assistance.file.approve",
        "assistance.file.activate",
        "assistance.file.re_review",
        "assistance.file.exit",
    } <= actions
    assert AuditEvent.objects.get(action="assistance.file.approve").changes["state"] == ["branch_reviewed", "publicity"]


def test_the_publicity_period_follows_the_unions_setting(centre):
    AssistanceSettings.objects.filter(union=centre["union"]["union"]).update(publicity_days=7, re_review_months=6)
    file = walk(centre, "publicity", today=D(2026, 1, 31))
    assert file.publicity_ends_on == D(2026, 2, 6)
    services.file_activate(actor=centre["officer_union"], file=file, today=D(2026, 2, 7))
    assert HardshipFile.objects.get(pk=file.pk).next_review_due == D(2026, 8, 7)


def test_a_cadre_submits_for_the_member_and_the_member_is_told(centre):
    file = apply(centre["officer_s1"], centre["member_record"])
    services.file_submit(actor=centre["officer_s1"], file=file)
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"
    assert notices(centre) == ["assistance.file.open", "assistance.file.submit"]


def test_return_to_the_applicant_needs_a_note_and_reopens_the_draft(centre):
    file = walk(centre, "submitted")
    with pytest.raises(ValidationError) as exc:
        services.file_return(actor=centre["officer_s1"], file=file, note=" ")
    assert exc.value.message_dict["note"] == ["Give a reason; the applicant will see it."]
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"
    services.file_return(actor=centre["officer_s1"], file=file, note="请补充孩子的在读证明")
    assert HardshipFile.objects.get(pk=file.pk).state == "draft"
    assert FileEvent.objects.filter(file=file).last().note == "请补充孩子的在读证明"
    services.file_update(actor=centre["member"], file=file, situation="已补充材料")
    services.file_submit(actor=centre["member"], file=file)
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"


def test_rejection_gives_the_applicant_the_reason(centre):
    file = walk(centre, "submitted")
    with pytest.raises(ValidationError) as exc:
        services.file_reject(actor=centre["officer_s1"], file=file, reason="")
    assert "reason" in exc.value.message_dict
    services.file_reject(actor=centre["officer_s1"], file=file, reason="人均收入高于相对困难标准")
    file.refresh_from_db()
    assert (file.state, file.close_reason) == ("rejected", "人均收入高于相对困难标准")
    assert notices(centre)[-1] == "assistance.file.reject"


def test_after_branch_review_only_the_union_rejects(centre):
    file = walk(centre, "branch_reviewed")
    with pytest.raises(PermissionRefused) as exc:
        services.file_reject(actor=centre["officer_s1"], file=file, reason="x")
    assert exc.value.permission == "assistance.approve_file"
    services.file_reject(actor=centre["chair"], file=file, reason="不符合条件")
    assert HardshipFile.objects.get(pk=file.pk).state == "rejected"


# --- guards --------------------------------------------------------------------------------------


def assert_unchanged(file, state):
    fresh = HardshipFile.objects.get(pk=file.pk)
    assert fresh.state == state
    assert FileEvent.objects.filter(file=file).count() == len(history(file))
    return fresh


def test_approval_before_branch_review_is_refused(centre):
    file = walk(centre, "submitted")
    events = FileEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.file_approve(actor=centre["officer_union"], file=file)
    assert exc.value.messages == [
        "“Approve for the union and start publicity” is not possible while the file is “Awaiting branch review”."
    ]
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted" and FileEvent.objects.count() == events


def test_approval_needs_the_permission_on_the_union_not_only_the_branch(centre):
    file = walk(centre, "branch_reviewed")
    other_officer = factories.user("officer_s1b", roles=(("assistance_officer", centre["union"]["s1"]),))
    with pytest.raises(PermissionRefused) as exc:
        services.file_approve(actor=other_officer, file=file)
    assert exc.value.permission == "assistance.approve_file"
    assert HardshipFile.objects.get(pk=file.pk).state == "branch_reviewed"


def test_the_branch_reviewer_cannot_also_approve(centre):
    file = walk(centre, "submitted")
    services.file_branch_review(actor=centre["officer_union"], file=file, level="deep")
    with pytest.raises(ValidationError, match="another cadre must give the union's approval"):
        services.file_approve(actor=centre["officer_union"], file=file)
    services.file_approve(actor=centre["chair"], file=file)
    assert HardshipFile.objects.get(pk=file.pk).state == "publicity"


def test_branch_review_needs_a_level(centre):
    file = apply(centre["member"], centre["member_record"], household=household("9000.00"), causes=["illness"])
    services.file_submit(actor=centre["member"], file=file)
    with pytest.raises(ValidationError) as exc:
        services.file_branch_review(actor=centre["officer_s1"], file=file)
    assert exc.value.message_dict["level"] == ["Choose the level of hardship first."]
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"
    services.file_branch_review(actor=centre["officer_s1"], file=file, level="relative")
    assert HardshipFile.objects.get(pk=file.pk).level == "relative"


def test_activation_waits_for_the_end_of_publicity(centre):
    file = walk(centre, "publicity", today=D(2026, 3, 2))
    for day in (D(2026, 3, 2), D(2026, 3, 6)):
        with pytest.raises(ValidationError, match="runs until 2026-03-06"):
            services.file_activate(actor=centre["officer_union"], file=file, today=day)
    assert HardshipFile.objects.get(pk=file.pk).state == "publicity"


def test_activation_waits_for_open_objections(centre):
    file = walk(centre, "publicity", today=D(2026, 3, 2))
    objection = services.objection_record(actor=centre["officer_s1"], file=file, summary="其家属有经营收入")
    with pytest.raises(ValidationError, match="objection to this file is still open"):
        services.file_activate(actor=centre["officer_union"], file=file, today=D(2026, 3, 9))
    services.objection_resolve(
        actor=centre["officer_union"], objection=objection, resolution="dismissed", note="经核实，已停业"
    )
    services.file_activate(actor=centre["officer_union"], file=file, today=D(2026, 3, 9))
    assert HardshipFile.objects.get(pk=file.pk).state == "active"


@pytest.mark.parametrize("closed", ["rejected", "exited"])
def test_nothing_more_happens_to_a_closed_file(centre, closed):
    file = walk(centre, "active")
    if closed == "exited":
        services.file_exit(actor=centre["officer_s1"], file=file, reason="已脱困")
    else:
        HardshipFile.objects.filter(pk=file.pk).update(state="rejected")
    events = FileEvent.objects.count()
    steps = [
        lambda: services.file_submit(actor=centre["member"], file=file),
        lambda: services.file_branch_review(actor=centre["officer_s1"], file=file, level="deep"),
        lambda: services.file_approve(actor=centre["chair"], file=file),
        lambda: services.file_activate(actor=centre["chair"], file=file),
        lambda: services.file_exit(actor=centre["chair"], file=file, reason="x"),
        lambda: services.file_re_review(actor=centre["chair"], file=file, outcome="continue"),
    ]
    for step in steps:
        with pytest.raises(ValidationError, match="This file is closed"):
            step()
    assert FileEvent.objects.count() == events


def test_nobody_decides_on_their_own_file(centre, union):
    officer_member = factories.user(
        "officer_li", member=centre["other_s1"], roles=(("assistance_officer", union["s1"]),)
    )
    file = apply(officer_member, centre["other_s1"])
    services.file_submit(actor=officer_member, file=file)
    with pytest.raises(ValidationError, match="cannot decide on your own file"):
        services.file_branch_review(actor=officer_member, file=file, level="deep")
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"


@pytest.mark.parametrize(
    "who, error",
    [
        ("member", PermissionRefused),  # the applicant sees the file but reviews nothing
        ("cadre", OutOfScope),  # branch cadres do not see hardship files at all
        ("officer_s2", OutOfScope),
        ("auditor", OutOfScope),
        ("admin", OutOfScope),
    ],
)
def test_who_may_not_review(centre, who, error):
    file = walk(centre, "submitted")
    with pytest.raises(error):
        services.file_branch_review(actor=centre[who], file=file, level="deep")
    with pytest.raises(error):
        services.file_reject(actor=centre[who], file=file, reason="x")
    assert HardshipFile.objects.get(pk=file.pk).state == "submitted"


def test_another_member_cannot_submit_a_draft(centre):
    file = apply(centre["member"], centre["member_record"])
    other = factories.user("lisi", member=centre["other_s1"])
    with pytest.raises(OutOfScope):
        services.file_submit(actor=other, file=file)


# --- objections ----------------------------------------------------------------------------------


def test_an_upheld_objection_rejects_the_file_with_it_as_the_reason(centre):
    file = walk(centre, "publicity")
    objection = services.objection_record(
        actor=centre["officer_s1"], file=file, summary="申请人隐瞒了房租收入", raised_by="同班组职工"
    )
    assert (objection.unit_path, objection.recorded_by) == (file.unit_path, centre["officer_s1"])
    services.objection_resolve(actor=centre["chair"], objection=objection, resolution="upheld", note="经核实属实")
    file.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.resolution, objection.resolved_by) == ("upheld", centre["chair"])
    assert (file.state, file.close_reason) == ("rejected", "申请人隐瞒了房租收入")
    assert history(file)[-1] == ("uphold_objection", "publicity", "rejected")
    assert notices(centre)[-1] == "assistance.file.uphold_objection"
    assert AuditEvent.objects.filter(action="assistance.objection.resolved", object_id=str(objection.pk)).exists()


def test_objections_only_during_publicity(centre):
    file = walk(centre, "branch_reviewed")
    with pytest.raises(ValidationError, match="during the publicity period"):
        services.objection_record(actor=centre["officer_s1"], file=file, summary="x")
    assert not Objection.objects.exists()


def test_an_objection_needs_its_content(centre):
    file = walk(centre, "publicity")
    with pytest.raises(ValidationError) as exc:
        services.objection_record(actor=centre["officer_s1"], file=file, summary="  ")
    assert "summary" in exc.value.message_dict
    assert not Objection.objects.exists()


@pytest.mark.parametrize("who, error", [("cadre", OutOfScope), ("officer_s2", OutOfScope), ("member", OutOfScope)])
def test_who_may_not_record_an_objection(centre, who, error):
    file = walk(centre, "publicity")
    with pytest.raises(error):
        services.objection_record(actor=centre[who], file=file, summary="x")
    assert not Objection.objects.exists()


def test_objections_are_decided_at_union_level_once(centre):
    file = walk(centre, "publicity")
    objection = services.objection_record(actor=centre["officer_s1"], file=file, summary="有异议")
    with pytest.raises(PermissionRefused):
        services.objection_resolve(actor=centre["officer_s1"], objection=objection, resolution="dismissed", note="x")
    with pytest.raises(ValidationError) as exc:
        services.objection_resolve(actor=centre["chair"], objection=objection, resolution="maybe", note="x")
    assert "resolution" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.objection_resolve(actor=centre["chair"], objection=objection, resolution="dismissed", note="")
    assert "resolution_note" in exc.value.message_dict
    services.objection_resolve(actor=centre["chair"], objection=objection, resolution="dismissed", note="不属实")
    with pytest.raises(ValidationError, match="already been resolved"):
        services.objection_resolve(actor=centre["chair"], objection=objection, resolution="upheld", note="x")
    assert HardshipFile.objects.get(pk=file.pk).state == "publicity"


# --- the daily sweep -----------------------------------------------------------------------------


def test_the_publicity_sweep_activates_files_whose_period_ended_without_objection(centre, union):
    ended = walk(centre, "publicity", today=D(2026, 3, 2))  # period 2–6 March
    objected = walk(centre, "publicity", member=centre["other_s1"], today=D(2026, 3, 2))
    services.objection_record(actor=centre["officer_s1"], file=objected, summary="有异议")
    running = walk(centre, "publicity", member=centre["s2_member"], today=D(2026, 3, 5))  # until 9 March
    assert services.files_publicity_sweep(today=D(2026, 3, 7)) == [ended.pk]
    states = dict(HardshipFile.objects.values_list("pk", "state"))
    assert states == {ended.pk: "active", objected.pk: "publicity", running.pk: "publicity"}
    event = FileEvent.objects.get(file=ended, action="activate")
    assert event.actor is None
    audit = AuditEvent.objects.get(action="assistance.file.activate", object_id=str(ended.pk))
    assert audit.actor is None and audit.actor_label == ""
    assert services.files_publicity_sweep(today=D(2026, 3, 7)) == []  # nothing twice
    assert FileEvent.objects.filter(file=ended, action="activate").count() == 1


# --- re-review and exit --------------------------------------------------------------------------


def test_a_re_review_may_end_in_exit(centre):
    file = walk(centre, "active")
    with pytest.raises(ValidationError) as exc:
        services.file_re_review(actor=centre["officer_s1"], file=file, outcome="exit", notes="")
    assert "notes" in exc.value.message_dict
    services.file_re_review(actor=centre["officer_s1"], file=file, outcome="exit", notes="再就业，收入稳定")
    file.refresh_from_db()
    assert (file.state, file.close_reason) == ("exited", "再就业，收入稳定")
    assert ReReview.objects.get(file=file).outcome == "exit"
    assert history(file)[-1] == ("exit", "active", "exited")


def test_re_review_input_is_checked(centre):
    file = walk(centre, "active")
    with pytest.raises(ValidationError) as exc:
        services.file_re_review(actor=centre["officer_s1"], file=file, outcome="pause")
    assert "outcome" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.file_re_review(actor=centre["officer_s1"], file=file, outcome="continue", level="extreme")
    assert "level" in exc.value.message_dict
    assert not ReReview.objects.exists()


def test_re_review_continues_at_the_current_level_by_default(centre):
    file = walk(centre, "active")
    services.file_re_review(actor=centre["officer_s1"], file=file, outcome="continue", today=D(2030, 1, 31))
    file.refresh_from_db()
    assert (file.level, file.next_review_due) == ("relative", D(2031, 1, 31))


def test_exit_needs_a_reason_and_an_active_file(centre):
    file = walk(centre, "publicity")
    with pytest.raises(ValidationError, match="not possible while the file is"):
        services.file_exit(actor=centre["officer_s1"], file=file, reason="x")
    file = walk(centre, "active", member=centre["other_s1"])
    with pytest.raises(ValidationError) as exc:
        services.file_exit(actor=centre["officer_s1"], file=file, reason="")
    assert "reason" in exc.value.message_dict


@pytest.mark.parametrize("who, error", [("member", PermissionRefused), ("officer_s2", OutOfScope)])
def test_who_may_not_exit_a_file(centre, who, error):
    file = walk(centre, "active")
    with pytest.raises(error):
        services.file_exit(actor=centre[who], file=file, reason="x")


def test_add_months_keeps_to_the_end_of_short_months():
    assert services.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert services.add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert services.add_months(D(2026, 5, 15), 12) == D(2027, 5, 15)


# --- the table itself ----------------------------------------------------------------------------


def test_the_table_names_every_state_and_permission():
    from unionhome.access.permissions import PERMISSIONS

    states = set(HardshipFile.State.values)
    for transition in workflow.TRANSITIONS.values():
        assert transition.target in states
        assert set(transition.sources) <= states - workflow.CLOSED
        assert transition.permissions <= set(PERMISSIONS)
    reachable = {"draft"} | {t.target for t in workflow.TRANSITIONS.values()}
    assert reachable == states
