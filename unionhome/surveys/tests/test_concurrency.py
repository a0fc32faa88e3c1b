"""Two submissions of one member at the same moment (a double tap, the page and the API) give one response:
real threads, each with its own connection and transaction, on SQLite and PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.concurrency import run_together
from unionhome.surveys.models import Answer, Invitation, Response
from unionhome.surveys.services import response_submit
from unionhome.surveys.tests.builders import full_answers, open_survey

THREADS = 4


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_give_one_response(anonymous):
    union = factories.unit(None, "技术中心工会", "union", code="TC")
    group = factories.unit(factories.unit(union, "第一检验站分工会", "branch", code="S01"), "一站甲班", "group")
    member = factories.user("member", member=factories.member(group, "张三"))
    chair = factories.user("chair", roles=(("chair", union),))
    survey = open_survey(chair, union, anonymous=anonymous)
    answers = full_answers(survey)

    results = run_together(lambda i: response_submit(actor=member, survey=survey, answers=answers).pk, THREADS)

    done = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(done) == 1, results
    assert all(isinstance(e, ValidationError) and e.code == "already_answered" for e in refused), refused
    assert Response.objects.count() == 1 and Answer.objects.count() == 9
    assert Invitation.objects.get(member__name="张三").responded_at is not None
