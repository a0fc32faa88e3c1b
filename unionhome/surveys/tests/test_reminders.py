"""Reminders: only to invited members who have not answered, at most once a calendar day, while open."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unionhome.notify.models import Notification
from unionhome.surveys.models import Invitation
from unionhome.surveys.services import response_submit, survey_close, survey_remind
from unionhome.surveys.tests.builders import full_answers, open_survey

pytestmark = pytest.mark.django_db


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


def test_nobody_is_reminded_of_a_survey_that_cannot_be_answered(builder, union, people, crowd):
    survey = open_survey(builder, union["union"])
    assert survey_remind(survey=survey, now=survey.closes_at + datetime.timedelta(minutes=1)) == 0
    assert survey_remind(survey=survey, now=survey.opens_at - datetime.timedelta(minutes=1)) == 0
    survey_close(actor=builder, survey=survey)
    assert survey_remind(survey=survey) == 0
    assert not Notification.objects.exists() and not Invitation.objects.filter(reminded_at__isnull=False).exists()


def test_every_non_responder_with_a_login_is_reminded(builder, union, people, django_assert_max_num_queries):
    for i in range(12):
        factories.user(f"x{i}", member=factories.member(union["g21"], f"成员{i}"))
    survey = open_survey(builder, union["union"])
    with django_assert_max_num_queries(100):
        assert survey_remind(survey=survey) == 13
    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 13
