"""Closing: an anonymous survey's responses are rewritten in a random order with new ids (on PostgreSQL also
on disk), each answer staying with its response; the closing job closes surveys on time as the system; a
response submitted while the closing runs is counted or refused, never lost or doubled."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.concurrency import run_together
from unionhome.audit.models import AuditEvent
from unionhome.surveys.models import Answer, Response, Survey
from unionhome.surveys.services import response_submit, survey_close
from unionhome.surveys.services.closing import responses_shuffle
from unionhome.surveys.tests.builders import full_answers, open_survey

RESPONSES = 40  # the chance that a shuffle keeps the order of answering: 1 in 40! (about 1e-48)


def crowd(union, count: int = RESPONSES, prefix: str = "w") -> list:
    """``count`` more members with a login, in both stations."""
    units = [union["g11"], union["g21"]]
    return [
        factories.user(f"{prefix}{i}", member=factories.member(units[i % 2], f"{prefix}工人{i}")) for i in range(count)
    ]


def answer_in_turn(survey, users) -> list[str]:
    """The ``users`` answer one after the other, each with their turn as their comment."""
    text = list(survey.questions.order_by("position"))[5].pk
    turns = [f"第{i:02d}位" for i in range(len(users))]
    for user, turn in zip(users, turns, strict=True):
        response_submit(actor=user, survey=survey, answers={**full_answers(survey), text: turn})
    return turns


def turn_order(survey) -> list[str]:
    """The comments of the survey's responses in the order of their ids."""
    ids = Response.objects.filter(survey=survey).order_by("pk").values_list("pk", flat=True)
    text = turns_by_response(survey)
    return [text[pk] for pk in ids]


def turns_by_response(survey) -> dict[int, str]:
    answers = Answer.objects.filter(response__survey=survey, text__startswith="第")
    return dict(answers.values_list("response_id", "text"))


