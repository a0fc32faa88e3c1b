"""Answering a survey: who, when, once, and every rule on the answers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.surveys.answer_rules import check_answers
from unionhome.surveys.models import Answer, Invitation, Question, Response, Survey
from unionhome.surveys.services import NotInvited, response_submit, survey_close
from unionhome.surveys.tests.builders import full_answers, open_survey

pytestmark = pytest.mark.django_db


def questions(survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


def refused(actor, survey, answers) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        response_submit(actor=actor, survey=survey, answers=answers)
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not Invitation.objects.filter(responded_at__isnull=False).exists()
    return excinfo.value


def test_a_named_response_stores_every_answer(named_survey, people):
    q = questions(named_survey)
    response = response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    assert response.member == people["member_record"] and response.unit_path == people["member_record"].unit_path
    stored = set(Answer.objects.filter(response=response).values_list("question_id", "item", "value", "text"))
    assert stored == {
        (q[0].pk, 0, 1, ""),
        (q[1].pk, 0, 0, ""),
        (q[1].pk, 0, 2, ""),
        (q[2].pk, 0, 4, ""),
        (q[3].pk, 0, 9, ""),
        (q[4].pk, 0, 5, ""),
        (q[4].pk, 1, 3, ""),
        (q[5].pk, 0, 0, "食堂可以再改进。"),
        (q[6].pk, 0, 0, "篮球赛"),
    }
    invitation = Invitation.objects.get(survey=named_survey, member=people["member_record"])
    assert invitation.responded_at == response.submitted_at
    event = AuditEvent.objects.get(action="surveys.response.submitted")
    assert event.object_id == str(response.pk) and event.changes == {"survey": named_survey.pk, "answers": 9}


def test_only_invited_members_answer(named_survey, people, union):
    with pytest.raises(NotInvited):
        response_submit(actor=people["cadre"], survey=named_survey, answers={})  # no member record
    newcomer = factories.user("newcomer", member=factories.member(union["g12"], "新来的"))
    with pytest.raises(NotInvited):
        response_submit(actor=newcomer, survey=named_survey, answers=full_answers(named_survey))
    assert not Response.objects.exists()


def test_a_closed_or_not_yet_open_survey_is_refused(named_survey, people, builder):
    answers = full_answers(named_survey)
    Survey.objects.filter(pk=named_survey.pk).update(opens_at=timezone.now() + datetime.timedelta(hours=2))
    assert refused(people["member"], named_survey, answers).code == "not_open"
    past = timezone.now() - datetime.timedelta(seconds=1)
    Survey.objects.filter(pk=named_survey.pk).update(opens_at=past - datetime.timedelta(days=2), closes_at=past)
    error = refused(people["member"], named_survey, answers)
    assert error.code == "closed" and error.messages == ["This survey is closed: answers are no longer accepted."]
    Survey.objects.filter(pk=named_survey.pk).update(closes_at=timezone.now() + datetime.timedelta(days=2))
    survey_close(actor=builder, survey=named_survey)
    assert refused(people["member"], named_survey, answers).code == "closed"


def test_answering_twice_is_refused(named_survey, people):
    response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    with pytest.raises(ValidationError) as excinfo:
        response_submit(actor=people["member"], survey=named_survey, answers=full_answers(named_survey))
    assert excinfo.value.code == "already_answered"
    assert excinfo.value.messages == ["You have already answered this survey."]
    assert Response.objects.count() == 1


def test_required_questions_must_be_answered(named_survey, people):
    q = questions(named_survey)
    answers = full_answers(named_survey)
    del answers[q[2].pk]
    answers[q[0].pk] = None
    error = refused(people["member"], named_survey, answers)
    # Question 7 depends on question 1, which was not answered: hidden, so not demanded.
    assert error.message_dict == {f"q{q[0].pk}": ["This question is required."],
                                  f"q{q[2].pk}": ["This question is required."]}  # fmt: skip


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, 2, "Choose one of the options."),
        (0, -1, "Choose one of the options."),
        (0, True, "Choose one of the options."),
        (1, [0, 0], "Choose each option once."),
        (1, [3], "Choose one of the options."),
        (2, 6, "Give a score from 1 to 5."),
        (2, 0, "Give a score from 1 to 5."),
        (2, "4.5", "Give a score from 1 to 5."),
        (3, 11, "Give a score from 0 to 10."),
        (4, [5], "Give one score per item (2 items)."),
        (4, [5, 0], "Give a score from 1 to 5."),
        (5, "x" * 2001, "Use at most 2000 characters."),
        (5, "坏\x00字", "This text contains control characters or invalid characters."),
        (5, 42, "Enter a text."),
    ],
)
def test_values_out_of_range_are_refused(named_survey, people, index, value, message):
    q = questions(named_survey)
    answers = {**full_answers(named_survey), q[index].pk: value}
    assert refused(people["member"], named_survey, answers).message_dict == {f"q{q[index].pk}": [message]}


def test_unknown_questions_are_refused(named_survey, people, builder, union):
    other = open_survey(builder, union["union"])
    answers = {**full_answers(named_survey), questions(other)[0].pk: 1}
    assert "answers" in refused(people["member"], named_survey, answers).message_dict
    assert "answers" in refused(people["member"], named_survey, {"abc": 1}).message_dict


def test_a_hidden_question_is_not_demanded_and_its_answer_is_ignored(named_survey, people):
    q = questions(named_survey)
    answers = {**full_answers(named_survey), q[0].pk: 0}  # "never took part": question 7 is hidden
    response = response_submit(actor=people["member"], survey=named_survey, answers=answers)
    assert not Answer.objects.filter(response=response, question=q[6]).exists()  # "篮球赛" was not stored
    assert Answer.objects.filter(response=response).count() == 8


def test_optional_questions_may_be_left_out(named_survey, people):
    q = questions(named_survey)
    answers = {q[0].pk: "0", str(q[2].pk): "5", q[1].pk: [], q[5].pk: "   ", q[4].pk: [None, 2]}
    response = response_submit(actor=people["member"], survey=named_survey, answers=answers)
    assert set(Answer.objects.filter(response=response).values_list("question_id", "item", "value")) == {
        (q[0].pk, 0, 0),
        (q[2].pk, 0, 5),
        (q[4].pk, 1, 2),
    }


def test_a_required_matrix_needs_every_item(builder, union, people):
    survey = open_survey(builder, union["union"], questions=[
        {"kind": "matrix", "text": "请评价", "items": ["帮扶", "诉求"], "required": True}])  # fmt: skip
    q = questions(survey)[0]
    assert refused(people["member"], survey, {q.pk: [4, None]}).message_dict == {f"q{q.pk}": ["Answer every item."]}


def test_a_condition_on_a_multiple_choice_shows_on_any_chosen_option(builder, union):
    survey = open_survey(builder, union["union"], questions=[
        {"kind": "multiple", "text": "您遇到过哪些困难？", "options": ["住房", "医疗", "子女上学"]},
        {"kind": "text", "text": "请说明", "required": True, "condition": (0, [1, 2])},
    ])  # fmt: skip
    first, second = questions(survey)
    rows, errors = check_answers([first, second], {first.pk: [0]})  # neither 1 nor 2 chosen: hidden
    assert errors == {} and [(r.question_id, r.value) for r in rows] == [(first.pk, 0)]
    assert check_answers([first, second], {first.pk: [0, 2]})[1] == {f"q{second.pk}": "This question is required."}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(score=st.integers(min_value=-50, max_value=50))
def test_a_score_is_taken_exactly_when_it_is_on_the_scale(named_survey, score):
    q = questions(named_survey)
    for question, scale in ((q[2], range(1, 6)), (q[3], range(0, 11))):
        rows, errors = check_answers([question], {question.pk: score})
        assert (not errors) == (score in scale)
        assert [r.value for r in rows] == ([score] if score in scale else [])
