"""The member's survey API with bearer tokens: surveys to answer (order, constant queries), one questionnaire,
answering named and anonymous (never a response id), and the errors: 400 closed or not open, 403 without
a member record, 404 not invited, 409 answered twice, 422 per question (required skipped, out of range)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unionhome.accounts.services import api_token_issue
from unionhome.surveys.models import Answer, Response
from unionhome.surveys.services import survey_close
from unionhome.surveys.tests.builders import full_answers, open_survey

BASE = "/api/v1/satisfaction/surveys"
ONE_QUESTION = [{"kind": "likert", "text": "您对食堂满意吗？", "required": True}]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None)`` with a bearer token of ``user``."""

    def go(user, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, headers=headers)
        return client.post(BASE + path, data=json.dumps(body), content_type="application/json", headers=headers)

    return go


def as_json(answers: dict) -> dict:
    return {"answers": {str(k): v for k, v in answers.items()}}


def test_surveys_to_answer_closing_first(call, client, people, builder, union, django_assert_max_num_queries):
    now = timezone.now()
    later = open_survey(builder, union["union"], questions=ONE_QUESTION, closes_at=now + datetime.timedelta(days=9))
    sooner = open_survey(builder, union["union"], anonymous=True, closes_at=now + datetime.timedelta(days=2))
    body = call(people["member"], "get", "").json()
    assert [s["id"] for s in body] == [sooner.pk, later.pk]
    assert (
        body[0]["anonymous"] is True and body[0]["question_count"] == 7 and body[0]["url"] == f"/surveys/{sooner.pk}/"
    )
    headers = {"Authorization": f"Bearer {api_token_issue(user=people['member'])[0]}"}
    with CaptureQueriesContext(connection) as first:
        client.get(BASE, headers=headers)
    for days in range(3, 9):
        open_survey(builder, union["union"], questions=ONE_QUESTION, closes_at=now + datetime.timedelta(days=days))
    with django_assert_max_num_queries(len(first.captured_queries)):
        listed = client.get(BASE, headers=headers)
    assert len(listed.json()) == 8


def test_the_questionnaire(call, people, anonymous_survey):
    body = call(people["member"], "get", f"/{anonymous_survey.pk}").json()
    assert body["state"] == "open" and body["anonymous"] is True and body["min_group"] == 5
    kinds = [q["kind"] for q in body["questions"]]
    assert kinds == ["single", "multiple", "likert", "recommendation", "matrix", "text", "text"]
    first, *_, last = body["questions"]
    assert first["options"] == ["没有", "参加过"] and first["required"] is True and first["condition"] is None
    assert body["questions"][3]["scale"] == [0, 10] and body["questions"][4]["items"] == ["帮扶", "诉求处理"]
    assert last["condition"] == {"question_id": first["id"], "values": [1]}


def test_answering_anonymously_returns_no_response_id(call, people, anonymous_survey):
    response = call(
        people["member"], "post", f"/{anonymous_survey.pk}/responses", as_json(full_answers(anonymous_survey))
    )
    assert response.status_code == 201 and response.json() == {"answered": True}
    assert Response.objects.get().member is None
    assert call(people["member"], "get", f"/{anonymous_survey.pk}").json()["state"] == "answered"
    assert call(people["member"], "get", "").json() == []


def test_answering_a_named_survey(call, people, named_survey):
    response = call(people["member"], "post", f"/{named_survey.pk}/responses", as_json(full_answers(named_survey)))
    assert response.status_code == 201 and response.json() == {"answered": True}
    assert Response.objects.get().member == people["member_record"]


def test_answering_twice_is_409(call, people, named_survey):
    body = as_json(full_answers(named_survey))
    call(people["member"], "post", f"/{named_survey.pk}/responses", body)
    again = call(people["member"], "post", f"/{named_survey.pk}/responses", body)
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert Response.objects.count() == 1


def test_a_closed_survey_is_400(call, people, named_survey, builder):
    survey_close(actor=builder, survey=named_survey)
    response = call(people["member"], "post", f"/{named_survey.pk}/responses", as_json(full_answers(named_survey)))
    assert response.status_code == 400 and response.json()["code"] == "closed"
    assert call(people["member"], "get", f"/{named_survey.pk}").json()["state"] == "closed"
    assert not Response.objects.exists()


def test_a_survey_not_open_yet_is_400(call, people, builder, union):
    survey = open_survey(
        builder, union["union"], questions=ONE_QUESTION, opens_at=timezone.now() + datetime.timedelta(hours=5)
    )
    question = survey.questions.get()
    response = call(people["member"], "post", f"/{survey.pk}/responses", {"answers": {str(question.pk): 4}})
    assert response.status_code == 400 and response.json()["code"] == "not_open"
    assert call(people["member"], "get", f"/{survey.pk}").json()["state"] == "not_open"


def test_a_skipped_required_question_is_422_at_its_id(call, people, named_survey):
    questions = list(named_survey.questions.order_by("position"))
    answers = full_answers(named_survey)
    del answers[questions[2].pk]
    response = call(people["member"], "post", f"/{named_survey.pk}/responses", as_json(answers))
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert (
        problem["loc"] == ["body", "answers", str(questions[2].pk)] and problem["msg"] == "This question is required."
    )
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (2, 6, "Give a score from 1 to 5."),
        (3, 11, "Give a score from 0 to 10."),
        (0, 2, "Choose one of the options."),
        (1, [0, 0], "Choose each option once."),
        (4, [5], "Give one score per item (2 items)."),
        (5, "x" * 2001, "Use at most 2000 characters."),
    ],
)
def test_out_of_range_values_are_422(call, people, named_survey, index, value, message):
    question = list(named_survey.questions.order_by("position"))[index]
    body = as_json({**full_answers(named_survey), question.pk: value})
    response = call(people["member"], "post", f"/{named_survey.pk}/responses", body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "answers", str(question.pk)], "msg": message, "type": "value_error"}
    ]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("answers", [{"x": 1}, {"1": True}, {"1": 2.5}, {"1": {"a": 1}}, []])
def test_malformed_answers_are_422(call, people, named_survey, answers):
    response = call(people["member"], "post", f"/{named_survey.pk}/responses", {"answers": answers})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert not Response.objects.exists()


def test_a_member_not_invited_gets_404(call, people, builder, union):
    elsewhere = open_survey(builder, union["s2"], questions=ONE_QUESTION)
    question = elsewhere.questions.get()
    assert call(people["member"], "get", f"/{elsewhere.pk}").status_code == 404
    response = call(people["member"], "post", f"/{elsewhere.pk}/responses", {"answers": {str(question.pk): 4}})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Response.objects.exists()


def test_an_account_without_a_member_gets_403(call, people, named_survey):
    assert call(people["chair"], "get", "").status_code == 403
    response = call(people["chair"], "post", f"/{named_survey.pk}/responses", as_json(full_answers(named_survey)))
    assert response.status_code == 403 and response.json()["code"] == "not_a_member"


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get"} <= set(paths[BASE])
    assert {"post"} <= set(paths[BASE + "/{survey_id}/responses"])
    operation = paths[BASE + "/{survey_id}/responses"]["post"]
    assert {"201", "400", "404", "409", "422"} <= set(operation["responses"])
    assert "AnswersIn" in schema["components"]["schemas"]
