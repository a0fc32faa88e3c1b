"""Hardship files through their services, after approval: objections during publicity, the daily publicity
sweep, re-review and exit, and the transition table itself."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance import hardship_workflow as workflow
from unionhome.assistance.models import FileEvent, HardshipFile, Objection, ReReview
from unionhome.assistance.services import files as services
from unionhome.assistance.tests.file_checks import history, notices
from unionhome.assistance.tests.file_records import walk
from unionhome.audit.models import AuditEvent

D = datetime.date


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
