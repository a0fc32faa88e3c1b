"""The member's survey pages through the test client: the list (order, badges, counts, constant queries), the
questionnaire, answering named and anonymous, and every refusal as a clear page: a required question
skipped, a value out of range, answering twice, closed, not yet open, not invited (404)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from unionhome.home.member_prompts import register_prompts
from unionhome.surveys.models import Answer, Response
from unionhome.surveys.selectors_answer import survey_prompts
from unionhome.surveys.services import survey_close
from unionhome.surveys.tests.builders import full_answers, open_survey

ONE_QUESTION = [{"kind": "likert", "text": "您对食堂满意吗？", "required": True}]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def member(people, login_as):
    login_as(people["member"])
    return people["member"]


def form_data(survey, answers: dict) -> dict:
    """The page's fields for ``answers`` (as ``full_answers`` gives them)."""
    data: dict = {}
    for question in survey.questions.order_by("position"):
        value = answers.get(question.pk)
        if question.kind == "matrix":
            for i, score in enumerate(value or []):
                data[f"q{question.pk}_{i}"] = str(score)
        elif isinstance(value, list):
            data[f"q{question.pk}"] = [str(v) for v in value]
        elif value is not None:
            data[f"q{question.pk}"] = str(value)
    return data


def answer_url(survey) -> str:
    return reverse("surveys:answer", args=[survey.pk])


def test_the_list_shows_waiting_surveys_closing_first_with_badges(client, member, builder, union):
    now = timezone.now()
    later = open_survey(builder, union["union"], questions=ONE_QUESTION, closes_at=now + datetime.timedelta(days=20))
    sooner = open_survey(
        builder, union["union"], anonymous=True, closes_at=now + datetime.timedelta(days=3)
    )  # seven questions
    page = client.get(reverse("surveys:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(answer_url(sooner)) < html.index(answer_url(later))
    assert "Questions: 7" in html and "Questions: 1" in html and "Anonymous" in html


def test_answered_and_closed_surveys_are_listed_without_their_answers(client, member, builder, union, people):
    answered = open_survey(builder, union["union"], anonymous=True)
    closed = open_survey(builder, union["union"], questions=ONE_QUESTION)
    survey_close(actor=builder, survey=closed)
    client.post(answer_url(answered), form_data(answered, full_answers(answered)))
    html = client.get(reverse("surveys:mine")).content.decode()
    assert "Answered anonymously: no time is kept." in html and "Closed without your answer" in html
    assert "No survey is waiting for your answer." in html
    assert "食堂可以再改进" not in html  # nothing of the response itself


def test_the_list_costs_the_same_queries_for_many_surveys(
    client, member, builder, union, django_assert_max_num_queries
):
    open_survey(builder, union["union"], questions=ONE_QUESTION)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("surveys:mine")).status_code == 200
    for days in range(2, 8):
        open_survey(
            builder, union["union"], questions=ONE_QUESTION, closes_at=timezone.now() + datetime.timedelta(days=days)
        )
    survey_close(actor=builder, survey=open_survey(builder, union["union"], questions=ONE_QUESTION))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("surveys:mine"))
    assert page.content.decode().count("Questions: 1") == 7


def test_the_questionnaire_shows_every_kind_and_the_anonymity_notice(client, member, anonymous_survey):
    page = client.get(answer_url(anonymous_survey))
    assert page.status_code == 200
    html = page.content.decode()
    questions = list(anonymous_survey.questions.order_by("position"))
    for q in questions:
        assert f'id="q{q.pk}-block"' in html
    assert html.count('class="required"') == 3
    assert f'name="q{questions[3].pk}"' in html and f'id="q{questions[3].pk}-10"' in html  # 0–10: 11 buttons
    assert f'name="q{questions[4].pk}_1"' in html  # a matrix row per item
    assert "data-condition=" in html and "No time is kept" in html and "fewer than 5 people" in html
    # Without JavaScript every question is shown, with a note saying when to answer it.
    assert "Answer this only if your answer to question 1 was: 参加过" in html


def test_answering_anonymously_keeps_no_member_and_thanks(client, member, anonymous_survey):
    response = client.post(answer_url(anonymous_survey), form_data(anonymous_survey, full_answers(anonymous_survey)))
    assert response.status_code == 302 and response["Location"] == reverse("surveys:thanks", args=[anonymous_survey.pk])
    stored = Response.objects.get()
    assert stored.member is None and stored.submitted_at == anonymous_survey.opens_at
    thanks = client.get(response["Location"])
    assert "nothing is kept that names you" in thanks.content.decode()


def test_answering_a_named_survey(client, member, named_survey, people):
    response = client.post(answer_url(named_survey), form_data(named_survey, full_answers(named_survey)))
    assert response.status_code == 302
    assert Response.objects.get().member == people["member_record"]
    assert "the union sees your answers with your name" in client.get(response["Location"]).content.decode()


