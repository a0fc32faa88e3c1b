"""Building and sending a survey from end to end, in Chinese, on a desktop, as the union chair would.

The chair starts a new survey from the builder's list, adds a Likert overall question, a single choice and
a text question shown only to those who chose "参加过", tries to move the conditional question above its
condition and to open the survey without dates and sees why each is refused, sets the dates, opens it
(confirmed on a page saying how many will be invited) and sees the members invited. axe-core runs on
every page.
"""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import DESKTOP, browser, visit  # noqa: F401  (fixtures)
from unionhome.surveys.models import Question, Survey

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def add_question(c, kind: str, text: str, *, options: str = "", overall: bool = False, shown_for: str = "") -> None:
    c.page.get_by_role("link", name=zh("Add a question"), exact=True).click()
    c.page.wait_for_url("**/questions/new/")
    c.page.get_by_label(zh("Kind of question"), exact=True).select_option(kind)
    c.page.get_by_label(zh("Question"), exact=True).fill(text)
    if options:
        c.page.get_by_label(zh("Options"), exact=True).fill(options)
    if overall:
        c.page.get_by_label(zh("This is the overall satisfaction question"), exact=True).check()
    if shown_for:
        c.page.get_by_label(shown_for, exact=True).check()
    c.axe()
    c.page.get_by_role("button", name=zh("Save the question"), exact=True).click()
    c.page.wait_for_url("**/surveys/manage/*/")


def test_the_chair_builds_and_opens_a_survey(transactional_db, visit, union, people):  # noqa: F811
    chair = people["chair"]
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))

    # 1. A new draft from the builder's list, without dates for now.
    c.page.goto("/surveys/manage/")
    c.axe()
    c.page.get_by_role("link", name=zh("New survey"), exact=True).click()
    c.page.wait_for_url("**/surveys/manage/new/")
    c.axe()
    c.page.get_by_label(zh("Title"), exact=True).fill("2026年职工活动满意度调查")
    c.page.get_by_label(zh("Introduction"), exact=True).fill("请根据实际情况填写，约需两分钟。")
    c.page.get_by_role("button", name=zh("Save the draft"), exact=True).click()
    c.page.wait_for_url("**/surveys/manage/*/")
    c.axe()
    survey = Survey.objects.get()
    assert survey.unit == union["union"] and survey.status == "draft"

    # 2. Three questions: the overall Likert one, a single choice, and a text shown only for "参加过".
    add_question(c, "likert", "总体上，您对工会活动满意吗？", overall=True)
    add_question(c, "single", "今年您参加过工会活动吗？", options="没有\n参加过")
    add_question(c, "text", "您参加过哪些活动？", shown_for="参加过")
    c.axe()
    questions = c.page.locator("#questions > li")
    assert questions.count() == 3
    assert "参加过" in questions.nth(2).inner_text()
    conditional = Question.objects.get(survey=survey, position=3)
    assert conditional.condition_values == [1] and conditional.condition_question.position == 2

    # 3. Broken: the conditional question cannot move above its condition.
    c.page.get_by_role("button", name=zh("Move question %(position)s up") % {"position": 3}, exact=True).click()
    c.page.wait_for_url("**/surveys/manage/*/**")
    alert = c.page.locator(".messages")
    assert zh("A condition can only depend on an earlier question.") in alert.inner_text()
    assert Question.objects.get(pk=conditional.pk).position == 3

    # 4. Too early: opening without dates lists what is missing; nothing is sent.
    c.page.get_by_role("link", name=zh("Open the survey"), exact=True).click()
    c.page.wait_for_url("**/open/")
    c.axe()
    c.page.get_by_role("button", name=zh("Yes, open it"), exact=True).click()
    problems = c.page.locator("#open-errors")
    problems.wait_for()
    c.axe()
    assert zh("Set when the survey opens.") in problems.inner_text()
    assert zh("Set when the survey closes.") in problems.inner_text()
    assert Survey.objects.get(pk=survey.pk).status == "draft"

    # 5. Fixed: the dates are set, and the survey opens; its members are invited.
    c.page.get_by_role("link", name=zh("Edit the survey"), exact=True).click()
    c.page.wait_for_url("**/edit/")
    now = timezone.now()
    c.page.get_by_label(zh("Opens at"), exact=True).fill(local(now - datetime.timedelta(minutes=5)))
    c.page.get_by_label(zh("Closes at"), exact=True).fill(local(now + datetime.timedelta(days=10)))
    c.axe()
    c.page.get_by_role("button", name=zh("Save the draft"), exact=True).click()
    c.page.wait_for_url(f"**/surveys/manage/{survey.pk}/")
    c.page.get_by_role("link", name=zh("Open the survey"), exact=True).click()
    c.page.wait_for_url("**/open/")
    assert "3" in c.page.locator("form.card").inner_text()
    c.page.get_by_role("button", name=zh("Yes, open it"), exact=True).click()
    c.page.wait_for_url(f"**/surveys/manage/{survey.pk}/")
    c.axe()
    assert c.page.locator("#survey-status").inner_text() == zh_status("open")
    invited = int(c.page.locator("[data-rate=invited]").inner_text())
    assert invited > 0 and invited == 3
    live = c.page.evaluate(
        "fetch(document.querySelector('#survey-rate[data-live]').dataset.rateUrl).then(r => r.json())"
    )
    assert live["invited"] == 3 and live["responded"] == 0  # what the page polls every 30 s
    assert Survey.objects.get(pk=survey.pk).status == "open"

    # 6. The list shows it open with its invited members.
    c.page.goto("/surveys/manage/")
    row = c.page.locator("#survey-list tbody tr").first
    assert "2026年职工活动满意度调查" in row.inner_text() and zh_status("open") in row.inner_text()


def zh_status(value: str) -> str:
    with translation.override("zh-hans"):
        return str(Survey.Status(value).label)
