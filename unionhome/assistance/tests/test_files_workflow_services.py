"""Hardship files through their services, the workflow: every transition from submission to exit and its
guards (order, maker-checker, publicity, closed files, own files), notifications and audit events, and each
role the policy refuses."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.models import AssistanceSettings, FileEvent, HardshipFile
from unionhome.assistance.services import files as services
from unionhome.assistance.tests.file_checks import history, notices
from unionhome.assistance.tests.file_records import apply, household, walk
from unionhome.audit.models import AuditEvent

D = datetime.date


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
