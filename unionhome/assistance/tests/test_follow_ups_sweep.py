"""The daily sweep in the real task worker: reminders to the responsible cadre once a day, escalation of
long-overdue follow-ups once to the branch chair (or the union chair), on committed data."""

import datetime

import pytest
from django.core import mail
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from unionhome.assistance import tasks
from unionhome.assistance.models import Assistance, AssistanceSettings, FollowUp
from unionhome.assistance.services.follow_ups import escalation_recipients, follow_up_record, follow_ups_schedule
from unionhome.assistance.tests import records
from unionhome.assistance.tests.conftest import days_from
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification


@pytest.fixture(autouse=True)
def _committed_and_english(transactional_db, settings):
    settings.LANGUAGE_CODE = "en"  # notifications are written in the site's language


def delivered(centre, member, *, days_ago: int, responsible=None, status="delivered") -> FollowUp:
    """The first follow-up (due 30 days after delivery) of an assistance delivered ``days_ago``."""
    assistance = records.assistance(
        member,
        requested_by=centre["officer_s1"],
        responsible=responsible or centre["officer_s1"],
        line=centre["budget_line"],
        status="delivered",
        delivered_on=days_from(centre["today"], -days_ago),
    )
    follow_ups_schedule(assistance=assistance)
    if status != "delivered":
        Assistance.objects.filter(pk=assistance.pk).update(status=status)
    return assistance.follow_ups.get(sequence=1)


@pytest.fixture
def book(centre, union):
    """Follow-ups in every situation, a vice chair on station 1 and no chair on station 2."""
    centre["officer_s1"].email = "officer1@union.example"
    centre["officer_s1"].save(update_fields=["email"])
    branch_chair = factories.user("s1_vice_chair", roles=(("vice_chair", union["s1"]),))
    follow_ups = {
        "late": delivered(centre, centre["member_record"], days_ago=40),  # 10 days overdue: escalate
        "today": delivered(centre, centre["other_s1"], days_ago=30),  # due today: remind only
        "recent": delivered(centre, centre["member_record"], days_ago=33),  # 3 days overdue: remind only
        "future": delivered(centre, centre["member_record"], days_ago=10),
        "done": delivered(centre, centre["member_record"], days_ago=45),
        "reversed": delivered(centre, centre["member_record"], days_ago=50, status="reversed"),
        "s2_late": delivered(centre, centre["s2_member"], days_ago=45, responsible=centre["officer_s2"]),
    }
    follow_up_record(actor=centre["officer_s1"], follow_up=follow_ups["done"], findings="ok", grade="resolved")
    return {**follow_ups, "branch_chair": branch_chair}


def run_daily(run_tasks, day: datetime.date) -> DBTaskResult:
    result = tasks.assistance_daily.enqueue(day.isoformat())
    run_tasks()
    return DBTaskResult.objects.get(pk=result.id)


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_a_days_sweep_reminds_and_escalates(centre, book, run_tasks):
    today = centre["today"]
    result = run_daily(run_tasks, today)

    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert follow_up_counts(result.return_value) == {"follow_ups_remind": 4, "follow_ups_escalate": 2}
    reminders = inbox(centre["officer_s1"])
    assert {n.url for n in reminders} == {f"/assistance/follow-ups/{book[k].pk}/" for k in ("late", "today", "recent")}
    titles = {n.url: n.title for n in reminders}
    assert titles[f"/assistance/follow-ups/{book['late'].pk}/"] == "Follow-up overdue by 10 days: 张三"
    assert titles[f"/assistance/follow-ups/{book['today'].pk}/"] == "Follow-up due today: 李四"
    assert all(n.kind == "assistance.follow_up.due" for n in reminders)
    assert [n.title for n in inbox(centre["officer_s2"])] == ["Follow-up overdue by 15 days: 王五"]
    for key in ("late", "today", "recent", "s2_late"):
        assert FollowUp.objects.get(pk=book[key].pk).reminded_at is not None
    for key in ("future", "done", "reversed"):
        assert FollowUp.objects.get(pk=book[key].pk).reminded_at is None

    # Station 1's vice chair hears of station 1's late follow-up; station 2 has no chair, so the union's does.
    escalated_s1 = inbox(book["branch_chair"])
    assert [(n.kind, n.url) for n in escalated_s1] == [
        ("assistance.follow_up.escalated", f"/assistance/follow-ups/{book['late'].pk}/")
    ]
    assert "张三" in escalated_s1[0].title and "officer_s1" in escalated_s1[0].body
    assert [n.url for n in inbox(centre["chair"])] == [f"/assistance/follow-ups/{book['s2_late'].pk}/"]
    escalated = set(FollowUp.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True))
    assert escalated == {book["late"].pk, book["s2_late"].pk}
    events = AuditEvent.objects.filter(action="assistance.follow_up.escalated")
    assert {e.object_id for e in events} == {str(book["late"].pk), str(book["s2_late"].pk)}

    # The officer gave an email address: the reminders were emailed too, by the same worker.
    assert sorted(m.subject for m in mail.outbox) == sorted(n.title for n in reminders)
    assert all(m.to == ["officer1@union.example"] for m in mail.outbox)
    sent = {d.notification_id for n in inbox(centre["officer_s1"]) for d in n.deliveries.all() if d.status == "sent"}
    assert sent == {n.pk for n in inbox(centre["officer_s1"])}


