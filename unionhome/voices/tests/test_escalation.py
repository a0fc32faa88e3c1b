"""The hourly sweep: reminders before and at each deadline, escalation up the tree, on the working-day
calendar (hypothesis over dates); idempotent."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.voices.models import Appeal, AppealEvent, CategoryPolicy
from unionhome.voices.services import escalation
from unionhome.voices.services.handling import appeal_acknowledge
from unionhome.voices.tests.records import appeal_of
from unionhome.workdays.calendar import add_working_days, calendar_changed, is_working_day
from unionhome.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10, minute=0):
    return timezone.make_aware(datetime.datetime(y, m, d, h, minute))


MONDAY = at(2025, 3, 10)


def state(appeal):
    appeal.refresh_from_db()
    return (
        appeal.escalation_level,
        appeal.escalation_unit_id,
        AppealEvent.objects.filter(appeal=appeal).count(),
        AuditEvent.objects.filter(action="voices.appeal.escalated").count(),
        Notification.objects.count(),
    )


def test_on_time_appeal_is_left_alone(voices):
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=MONDAY)
    assert escalation.appeals_sweep(now=MONDAY + datetime.timedelta(hours=1)) == {"escalated": 0, "reminded": 0}
    assert state(appeal)[:3] == (0, None, 0)


def test_unacknowledged_appeal_escalates_to_the_branch_chair_then_up(voices):
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=MONDAY)
    assert appeal.acknowledge_due == at(2025, 3, 11)
    # Tuesday 10:00: one working day late -> the branch (station 1) and its cadre.
    assert escalation.appeals_sweep(now=at(2025, 3, 11, 10)) == {"escalated": 1, "reminded": 1}
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.escalation_unit) == (1, voices["union"]["s1"])
    note = Notification.objects.get(recipient=voices["cadre"], kind="voices.appeal.escalated")
    assert note.url == f"/voices/handle/{appeal.pk}/"
    assert not Notification.objects.filter(recipient=voices["chair"], kind="voices.appeal.escalated").exists()
    # Running again the same day changes nothing.
    before = state(appeal)
    assert escalation.appeals_sweep(now=at(2025, 3, 11, 11)) == {"escalated": 0, "reminded": 0}
    assert state(appeal) == before
    # Wednesday: two working days -> the union and its chair.
    assert escalation.appeals_escalate(now=at(2025, 3, 12, 9)) == 1
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.escalation_unit) == (2, voices["union"]["union"])
    assert Notification.objects.filter(recipient=voices["chair"], kind="voices.appeal.escalated").exists()
    # Later: capped at the root.
    assert escalation.appeals_escalate(now=at(2025, 3, 20, 9)) == 0
    assert list(appeal.events.values_list("kind", "note")) == [
        ("escalated", "第一检验站分工会"),
        ("escalated", "技术中心工会"),
    ]


def test_weekend_does_not_count(voices):
    friday = at(2025, 3, 14, 10)
    appeal = appeal_of(voices["member_record"], category="welfare", submitted_at=friday)
    assert appeal.acknowledge_due == at(2025, 3, 17, 10)  # Monday
    assert escalation.appeals_escalate(now=at(2025, 3, 16, 23)) == 0
    assert escalation.appeals_escalate(now=at(2025, 3, 17, 10)) == 1
    appeal.refresh_from_db()
    assert appeal.escalation_level == 1


def test_acknowledged_appeal_escalates_only_when_the_answer_is_late(voices):
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=MONDAY)
    Appeal.objects.filter(pk=appeal.pk).update(status="acknowledged", acknowledged_at=MONDAY)
    assert escalation.appeals_escalate(now=at(2025, 3, 12)) == 0
    assert escalation.appeals_escalate(now=appeal.answer_due) == 1


def test_reminders_a_working_day_before_and_at_the_deadline_once_each(voices, settings):
    settings.LANGUAGE_CODE = "en"  # messages are written in the site's language
    CategoryPolicy.objects.create(category="canteen", acknowledge_days=2, answer_days=5)
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=at(2025, 3, 13, 16))  # Thursday
    assert appeal.acknowledge_due == at(2025, 3, 17, 16)
    handler = voices["canteen_handler"]
    assert escalation.appeals_remind(now=at(2025, 3, 14, 15)) == 0
    assert escalation.appeals_remind(now=at(2025, 3, 14, 17)) == 1  # Friday is the working day before Monday
    assert escalation.appeals_remind(now=at(2025, 3, 15, 17)) == 0
    assert escalation.appeals_remind(now=at(2025, 3, 17, 16, 30)) == 1  # at the deadline
    assert escalation.appeals_remind(now=at(2025, 3, 17, 17, 30)) == 0
    titles = list(
        Notification.objects.filter(recipient=handler, kind="voices.appeal.due")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert len(titles) == 2 and "Acknowledge appeal" in titles[0] and "was to be acknowledged" in titles[1]
    appeal_acknowledge(actor=handler, appeal=appeal)
    due = Appeal.objects.get(pk=appeal.pk).answer_due
    assert escalation.appeals_remind(now=due - datetime.timedelta(hours=1)) == 1
    assert escalation.appeals_remind(now=due + datetime.timedelta(hours=1)) == 1
    assert escalation.appeals_remind(now=due + datetime.timedelta(days=3)) == 0


def test_unrouted_appeal_reminds_the_branch_supervisors(voices):
    appeal_of(voices["member_record"], category="welfare", submitted_at=MONDAY)
    assert escalation.appeals_remind(now=at(2025, 3, 10, 11)) == 0  # the day before is the day it came in
    escalation.appeals_remind(now=at(2025, 3, 11, 10, 30))
    assert Notification.objects.filter(recipient=voices["cadre"], kind="voices.appeal.due").count() == 1


def test_the_sweep_is_scheduled_hourly():
    from unionhome.server.scheduler import registered_jobs

    job = next(j for j in registered_jobs() if j.name == "voices.hourly")
    assert job.every == datetime.timedelta(hours=1)


days_off = st.sets(st.dates(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(datetime.datetime(2025, 1, 1), datetime.datetime(2025, 11, 30)),
    late=st.integers(0, 20 * 24),
    holidays=days_off,
)
def test_level_equals_working_days_overdue_capped_at_the_root(voices, start, late, holidays):
    CalendarDay.objects.all().delete()
    CalendarDay.objects.bulk_create([CalendarDay(date=d, kind="holiday") for d in holidays])
    calendar_changed()
    Appeal.objects.all().delete()
    submitted = timezone.make_aware(start)
    appeal = appeal_of(voices["member_record"], category="canteen", submitted_at=submitted)
    now = appeal.acknowledge_due + datetime.timedelta(hours=late)
    escalation.appeals_escalate(now=now)
    appeal.refresh_from_db()
    days = 1 + sum(
        1
        for n in range(1, (timezone.localdate(now) - timezone.localdate(appeal.acknowledge_due)).days + 1)
        if is_working_day(timezone.localdate(appeal.acknowledge_due) + datetime.timedelta(days=n))
    )
    assert appeal.escalation_level == min(days, 2)  # station 1, then the union (the root)
    assert is_working_day(timezone.localdate(appeal.acknowledge_due))
    before = state(appeal)
    escalation.appeals_escalate(now=now)
    assert state(appeal) == before
    assert add_working_days(submitted, 1) == appeal.acknowledge_due


def test_a_deeper_tree_escalates_one_unit_per_working_day(union, people):
    federation_child = factories.unit(union["g11"], "一站甲班一组", "group")
    member = factories.member(federation_child, "赵六")
    appeal = appeal_of(member, category="welfare", submitted_at=MONDAY)
    chain = escalation.escalation_chain(appeal)
    assert [u.name for u in chain] == ["第一检验站分工会", "技术中心工会"]
