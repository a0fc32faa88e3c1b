"""You said, we did": a closed survey's headline read from its kept figures (``results_kept.kept_overall``) is
the one summed from its answers before they were kept, a suppressed overall index stays suppressed, and once
everything listed is kept the answers are not read at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.accounts.services import api_token_issue
from unionhome.satisfaction.tests.drivers_data import answered_survey
from unionhome.satisfaction.you_said import closed_surveys_for
from unionhome.surveys.models import Answer, Question, Survey
from unionhome.surveys.models.surveys import SurveyResult
from unionhome.surveys.results_kept import kept_overall
from unionhome.surveys.services import survey_close
from unionhome.surveys.services.closing import surveys_keep_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_kept_at_closing(settings):
    """Closing keeps no figures (as for a survey of more than ``SURVEYS_SHUFFLE_SYNC_MAX`` responses)."""
    settings.SURVEYS_SHUFFLE_SYNC_MAX = 0


def answers_read(queries) -> bool:
    return any(Answer._meta.db_table in q["sql"] for q in queries.captured_queries)


def api_headline(client, user) -> dict:
    token = api_token_issue(user=user)[0]
    response = client.get("/api/v1/satisfaction/you-said", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [headline] = response.json()["surveys"]
    return headline


def read_before_and_after_keeping(viewer, survey: Survey, django_assert_num_queries):
    """The viewer's headlines before the survey's figures are kept and after (by the closing job), and the
    queries of the second read."""
    assert not SurveyResult.objects.filter(survey=survey).exists()
    with django_assert_num_queries(4):  # the surveys, their invitations, their kept figures (none), the answers
        before = closed_surveys_for(viewer)
    assert surveys_keep_pending() == 1
    with CaptureQueriesContext(connection) as queries:
        after = closed_surveys_for(viewer)
    return before, after, queries


def test_the_kept_headline_is_the_summed_one_and_the_answers_are_not_read(
    union, people, client, not_kept_at_closing, django_assert_num_queries
):
    survey = answered_survey(people["chair"], union)
    before, after, queries = read_before_and_after_keeping(people["member"], survey, django_assert_num_queries)
    assert after == before
    [headline] = after
    assert headline.index == pytest.approx((47 / 16 - 1) / 4 * 100) and headline.index_n == 16
    assert len(queries) == 3 and not answers_read(queries)  # one fewer: no answer is read
    assert api_headline(client, people["member"])["overall_index"] == pytest.approx(headline.index)


def test_an_overall_question_answered_by_fewer_than_k_stays_suppressed(
    union, people, client, not_kept_at_closing, django_assert_num_queries
):
    survey = answered_survey(people["chair"], union, close=False)
    overall = Question.objects.get(survey=survey, is_overall=True)
    skipped = list(Answer.objects.filter(question=overall).values_list("pk", flat=True)[:12])
    Answer.objects.filter(pk__in=skipped).delete()  # 16 responses, 4 answers to the overall question (k = 5)
    survey = survey_close(actor=people["chair"], survey=survey)
    before, after, queries = read_before_and_after_keeping(people["member"], survey, django_assert_num_queries)
    assert after == before
    [headline] = after
    assert headline.index is None and headline.index_n == 4 and headline.responded == 16
    assert len(queries) == 3 and not answers_read(queries)
    assert api_headline(client, people["member"])["overall_index"] is None


def test_a_survey_of_fewer_than_k_responses_stays_suppressed(
    union, people, not_kept_at_closing, django_assert_num_queries
):
    survey = answered_survey(people["chair"], union, close=False)
    Survey.objects.filter(pk=survey.pk).update(min_group=17)  # 16 responses
    survey = survey_close(actor=people["chair"], survey=Survey.objects.get(pk=survey.pk))
    before, after, queries = read_before_and_after_keeping(people["member"], survey, django_assert_num_queries)
    assert kept_overall([survey.pk]) == {survey.pk: {"n": None, "index": None}}  # kept without a count
    assert after == before
    [headline] = after
    assert headline.index is None and headline.index_n == 16 and headline.responded == 16
    assert len(queries) == 4  # its few answers are summed: the kept figures say nothing below k