def test_a_second_run_the_same_day_sends_nothing_new(centre, book, run_tasks):
    run_daily(run_tasks, centre["today"])
    count = Notification.objects.count()
    again = run_daily(run_tasks, centre["today"])
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert follow_up_counts(again.return_value) == {"follow_ups_remind": 0, "follow_ups_escalate": 0}
    assert Notification.objects.count() == count


def test_the_next_day_reminds_again_but_escalates_once(centre, book, run_tasks):
    run_daily(run_tasks, centre["today"])
    next_day = run_daily(run_tasks, days_from(centre["today"], 1))
    assert follow_up_counts(next_day.return_value) == {"follow_ups_remind": 4, "follow_ups_escalate": 0}
    late_url = f"/assistance/follow-ups/{book['late'].pk}/"
    assert [n.title for n in inbox(centre["officer_s1"]) if n.url == late_url] == [
        "Follow-up overdue by 10 days: 张三",
        "Follow-up overdue by 11 days: 张三",
    ]
    assert len(inbox(book["branch_chair"])) == 1


def test_recorded_follow_ups_are_no_longer_reminded(centre, book, run_tasks):
    follow_up_record(actor=centre["officer_s1"], follow_up=book["late"], findings="已好转", grade="improved")
    result = run_daily(run_tasks, centre["today"])
    assert follow_up_counts(result.return_value) == {"follow_ups_remind": 3, "follow_ups_escalate": 1}
    assert FollowUp.objects.get(pk=book["late"].pk).escalated_at is None
    assert inbox(book["branch_chair"]) == []


def test_escalation_follows_the_unions_setting(centre, book, run_tasks):
    AssistanceSettings.objects.filter(union=centre["union"]["union"]).update(escalate_after_days=2)
    result = run_daily(run_tasks, centre["today"])
    assert result.return_value["follow_ups_escalate"] == 3  # "recent" (3 days) too now
    assert FollowUp.objects.get(pk=book["recent"].pk).escalated_at is not None
    assert FollowUp.objects.get(pk=book["today"].pk).escalated_at is None


def test_escalation_goes_to_the_branch_chair_then_up_the_tree(centre, union):
    s1_chair = factories.user("s1_chair", roles=(("chair", union["s1"]),))
    s1_vice = factories.user("s1_vice", roles=(("vice_chair", union["s1"]),))
    factories.user("gone", roles=(("chair", union["s1"]),), is_active=False)
    member = centre["member_record"]
    assert {u.username for u in escalation_recipients(member.unit_path)} == {"s1_chair", "s1_vice"}
    assert escalation_recipients(centre["s2_member"].unit_path) == [centre["chair"]]
    assert escalation_recipients(union["s2"].path) == [centre["chair"]]
    s1_chair.role_assignments.all().delete()
    s1_vice.role_assignments.all().delete()
    assert escalation_recipients(member.unit_path) == [centre["chair"]]


def test_no_chair_anywhere_leaves_the_follow_up_for_the_next_sweep(centre, book, run_tasks):
    centre["chair"].role_assignments.all().delete()
    result = run_daily(run_tasks, centre["today"])
    assert result.return_value["follow_ups_escalate"] == 1  # station 1's vice chair only
    assert FollowUp.objects.get(pk=book["s2_late"].pk).escalated_at is None


def broken_sweep(*, today):
    raise RuntimeError("boom")


def test_a_failing_sweep_does_not_stop_the_others(centre, book, run_tasks, monkeypatch):
    monkeypatch.setattr(
        tasks,
        "DAILY_SWEEPS",
        ["unionhome.assistance.tests.test_follow_ups_sweep.broken_sweep", *tasks.DAILY_SWEEPS],
    )
    result = run_daily(run_tasks, centre["today"])
    assert result.status == TaskResultStatus.FAILED
    assert "broken_sweep" in result.traceback
    assert len(inbox(centre["officer_s1"])) == 3 and len(inbox(book["branch_chair"])) == 1


def follow_up_counts(result: dict) -> dict:
    """The follow-up sweeps' counts in a day's results (other sweeps of the day report too)."""
    return {name: result[name] for name in ("follow_ups_remind", "follow_ups_escalate")}
