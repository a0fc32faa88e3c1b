"""A member answers an anonymous survey on a phone (390 × 844, Chinese), as a person would.

From "my surveys" they open the survey, read what anonymity means, see question 7 appear only once they
say they took part in union activities (question 1), send without the required overall question and see
the error beside it with everything they entered still there, answer it and get the thank-you page. The
database then holds one response with no member. axe-core runs on every page; nothing scrolls sideways.
"""

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import browser, visit  # noqa: F401  (fixtures)
from unionhome.surveys.models import Answer, Invitation, Response
from unionhome.surveys.tests.builders import open_survey

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def test_a_member_answers_an_anonymous_survey_on_a_phone(transactional_db, visit, union, people):  # noqa: F811
    survey = open_survey(people["chair"], union["union"], anonymous=True)
    q = list(survey.questions.order_by("position"))
    record = people["member_record"]

    # 1. From "my surveys" to the questionnaire.
    c = visit(PHONE)
    c.login(record.employee_no, factories.PASSWORD)
    page = c.page
    page.goto("/surveys/")
    c.axe()
    page.get_by_role("link", name=survey.title, exact=True).click()
    page.wait_for_url(f"**/surveys/{survey.pk}/")
    c.axe()
    assert page.locator("#anonymity-title").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 2. Question 7 is shown only after "参加过" is chosen in question 1.
    follow_up = page.locator(f"#q{q[6].pk}-block")
    assert follow_up.is_hidden()
    page.get_by_label("没有", exact=True).check()
    assert follow_up.is_hidden()
    page.get_by_label("参加过", exact=True).check()
    assert follow_up.is_visible()
    page.locator(f"#q{q[6].pk}").fill("篮球赛、读书会")
    assert page.locator(f"#q{q[6].pk}-counter").inner_text() == "7 / 2000"
    page.locator(f"#q{q[3].pk}-9").check()  # 0–10: a row of 11 buttons
    page.locator(f"#q{q[4].pk}_0-4").check()
    page.locator(f"#q{q[4].pk}_1-3").check()

    # 3. The required overall question (3) is skipped: the error is beside it, the rest is kept.
    page.get_by_role("button", name=zh("Send my answers")).click()
    page.wait_for_selector("#survey-errors")
    c.axe()
    error = page.locator(f"#q{q[2].pk}-error")
    assert error.is_visible() and error.inner_text() == zh("This question is required.")
    assert page.get_by_label("参加过", exact=True).is_checked()
    assert page.locator(f"#q{q[6].pk}").input_value() == "篮球赛、读书会" and follow_up.is_visible()
    assert page.locator(f"#q{q[3].pk}-9").is_checked()
    assert not Response.objects.exists()

    # 4. Answered: the thank-you page says nothing is kept that names them.
    page.locator(f"#q{q[2].pk}-4").check()
    page.get_by_role("button", name=zh("Send my answers")).click()
    page.wait_for_url(f"**/surveys/{survey.pk}/thanks/")
    c.axe()
    assert page.locator("#survey-thanks").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # 5. One response, with no member; the invitation says only that they answered.
    response = Response.objects.get()
    assert response.member is None and response.unit_path == union["s1"].path
    assert Answer.objects.get(response=response, question=q[6]).text == "篮球赛、读书会"
    assert Answer.objects.get(response=response, question=q[2]).value == 4
    assert Invitation.objects.get(survey=survey, member=record).responded_at == survey.opens_at
