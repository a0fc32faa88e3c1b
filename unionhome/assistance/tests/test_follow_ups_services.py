"""Follow-ups: scheduling, recording (each guard and each role), the selectors and the work queue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.assistance.models import Assistance, AssistanceSettings, FollowUp
from unionhome.assistance.selectors.follow_ups import (
    Filter,
    follow_up_for,
    follow_up_work_items,
    follow_ups_due,
    follow_ups_filtered,
    may_follow_up,
)
from unionhome.assistance.services.follow_ups import follow_up_record, follow_ups_schedule
from unionhome.assistance.tests import records
from unionhome.assistance.tests.conftest import days_from
from unionhome.audit.models import AuditEvent


def delivered(centre, member=None, *, days_ago: int = 0, responsible=None, **fields) -> Assistance:
    """A delivered assistance with its follow-ups scheduled (30 and 90 days by default)."""
    assistance = records.assistance(
        member or centre["member_record"],
        requested_by=centre["officer_s1"],
        responsible=responsible or centre["officer_s1"],
        line=centre["budget_line"],
        status="delivered",
        delivered_on=days_from(centre["today"], -days_ago),
        **fields,
    )
    follow_ups_schedule(assistance=assistance)
    return assistance


def first_follow_up(assistance: Assistance) -> FollowUp:
    return assistance.follow_ups.get(sequence=1)


# --- Scheduling ----------------------------------------------------------------------------------


def test_schedule_follows_the_unions_days(centre):
    AssistanceSettings.objects.filter(union=centre["union"]["union"]).update(follow_up_days=[90, 14, 30, 14])
    assistance = delivered(centre)
    due = list(assistance.follow_ups.order_by("sequence").values_list("sequence", "due_on", "responsible_id"))
    today = centre["today"]
    officer = centre["officer_s1"].pk
    assert due == [
        (1, days_from(today, 14), officer),
        (2, days_from(today, 30), officer),
        (3, days_from(today, 90), officer),
    ]
    assert set(assistance.follow_ups.values_list("unit_path", flat=True)) == {centre["member_record"].unit_path}


def test_schedule_without_settings_uses_30_and_90_days(centre):
    AssistanceSettings.objects.all().delete()
    assistance = delivered(centre)
    assert [f.due_on for f in assistance.follow_ups.order_by("sequence")] == [
        days_from(centre["today"], 30),
        days_from(centre["today"], 90),
    ]


# --- Recording -----------------------------------------------------------------------------------


def test_responsible_officer_records_a_follow_up(centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    done = follow_up_record(
        actor=centre["officer_s1"],
        follow_up=follow_up,
        findings="  孩子已复学，家庭收入恢复。 ",
        grade=FollowUp.Grade.IMPROVED,
        next_steps="三个月后再回访",
    )
    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert (stored.done_on, stored.grade, stored.recorded_by) == (
        timezone.localdate(),
        "improved",
        centre["officer_s1"],
    )
    assert stored.findings == "孩子已复学，家庭收入恢复。" and stored.next_steps == "三个月后再回访"
    assert done.pk == follow_up.pk
    event = AuditEvent.objects.get(action="assistance.follow_up.recorded")
    assert event.object_id == str(follow_up.pk) and event.unit_path == follow_up.unit_path
    assert event.changes["grade"] == "improved"
    assert "复学" not in str(event.changes)  # findings stay out of the trail


def test_responsible_branch_cadre_without_the_permission_may_record(centre):
    """The cadre named responsible answers for the follow-up even without ``assistance.follow_up``."""
    follow_up = first_follow_up(delivered(centre, responsible=centre["cadre"]))
    follow_up_record(actor=centre["cadre"], follow_up=follow_up, findings="情况稳定", grade="unchanged")
    assert FollowUp.objects.get(pk=follow_up.pk).recorded_by == centre["cadre"]


@pytest.mark.parametrize("who", ["officer_union", "chair"])
def test_officers_and_chairs_over_the_unit_may_record(centre, who):
    follow_up = first_follow_up(delivered(centre))
    follow_up_record(actor=centre[who], follow_up=follow_up, findings="已解决", grade="resolved")
    assert FollowUp.objects.get(pk=follow_up.pk).grade == "resolved"


@pytest.mark.parametrize("who", ["officer_s2", "cadre2", "cadre", "member", "auditor", "admin"])
def test_others_may_not_record(centre, who):
    follow_up = first_follow_up(delivered(centre))
    with pytest.raises(PermissionRefused) as refused:
        follow_up_record(actor=centre[who], follow_up=follow_up, findings="x", grade="resolved")
    assert refused.value.permission == "assistance.follow_up"
    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert stored.done_on is None and stored.findings == ""
    assert not AuditEvent.objects.filter(action="assistance.follow_up.recorded").exists()


def test_recording_twice_is_refused(centre):
    follow_up = first_follow_up(delivered(centre))
    follow_up_record(actor=centre["officer_s1"], follow_up=follow_up, findings="第一次", grade="improved")
    with pytest.raises(ValidationError) as refused:
        follow_up_record(actor=centre["officer_union"], follow_up=follow_up, findings="第二次", grade="worse")
    assert "already recorded" in refused.value.messages[0]
    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert (stored.findings, stored.grade, stored.recorded_by) == ("第一次", "improved", centre["officer_s1"])


@pytest.mark.parametrize(
    ("findings", "grade", "next_steps", "field"),
    [
        ("", "resolved", "", "findings"),
        ("   \n ", "resolved", "", "findings"),
        ("x" * 5001, "resolved", "", "findings"),
        ("好转", "better", "", "grade"),
        ("好转", "", "", "grade"),
        ("好转", "improved", "y" * 2001, "next_steps"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_written(centre, findings, grade, next_steps, field):
    follow_up = first_follow_up(delivered(centre))
    with pytest.raises(ValidationError) as refused:
        follow_up_record(
            actor=centre["officer_s1"], follow_up=follow_up, findings=findings, grade=grade, next_steps=next_steps
        )
    assert field in refused.value.message_dict
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None
    assert not AuditEvent.objects.filter(action="assistance.follow_up.recorded").exists()


def test_a_reversed_assistance_is_not_followed_up(centre):
    assistance = delivered(centre)
    Assistance.objects.filter(pk=assistance.pk).update(status=Assistance.Status.REVERSED)
    with pytest.raises(ValidationError) as refused:
        follow_up_record(actor=centre["officer_s1"], follow_up=first_follow_up(assistance), findings="x", grade="worse")
    assert "reversed" in refused.value.messages[0]
    assert FollowUp.objects.filter(done_on__isnull=False).count() == 0


# --- Selectors -----------------------------------------------------------------------------------


def test_due_lists_mine_and_my_scope_overdue_first(centre):
    today = centre["today"]
    s1_late = first_follow_up(delivered(centre, days_ago=40))  # due 10 days ago
    s1_today = first_follow_up(delivered(centre, centre["other_s1"], days_ago=30))  # due today
    delivered(centre, days_ago=5)  # not due yet
    s2 = delivered(centre, centre["s2_member"], days_ago=35, responsible=centre["officer_s2"])
    s2_mine = first_follow_up(delivered(centre, centre["s2_member"], days_ago=31, responsible=centre["officer_s1"]))
    done = first_follow_up(delivered(centre, days_ago=60))
    follow_up_record(actor=centre["officer_s1"], follow_up=done, findings="ok", grade="resolved")

    mine = list(follow_ups_due(centre["officer_s1"], today=today))
    assert mine == [s1_late, s2_mine, s1_today]
    assert [f.pk for f in follow_ups_due(centre["officer_s2"], today=today)] == [first_follow_up(s2).pk, s2_mine.pk]
    union_wide = [f.pk for f in follow_ups_due(centre["officer_union"], today=today)]
    assert union_wide == [s1_late.pk, first_follow_up(s2).pk, s2_mine.pk, s1_today.pk]
    assert list(follow_ups_due(centre["cadre"], today=today)) == []


def test_filters(centre):
    today = centre["today"]
    late = first_follow_up(delivered(centre, days_ago=45))
    due_today = first_follow_up(delivered(centre, days_ago=30))
    soon = first_follow_up(delivered(centre, days_ago=20))
    far = first_follow_up(delivered(centre, days_ago=-10))  # delivered in 10 days' time: due in 40
    done = first_follow_up(delivered(centre, days_ago=50))
    follow_up_record(actor=centre["officer_s1"], follow_up=done, findings="ok", grade="resolved")
    officer = centre["officer_s1"]

    def pks(state):
        return [f.pk for f in follow_ups_filtered(officer, state=state, today=today)]

    assert pks(Filter.DUE) == [late.pk, due_today.pk]
    assert pks(Filter.OVERDUE) == [late.pk]
    assert soon.pk in pks(Filter.UPCOMING) and far.pk not in pks(Filter.UPCOMING)
    assert pks(Filter.DONE) == [done.pk]


def test_reversed_assistance_leaves_the_lists(centre):
    assistance = delivered(centre, days_ago=40)
    Assistance.objects.filter(pk=assistance.pk).update(status=Assistance.Status.REVERSED)
    assert list(follow_ups_due(centre["officer_s1"], today=centre["today"])) == []


def test_one_follow_up_is_out_of_scope_for_other_stations(centre):
    follow_up = first_follow_up(delivered(centre))
    assert follow_up_for(centre["officer_s1"], follow_up.pk) == follow_up
    assert follow_up_for(centre["chair"], follow_up.pk) == follow_up
    for who in ["officer_s2", "cadre", "cadre2", "member", "auditor", "admin"]:
        with pytest.raises(OutOfScope):
            follow_up_for(centre[who], follow_up.pk)


def test_who_the_pages_are_for(centre):
    assert may_follow_up(centre["officer_s2"]) and may_follow_up(centre["chair"])
    assert not may_follow_up(centre["cadre"])
    delivered(centre, responsible=centre["cadre"])
    assert may_follow_up(centre["cadre"])
    assert not may_follow_up(centre["member"]) and not may_follow_up(centre["auditor"])


def test_work_queue_lists_my_due_and_overdue_follow_ups(centre):
    late = first_follow_up(delivered(centre, days_ago=41))
    today_one = first_follow_up(delivered(centre, centre["other_s1"], days_ago=30))
    delivered(centre, days_ago=3)
    first_follow_up(delivered(centre, centre["s2_member"], days_ago=60, responsible=centre["officer_s2"]))
    items = follow_up_work_items(centre["officer_s1"])
    assert [i.url for i in items] == [f"/assistance/follow-ups/{late.pk}/", f"/assistance/follow-ups/{today_one.pk}/"]
    assert items[0].title == "Follow up 张三 (Cash)" and items[0].due == f"overdue since {late.due_on.isoformat()}"
    assert items[1].due == "due today" and items[1].kind == "assistance.follow_up"
    assert follow_up_work_items(centre["chair"]) == []  # the chair's queue holds their own follow-ups only


def test_work_queue_query_count_is_constant(centre, django_assert_max_num_queries):
    for _ in range(3):
        delivered(centre, days_ago=40)
    with django_assert_max_num_queries(1):
        assert len(follow_up_work_items(centre["officer_s1"])) == 3
    for _ in range(10):
        delivered(centre, centre["other_s1"], days_ago=40)
    with django_assert_max_num_queries(1):
        assert len(follow_up_work_items(centre["officer_s1"])) == 13


def test_a_responsible_cadre_who_leaves_the_scope_still_sees_their_own(centre, union):
    """Responsibility, not scope, decides: a cadre named on another station's assistance sees it."""
    helper = factories.user("helper", roles=(("branch_cadre", union["s2"]),))
    follow_up = first_follow_up(delivered(centre, responsible=helper, days_ago=31))
    assert follow_up_for(helper, follow_up.pk) == follow_up
    assert list(follow_ups_due(helper, today=centre["today"] + datetime.timedelta(days=0))) == [follow_up]
