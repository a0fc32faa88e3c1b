"""A member rates the services she received from her inbox, on a phone, in Chinese.

Her appeal about the bathhouse is answered (through the handling service): a rating request arrives in her
inbox. She opens the inbox, follows the request to the appeal, rates the answer 4 stars with a comment and
sees her rating on the appeal. Then she was visited in hospital (through the visits service): she follows
that request to the rating page, rates the visit 4 stars with a comment, sees it on her visits, and changes
it to 5 stars within the edit window. Last, she opens "you said, we did" from the menu. axe-core runs on every
page; no page scrolls sideways.

(An appeal answer's rating is kept with the appeal, where it decides whether the appeal may be reopened;
the voices feature offers no change of it, so the change within the window is shown on the visit.)
"""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance.models import Visit
from unionhome.assistance.services.visits import visit_record
from unionhome.assistance.tests.conftest import centre  # noqa: F401  (fixture)
from unionhome.satisfaction.models import Rating
from unionhome.satisfaction.ratable import ratable_for
from unionhome.satisfaction.services_actions import feedback_action_create
from unionhome.voices.tests.appeal_helpers import answer, send
from unionhome.voices.tests.conftest import voices  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def zh(text: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def request_title(item_text: str) -> str:
    return zh("Please rate: %(item)s") % {"item": item_text}


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_member_rates_an_answered_appeal_and_a_visit_from_her_inbox_on_a_phone(
    transactional_db,
    visit,  # noqa: F811
    voices,  # noqa: F811
    centre,  # noqa: F811
    tmp_path,
    settings,
):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    member, record = voices["member"], voices["member_record"]
    appeal, _ = send(member, title="澡堂热水不够用")
    feedback_action_create(
        actor=voices["chair"],
        unit=voices["union"]["union"],
        title="澡堂热水",
        said="夜班职工反映澡堂热水不够用。",
        done="夜班热水供应延长到凌晨一点。",
        publish=True,
    )
    answer(voices["cadre"], appeal, "已协调后勤延长热水供应至次日凌晨一点。", public=False)

    # 1. On her phone she opens the inbox and follows the rating request of the answered appeal.
    w = visit(PHONE)
    w.login(record.employee_no, factories.PASSWORD)
    page = w.page
    page.locator("a.inbox").click()
    page.wait_for_url("**/notify/")
    w.axe()
    fits_the_phone(page)
    # The request names the appeal by its date only (it may go out by email), not by its subject.
    appeal_day = timezone.localdate(appeal.submitted_at).isoformat()
    page.get_by_role("link", name=request_title(zh("your appeal of %(date)s") % {"date": appeal_day})).click()
    page.wait_for_url(f"**/voices/{appeal.pk}/")
    w.axe()
    fits_the_phone(page)

    # 2. She rates the answer 4 stars with a comment, and sees her rating on the appeal.
    page.get_by_label(zh("4 stars: satisfied")).check()
    page.get_by_label(zh("Anything you want to tell the union (optional)")).fill("热水够用了，谢谢。")
    page.get_by_role("button", name=zh("Send my rating"), exact=True).click()
    page.get_by_text(zh("Thank you: your rating was saved.")).wait_for()
    page.goto(f"/voices/{appeal.pk}/")
    w.axe()
    fits_the_phone(page)
    assert "热水够用了，谢谢。" in page.content()
    rating = Rating.objects.get(item_type="voices.appealreply")
    assert (rating.score, rating.member, rating.comment) == (4, record, "热水够用了，谢谢。")

    # 3. She was visited in hospital: that request leads to the rating page of the visit.
    due = Visit.objects.create(
        member=record, unit_path=record.unit_path, occasion="illness", status="due", due_by=centre["today"]
    )
    hospital = visit_record(actor=voices["cadre"], visit=due, visited_on=centre["today"], visitor_names="工会 刘")
    page.locator("a.inbox").click()
    page.wait_for_url("**/notify/")
    with translation.override("zh-hans"):
        visit_text = ratable_for(hospital).notice_of(hospital)  # the line and the date, not the hospital stay
    page.get_by_role("link", name=request_title(visit_text)).click()
    page.wait_for_url(f"**/satisfaction/rate/assistance.visit/{hospital.pk}/")
    w.axe()
    fits_the_phone(page)
    page.get_by_label(zh("4 stars: satisfied")).check()
    page.get_by_label(zh("Anything you want to tell the union (optional)")).fill("来得很及时。")
    page.get_by_role("button", name=zh("Send my rating"), exact=True).click()
    page.wait_for_url("**/satisfaction/")
    w.axe()
    fits_the_phone(page)
    assert page.get_by_text(zh("Thank you. Your rating helps the union do better.")).is_visible()

    # 4. Her visit shows it is rated; within the window she changes it to 5 stars.
    page.goto("/assistance/visits/mine/")
    w.axe()
    assert page.get_by_text(zh("You rated this visit. Thank you.")).is_visible()
    page.goto("/satisfaction/")
    page.get_by_role("link", name=zh("Change", "rating")).first.click()
    page.wait_for_url(f"**/satisfaction/rate/assistance.visit/{hospital.pk}/")
    w.axe()
    fits_the_phone(page)
    assert page.get_by_label(zh("4 stars: satisfied")).is_checked()
    page.get_by_label(zh("5 stars: very satisfied")).check()
    page.get_by_role("button", name=zh("Change my rating"), exact=True).click()
    page.wait_for_url("**/satisfaction/")
    assert page.get_by_text(zh("Your rating was changed. Thank you.")).is_visible()
    changed = Rating.objects.get(item_type="assistance.visit")
    assert (changed.score, changed.comment) == (5, "来得很及时。") and changed.changed_at is not None
    assert timezone.now() - changed.rated_at < datetime.timedelta(minutes=5)

    # 5. In the menu, "you said, we did" shows what the union did about what workers said.
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name=zh("You said, we did"), exact=True).click()
    page.wait_for_url("**/satisfaction/you-said/")
    w.axe()
    fits_the_phone(page)
    assert page.get_by_text("夜班热水供应延长到凌晨一点。").is_visible()
