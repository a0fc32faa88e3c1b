"""Opening at a federation's size: a small audience is invited in the opening's transaction; a large one
by the task worker in batches, each its own transaction, with its progress on the survey; reruns and two
runs at once invite nobody twice; two openings at once open and invite once. On SQLite and PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.concurrency import run_together
from unionhome.audit.models import AuditEvent
from unionhome.surveys.models import Invitation, Survey
from unionhome.surveys.services import response_submit, survey_invite, survey_open
from unionhome.surveys.services.invitations import surveys_invite_unfinished
from unionhome.surveys.tests.builders import build_survey, full_answers, open_survey

TASK = "unionhome.surveys.tasks.surveys_invite"


def crowd(union, count: int) -> list:
    """``count`` more members with a login in station 2."""
    return [factories.user(f"x{i}", member=factories.member(union["g21"], f"成员{i}")) for i in range(count)]


def invitations_of(survey) -> list[int]:
    return list(Invitation.objects.filter(survey=survey).values_list("member_id", flat=True))


def assert_invited_once(survey, audience: int) -> None:
    members = invitations_of(survey)
    assert len(members) == len(set(members)) == audience
    survey = Survey.objects.get(pk=survey.pk)
    assert survey.invited_count == audience and survey.invitations_done_at is not None


@pytest.mark.django_db
def test_a_small_audience_is_invited_at_once(builder, union, people):
    survey = open_survey(builder, union["union"])
    assert survey.audience_size == 3 and survey.invited_count == 3 and survey.invitations_done_at is not None
    assert_invited_once(survey, 3)
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()
    assert AuditEvent.objects.get(action="surveys.survey.opened").changes["audience"] == 3


@pytest.mark.django_db(transaction=True)
def test_a_large_audience_is_invited_by_the_worker_in_batches_and_reruns_add_nobody(
    builder, union, people, settings, run_tasks
):
    settings.SURVEYS_INVITE_SYNC_MAX = 4
    settings.SURVEYS_INVITE_BATCH = 3
    users = crowd(union, 8)
    survey = open_survey(builder, union["union"], anonymous=True)
    # Open at once, nobody invited yet: the page can say "inviting… 0 of 11".
    assert survey.status == "open" and survey.audience_size == 11
    assert survey.invited_count == 0 and survey.invitations_done_at is None and invitations_of(survey) == []
    assert AuditEvent.objects.get(action="surveys.survey.opened").changes["invited"] == 0

    run_tasks()

    result = DBTaskResult.objects.get(task_path=TASK)
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value == 11
    assert_invited_once(survey, 11)
    response_submit(actor=users[0], survey=survey, answers=full_answers(survey))  # invited: can answer

    # A rerun (a task run twice, the daily catch-up) adds only who joined the audience since.
    newcomer = factories.member(union["g11"], "新会员")
    from unionhome.surveys.tasks import surveys_invite

    surveys_invite.enqueue(survey.pk)
    run_tasks()
    assert Invitation.objects.filter(survey=survey, member=newcomer).count() == 1
    assert_invited_once(survey, 12)
    assert survey_invite(survey=survey) == 0 and surveys_invite_unfinished() == 0
    assert_invited_once(survey, 12)


@pytest.mark.django_db(transaction=True)
def test_a_lost_invitation_task_is_finished_by_the_daily_catch_up(builder, union, people, settings):
    settings.SURVEYS_INVITE_SYNC_MAX = 2
    crowd(union, 3)
    survey = open_survey(builder, union["union"])
    DBTaskResult.objects.filter(task_path=TASK).delete()  # the worker never ran it
    assert surveys_invite_unfinished() == 6
    assert_invited_once(survey, 6)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.django_db(transaction=True)
def test_two_openings_at_once_open_and_invite_once(builder, union, people, settings, run_tasks, large):
    settings.SURVEYS_INVITE_SYNC_MAX = 2 if large else 5000
    settings.SURVEYS_INVITE_BATCH = 2
    crowd(union, 5)
    survey = build_survey(builder, union["union"])

    results = run_together(lambda i: survey_open(actor=builder, survey=survey).pk, 4)

    assert [outcome for outcome, _ in results].count("ok") == 1, results
    refused = [value for outcome, value in results if outcome == "error"]
    assert all(isinstance(e, ValidationError) and "status" in e.message_dict for e in refused), refused
    run_tasks()
    assert DBTaskResult.objects.filter(task_path=TASK).count() == (1 if large else 0)
    assert_invited_once(survey, 8)


@pytest.mark.django_db(transaction=True)
def test_two_invitation_runs_at_once_invite_each_member_once(builder, union, people):
    crowd(union, 9)
    survey = build_survey(builder, union["union"])
    Survey.objects.filter(pk=survey.pk).update(status="open")  # open, nobody invited yet

    results = run_together(lambda i: survey_invite(survey=survey, batch_size=2), 3)

    assert all(outcome == "ok" for outcome, _ in results), results
    assert sum(value for _, value in results) == 12
    assert_invited_once(survey, 12)


@pytest.mark.django_db
def test_inviting_a_large_audience_takes_a_few_queries_a_batch(builder, union, people, django_assert_max_num_queries):
    crowd(union, 20)
    survey = build_survey(builder, union["union"])
    Survey.objects.filter(pk=survey.pk).update(status="open")
    with django_assert_max_num_queries(3 + 6 * 4):  # 23 members in batches of 10, and the last finding nobody
        assert survey_invite(survey=survey, batch_size=10) == 23
    assert_invited_once(survey, 23)
