"""Reminders: only to invited members who have not answered, at most once a calendar day, while open; the
daily job reminds on a survey's reminder days (halfway and the last day, never the first)."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.notify.models import Notification
from unionhome.surveys.models import Invitation
from unionhome.surveys.services import response_submit, survey_close, survey_remind
from unionhome.surveys.services.reminding import reminder_days
from unionhome.surveys.tests.builders import full_answers, open_survey


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # notifications are written in the site's language


@pytest.fixture
def crowd(union, people):
    """Three more members with a login in station 1 (one account disabled) and one without."""
    users = [factories.user(f"w{i}", member=factories.member(union["g12"], f"工人{i}")) for i in range(3)]
    users[2].is_active = False
    users[2].save(update_fields=["is_active"])
    factories.member(union["g12"], "没有账号")
    return users


def reminded(survey) -> set[str]:
    return set(
        Notification.objects.filter(kind="surveys.survey.reminder").values_list("recipient__username", flat=True)
    )


@pytest.mark.django_db
def test_non_responders_are_reminded_once_a_day(builder, union, people, crowd):
    survey = open_survey(builder, union["union"], anonymous=True)
    response_submit(actor=crowd[0], survey=survey, answers=full_answers(survey))
    now = timezone.now()
    assert survey_remind(survey=survey, now=now) == 2
    assert reminded(survey) == {"member", "w1"}
    note = Notification.objects.filter(recipient=people["member"]).get()
    assert note.title == "Please answer the survey: 2026年职工满意度调查" and "anonymous" in note.body
    assert note.url == f"/surveys/{survey.pk}/"
    assert set(Invitation.objects.filter(reminded_at=now).values_list("member__name", flat=True)) == {"张三", "工人1"}
    assert survey_remind(survey=survey, now=now + datetime.timedelta(hours=1)) == 0  # the same day
    tomorrow = timezone.localtime(now).replace(hour=9) + datetime.timedelta(days=1)
    response_submit(actor=people["member"], survey=survey, answers=full_answers(survey))
    assert survey_remind(survey=survey, now=tomorrow) == 1  # only w1 still has not answered
    assert Notification.objects.filter(recipient=crowd[1]).count() == 2


@pytest.mark.django_db
def test_nobody_is_reminded_of_a_survey_that_cannot_be_answered(builder, union, people, crowd):
    survey = open_survey(builder, union["union"])
    assert survey_remind(survey=survey, now=survey.closes_at + datetime.timedelta(minutes=1)) == 0
    assert survey_remind(survey=survey, now=survey.opens_at - datetime.timedelta(minutes=1)) == 0
    survey_close(actor=builder, survey=survey)
    assert survey_remind(survey=survey) == 0
    assert not Notification.objects.exists() and not Invitation.objects.filter(reminded_at__isnull=False).exists()


@pytest.mark.django_db
def test_every_non_responder_with_a_login_is_reminded(builder, union, people, django_assert_max_num_queries):
    for i in range(12):
        factories.user(f"x{i}", member=factories.member(union["g21"], f"成员{i}"))
    survey = open_survey(builder, union["union"])
    with django_assert_max_num_queries(100):
        assert survey_remind(survey=survey) == 13
    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 13


# --- The daily job: its reminder days, run by the task worker --------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A local time in May 2026 (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(2026, 5, day, hour, minute))


def days_of(opens: datetime.datetime, closes: datetime.datetime) -> list[int]:
    return sorted(day.day for day in reminder_days(opens, closes))


def test_reminder_days_are_halfway_and_the_last_day_never_the_first():
    assert days_of(at(4, 10), at(18, 18)) == [11, 18]  # two weeks: halfway and the last day
    assert days_of(at(4, 10), at(18, 8)) == [11, 17]  # closes before the 09:00 job: the day before
    assert days_of(at(4, 10), at(18, 9)) == [11, 17]  # closes as it runs: the day before too
    assert days_of(at(4, 8), at(5, 18)) == [5]  # two days: the last day only
    assert days_of(at(4, 8), at(4, 18)) == []  # a one-day survey: never on its first day
    assert days_of(at(4, 8), at(5, 8)) == []  # over before the job runs on the second day
    assert days_of(at(1, 0), at(31, 23, 59)) == [16, 31]


def test_the_daily_jobs_are_registered():
    from unionhome.server import scheduler

    jobs = {job.name: job for job in scheduler.registered_jobs()}
    assert jobs["surveys.daily"].at == datetime.time(9, 0) and jobs["surveys.daily"].every == datetime.timedelta(days=1)
    assert jobs["surveys.closing"].every == datetime.timedelta(minutes=5)


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_reminds_on_reminder_days_once(builder, union, people, crowd, run_tasks):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from unionhome.surveys.tasks import surveys_daily

    now = timezone.now()
    halfway = open_survey(  # opened a week ago, closes in a week: today is halfway
        builder, union["union"], opens_at=now - datetime.timedelta(days=7), closes_at=now + datetime.timedelta(days=7)
    )
    fresh = open_survey(builder, union["union"], closes_at=now + datetime.timedelta(days=14))  # opened today
    response_submit(actor=crowd[0], survey=halfway, answers=full_answers(halfway))
    today = timezone.localdate(now)
    assert today in reminder_days(halfway.opens_at, halfway.closes_at)
    assert today not in reminder_days(fresh.opens_at, fresh.closes_at)

    for _ in range(2):  # a second run the same day sends nothing more
        surveys_daily.enqueue(today.isoformat())
        run_tasks()

    results = list(DBTaskResult.objects.filter(task_path=surveys_daily.module_path).order_by("enqueued_at"))
    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL] * 2, results[0].traceback
    assert [r.return_value["surveys_remind_due"] for r in results] == [2, 0]
    assert reminded(halfway) == {"member", "w1"}
    assert not Invitation.objects.filter(survey=fresh, reminded_at__isnull=False).exists()
    # A cadre may still remind by hand, any day, once a day each.
    assert survey_remind(survey=fresh) == 3


@pytest.mark.django_db
def test_a_builder_reminds_by_hand_audited_and_nobody_else_may(builder, union, people, crowd):
    from unionhome.access.policy import PermissionRefused
    from unionhome.audit.models import AuditEvent

    survey = open_survey(builder, union["union"], anonymous=True)
    with pytest.raises(PermissionRefused):
        survey_remind(survey=survey, actor=people["member"])
    assert not reminded(survey)
    sent = survey_remind(survey=survey, actor=builder)
    assert sent == len(reminded(survey)) > 0
    event = AuditEvent.objects.get(action="surveys.survey.reminded")
    assert event.actor_id == builder.pk and event.changes["reminded"] == sent