def physical_order(survey) -> list[str]:
    """PostgreSQL: the comments in the responses' order on disk (their ``ctid``)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Response._meta.db_table} WHERE survey_id = %s ORDER BY ctid", [survey.pk])
        ids = [row[0] for row in cursor.fetchall()]
    text = turns_by_response(survey)
    return [text[pk] for pk in ids]


def contents(survey) -> Counter:
    """Each response as the set of its answers (and its unit): a multiset that must not change."""
    by_response: dict[int, list] = {}
    for a in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "response__unit_path", "question_id", "item", "value", "text"
    ):
        by_response.setdefault(a[0], []).append(a[1:])
    return Counter(tuple(sorted(rows)) for rows in by_response.values())


@pytest.mark.django_db
def test_closing_rewrites_anonymous_responses_in_a_random_order(builder, union, people, settings):
    settings.SURVEYS_SHUFFLE_BATCH = 7
    users = crowd(union)
    survey = open_survey(builder, union["union"], anonymous=True)
    turns = answer_in_turn(survey, users)
    assert turn_order(survey) == turns  # before: the ids give the order of answering
    before, old_ids = contents(survey), set(Response.objects.values_list("pk", flat=True))
    answers = Answer.objects.count()

    survey = survey_close(actor=builder, survey=survey)

    assert survey.status == "closed" and survey.shuffled_at is not None
    assert sorted(turn_order(survey)) == turns and turn_order(survey) != turns
    if connection.vendor == "postgresql":
        assert physical_order(survey) != turns
    new_ids = set(Response.objects.values_list("pk", flat=True))
    assert len(new_ids) == RESPONSES and not new_ids & old_ids and min(new_ids) > max(old_ids)
    assert contents(survey) == before and Answer.objects.count() == answers  # every answer with its response
    assert set(Response.objects.values_list("submitted_at", flat=True)) == {survey.opens_at}
    event = AuditEvent.objects.get(action="surveys.survey.shuffled")
    assert event.actor is None and event.changes == {"responses": RESPONSES}
    assert responses_shuffle(survey.pk) == 0  # once


@pytest.mark.django_db
def test_a_named_survey_is_not_shuffled(builder, union, people):
    users = crowd(union, 5)
    survey = open_survey(builder, union["union"])
    turns = answer_in_turn(survey, users)
    survey = survey_close(actor=builder, survey=survey)
    assert turn_order(survey) == turns and survey.shuffled_at is None


@pytest.mark.django_db
def test_the_shuffle_takes_a_few_queries_a_batch(builder, union, people, django_assert_max_num_queries):
    users = crowd(union, 12)
    survey = open_survey(builder, union["union"], anonymous=True)
    answer_in_turn(survey, users)
    Survey.objects.filter(pk=survey.pk).update(status="closed")
    with django_assert_max_num_queries(6 + 7 * 3):  # the lock, the ids, the audit; per batch of 5: 7 at most
        assert responses_shuffle(survey.pk, batch_size=5) == 12


@pytest.mark.django_db(transaction=True)
def test_a_large_survey_is_shuffled_by_the_worker(builder, union, people, settings, run_tasks):
    settings.SURVEYS_SHUFFLE_SYNC_MAX = 3
    users = crowd(union, 12)
    survey = open_survey(builder, union["union"], anonymous=True)
    turns = answer_in_turn(survey, users)
    before = contents(survey)
    survey = survey_close(actor=builder, survey=survey)
    assert survey.status == "closed" and survey.shuffled_at is None and turn_order(survey) == turns

    run_tasks()

    result = DBTaskResult.objects.get(task_path="unionhome.surveys.tasks.surveys_shuffle")
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value == 12
    assert Survey.objects.get(pk=survey.pk).shuffled_at is not None
    assert turn_order(survey) != turns and contents(survey) == before


@pytest.mark.django_db(transaction=True)
def test_the_closing_job_closes_on_time_as_the_system_and_shuffles(builder, union, people, run_tasks):
    from unionhome.surveys.tasks import surveys_closing

    users = crowd(union, 12)
    due = open_survey(builder, union["union"], anonymous=True)
    later = open_survey(builder, union["union"])
    turns = answer_in_turn(due, users)
    before = contents(due)
    Survey.objects.filter(pk=due.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    for _ in range(2):  # the second run finds nothing to do
        surveys_closing.enqueue()
        run_tasks()

    results = list(DBTaskResult.objects.filter(task_path=surveys_closing.module_path).order_by("enqueued_at"))
    assert [r.status for r in results] == [TaskResultStatus.SUCCESSFUL] * 2, results[0].traceback
    assert [r.return_value for r in results] == [{"closed": 1, "shuffled": 12}, {"closed": 0, "shuffled": 0}]
    due.refresh_from_db()
    assert due.status == "closed" and due.shuffled_at is not None and Survey.objects.get(pk=later.pk).status == "open"
    event = AuditEvent.objects.get(action="surveys.survey.closed")
    assert event.actor is None and event.changes == {"status": ["open", "closed"], "responses": 12, "on_time": True}
    assert turn_order(due) != turns and contents(due) == before


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.django_db(transaction=True)
def test_a_response_submitted_while_closing_is_counted_or_refused(builder, union, people, anonymous):
    early, late = crowd(union, 10), crowd(union, 5, prefix="late")
    survey = open_survey(builder, union["union"], anonymous=anonymous)
    answer_in_turn(survey, early)
    answers = full_answers(survey)

    def work(i: int):
        if i == 0:
            return survey_close(actor=builder, survey=survey).status
        return response_submit(actor=late[i - 1], survey=survey, answers=answers).pk

    results = run_together(work, 6)

    assert results[0] == ("ok", "closed"), results
    counted = [value for outcome, value in results[1:] if outcome == "ok"]
    refused = [value for outcome, value in results[1:] if outcome == "error"]
    assert all(isinstance(e, ValidationError) and e.code == "closed" for e in refused), refused
    assert Response.objects.filter(survey=survey).count() == 10 + len(counted)
    assert Answer.objects.filter(response__survey=survey).count() == 9 * (10 + len(counted))
    answered = survey.invitations.filter(responded_at__isnull=False).count()
    assert answered == 10 + len(counted)
    if anonymous:
        assert Survey.objects.get(pk=survey.pk).shuffled_at is not None
        assert not set(counted) & set(Response.objects.values_list("pk", flat=True))  # rewritten too