def test_a_skipped_required_question_is_shown_beside_it_and_what_was_typed_stays(client, member, named_survey):
    questions = list(named_survey.questions.order_by("position"))
    answers = full_answers(named_survey)
    del answers[questions[2].pk]  # the required overall question
    page = client.post(answer_url(named_survey), form_data(named_survey, answers))
    assert page.status_code == 422
    html = page.content.decode()
    assert f'<p class="error" id="q{questions[2].pk}-error">This question is required.</p>' in html
    assert "食堂可以再改进。</textarea>" in html
    assert f'id="q{questions[0].pk}-1" name="q{questions[0].pk}" value="1" checked' in html
    assert f'id="q{questions[4].pk}_0-5" name="q{questions[4].pk}_0" value="5" checked' in html
    assert not Response.objects.exists()


@pytest.mark.parametrize(("index", "value", "message"), [(2, "7", "Give a score from 1 to 5."), (0, "5", "Choose one")])
def test_an_out_of_range_value_is_refused(client, member, named_survey, index, value, message):
    question = list(named_survey.questions.order_by("position"))[index]
    data = {**form_data(named_survey, full_answers(named_survey)), f"q{question.pk}": value}
    page = client.post(answer_url(named_survey), data)
    assert page.status_code == 422 and message in page.content.decode()
    assert not Response.objects.exists()


def test_an_answer_to_a_hidden_question_is_ignored(client, member, named_survey):
    questions = list(named_survey.questions.order_by("position"))
    answers = {**full_answers(named_survey), questions[0].pk: 0}  # question 7 is hidden now
    assert client.post(answer_url(named_survey), form_data(named_survey, answers)).status_code == 302
    assert not Answer.objects.filter(question=questions[6]).exists()


def test_answering_twice_is_a_clear_page(client, member, named_survey):
    data = form_data(named_survey, full_answers(named_survey))
    client.post(answer_url(named_survey), data)
    again = client.post(answer_url(named_survey), data)
    assert again.status_code == 409 and "You have already answered this survey" in again.content.decode()
    page = client.get(answer_url(named_survey))
    assert page.status_code == 200 and "You have already answered" in page.content.decode()
    assert '<form method="post" novalidate' not in page.content.decode()
    assert Response.objects.count() == 1


def test_a_closed_survey_says_so(client, member, named_survey, builder):
    survey_close(actor=builder, survey=named_survey)
    page = client.get(answer_url(named_survey))
    assert page.status_code == 200 and "This survey is closed" in page.content.decode()
    post = client.post(answer_url(named_survey), form_data(named_survey, full_answers(named_survey)))
    assert post.status_code == 400 and "This survey is closed" in post.content.decode()
    assert not Response.objects.exists()


def test_a_survey_not_open_yet_says_when_it_opens(client, member, builder, union):
    survey = open_survey(
        builder, union["union"], questions=ONE_QUESTION, opens_at=timezone.now() + datetime.timedelta(days=1)
    )
    page = client.get(answer_url(survey))
    assert page.status_code == 200 and "This survey opens on" in page.content.decode()
    assert client.post(answer_url(survey), {f"q{survey.questions.get().pk}": "4"}).status_code == 400
    assert "Opening soon" in client.get(reverse("surveys:mine")).content.decode()


def test_a_member_not_invited_gets_404(client, member, builder, union):
    elsewhere = open_survey(builder, union["s2"], questions=ONE_QUESTION)  # station 2 only
    assert client.get(answer_url(elsewhere)).status_code == 404
    assert client.post(answer_url(elsewhere), {f"q{elsewhere.questions.get().pk}": "4"}).status_code == 404
    assert client.get(reverse("surveys:thanks", args=[elsewhere.pk])).status_code == 404
    assert client.get(f"/surveys/{elsewhere.pk + 1000}/").status_code == 404
    assert not Response.objects.exists()


def test_an_account_without_a_member_record(client, login_as, people, named_survey):
    login_as(people["chair"])
    assert "not linked to an active member record" in client.get(reverse("surveys:mine")).content.decode()
    assert client.get(answer_url(named_survey)).status_code == 404


def test_the_thank_you_page_needs_an_answer_first(client, member, named_survey):
    response = client.get(reverse("surveys:thanks", args=[named_survey.pk]))
    assert response.status_code == 302 and response["Location"] == answer_url(named_survey)


def test_the_home_page_prompts_a_waiting_survey(client, member, named_survey):
    register_prompts(survey_prompts, "Surveys waiting for your answer")
    html = client.get(reverse("home:index")).content.decode()
    assert f"A survey waits for your answer: {named_survey.title}" in html and answer_url(named_survey) in html
    client.post(answer_url(named_survey), form_data(named_survey, full_answers(named_survey)))
    assert "A survey waits for your answer" not in client.get(reverse("home:index")).content.decode()
