"""The response rate and the surveys waiting for a member."""

import datetime

import pytest
from django.utils import timezone

from unionhome.surveys.models import Survey
from unionhome.surveys.selectors import response_rate, surveys_to_answer
from unionhome.surveys.services import response_submit
from unionhome.surveys.tests.builders import build_survey, full_answers, open_survey

pytestmark = pytest.mark.django_db


def test_the_response_rate_in_one_query(named_survey, people, django_assert_num_queries):
    with django_assert_num_queries(1):
        rate = response_rate(named_survey)
    assert (rate.invited, rate.responded, rate.rate) == (3, 0, 0.0)
    response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    rate = response_rate(named_survey)
    assert (rate.invited, rate.responded) == (3, 1) and rate.rate == pytest.approx(1 / 3)


def test_a_draft_has_no_rate(builder, union):
    assert response_rate(build_survey(builder, union["union"])).rate is None


def test_surveys_to_answer_are_open_invited_and_unanswered(builder, union, people, django_assert_num_queries):
    member = people["member_record"]
    later = open_survey(builder, union["union"], closes_at=timezone.now() + datetime.timedelta(days=20))
    sooner = open_survey(builder, union["union"], closes_at=timezone.now() + datetime.timedelta(days=3))
    answered = open_survey(builder, union["union"], anonymous=True)
    open_survey(builder, union["s2"])  # not for station 1
    build_survey(builder, union["union"])  # a draft
    future = open_survey(builder, union["union"])
    Survey.objects.filter(pk=future.pk).update(opens_at=timezone.now() + datetime.timedelta(days=1))
    response_submit(actor=people["member"], survey=answered, answers=full_answers(answered))
    with django_assert_num_queries(1):
        waiting = [(s.pk, s.unit.name) for s in surveys_to_answer(member)]
    assert waiting == [(sooner.pk, "技术中心工会"), (later.pk, "技术中心工会")]
