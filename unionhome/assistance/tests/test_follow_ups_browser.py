"""Journey in Chromium on a phone: the daily sweep reminds the responsible officer of a follow-up falling
due; the officer sees the unread count, opens the reminder and records the follow-up; the member rates
the help with stars. axe on every page, no sideways scrolling."""

import pytest

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.assistance import tasks
from unionhome.assistance.models import FollowUp
from unionhome.assistance.tests.test_follow_ups_services import delivered, first_follow_up
from unionhome.notify.models import Notification
from unionhome.satisfaction.models import Rating

pytestmark = pytest.mark.browser

PAGE_BUDGET_BYTES = 200 * 1024


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_follow_up_falls_due_is_recorded_and_the_member_rates_it(transactional_db, visit, centre, run_tasks):  # noqa: F811
    officer = centre["officer_s1"]
    assistance = delivered(centre, days_ago=30)
    follow_up = first_follow_up(assistance)
    tasks.assistance_daily.enqueue(centre["today"].isoformat())
    run_tasks()
    reminder = Notification.objects.get(recipient=officer)
    assert reminder.url == f"/assistance/follow-ups/{follow_up.pk}/"

    # The officer sees one unread notification in the header, opens it, lands on the follow-up.
    o = visit(PHONE)
    o.login(officer.username, factories.PASSWORD, factories.totp_code(officer))
    header_badge = o.page.locator("header .inbox .badge")
    assert header_badge.inner_text() == "1"
    o.page.locator("header .inbox").click()
    o.page.wait_for_url("**/notify/")
    no_sideways_scroll(o.page)
    o.axe()
    o.page.locator(f"a[href='/notify/{reminder.pk}/']").click()
    o.page.wait_for_url(f"**/assistance/follow-ups/{follow_up.pk}/")
    no_sideways_scroll(o.page)
    o.axe()
    o.page.locator("[name=findings]").fill("孩子已复学，家中收入恢复，生活基本稳定。")
    o.page.locator("label[for=id_grade_1]").click()  # improved
    o.page.locator("[name=next_steps]").fill("三个月后再回访")
    o.page.locator("form:has([name=findings]) button[type=submit]").click()
    o.page.wait_for_url("**/assistance/follow-ups/")
    no_sideways_scroll(o.page)
    o.axe()
    assert FollowUp.objects.get(pk=follow_up.pk).grade == "improved"
    assert o.page.locator("header .inbox .badge").count() == 0  # read on opening
    o.page.goto("/assistance/follow-ups/?state=done")
    o.axe()
    assert o.page.locator(f"a[href='/assistance/follow-ups/{follow_up.pk}/']").count() == 1

    # The member rates the help on their phone.
    m = visit(PHONE)
    m.login(centre["member_record"].employee_no, factories.PASSWORD)
    m.page.goto("/satisfaction/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator(f"a[href='/satisfaction/rate/assistance.assistance/{assistance.pk}/']").click()
    m.page.wait_for_url(f"**/satisfaction/rate/assistance.assistance/{assistance.pk}/")
    no_sideways_scroll(m.page)
    m.axe()
    m.page.locator("label[for=id_score_0]").click()  # five stars
    m.page.locator("[name=comment]").fill("回访很及时，谢谢工会")
    m.page.locator("form:has([name=score]) button[type=submit]").click()
    m.page.wait_for_url("**/satisfaction/")
    m.axe()
    rating = Rating.objects.get()
    assert (rating.score, rating.cadre, rating.item_id) == (5, officer, assistance.pk)

    # The email address form on the account page is accessible too.
    m.page.goto("/accounts/me/")
    m.axe()

    mine = ("/notify/", "/assistance/follow-ups/", "/satisfaction/", "/accounts/me/")
    for v in (o, m):
        for url, size in v.bytes_by_document.items():
            if any(part in url for part in mine):
                assert size < PAGE_BUDGET_BYTES, f"{url} transferred {size} bytes"
