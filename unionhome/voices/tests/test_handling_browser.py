"""Handling appeals from end to end, in Chinese, on a phone, as cadres would.

(a) The canteen department's handler sees a new appeal in the queue, replies and closes it.
(b) An overdue appeal escalates to the branch chair: an appeal routed to the canteen department is not
acknowledged in time (its deadlines are moved into the past), the hourly sweep runs in the real task
worker, and station 1's cadre finds it red and marked escalated in the queue and in the inbox, and
answers it. axe-core runs on every page; phone pages must not scroll sideways.
"""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.notify.models import Notification
from unionhome.voices.models import Appeal
from unionhome.voices.tasks import voices_hourly
from unionhome.voices.tests.records import appeal_of

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    """The Chinese the page shows for an English source string (the catalogue is the single source)."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_handler_replies_and_closes_from_a_phone(transactional_db, visit, voices):  # noqa: F811
    appeal = appeal_of(voices["member_record"], category="canteen", title="食堂晚餐供应时间太短")
    h = visit(PHONE)
    h.login(voices["canteen_handler"].username, factories.PASSWORD)
    h.page.goto("/voices/queue/")
    h.axe()
    fits_the_phone(h.page)
    h.page.get_by_role("link", name=f"{appeal.reference} 食堂晚餐供应时间太短", exact=True).click()
    h.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    h.axe()
    fits_the_phone(h.page)
    h.page.get_by_label(zh("Reply"), exact=True).fill("已与食堂沟通，晚餐延长至19:30。")
    h.page.get_by_role("button", name=zh("Send the reply"), exact=True).click()
    h.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    assert h.page.get_by_text("已与食堂沟通，晚餐延长至19:30。", exact=True).is_visible()
    h.page.get_by_label(zh("Final answer"), exact=True).fill("自下周一起晚餐供应延长至19:30。")
    h.page.get_by_role("button", name=zh("Close with this answer"), exact=True).click()
    h.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    h.axe()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    assert h.page.locator("#appeal-status").inner_text().strip() == zh_status("closed")


def zh_status(value: str) -> str:
    with translation.override("zh-hans"):
        return str(Appeal.Status(value).label)


def test_overdue_appeal_escalates_to_the_branch_chair(transactional_db, visit, voices, run_tasks, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "zh-hans"
    appeal = appeal_of(voices["other_s1"], category="canteen", title="夜班没有热饭")
    assert appeal.department == voices["canteen"]
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(
        submitted_at=now - datetime.timedelta(days=3),
        acknowledge_due=now - datetime.timedelta(minutes=1),
    )
    voices_hourly.enqueue()
    run_tasks()
    appeal.refresh_from_db()
    assert (appeal.escalation_level, appeal.escalation_unit) == (1, voices["union"]["s1"])
    chair = voices["cadre"]
    assert Notification.objects.filter(recipient=chair, kind="voices.appeal.escalated").count() == 1

    c = visit(PHONE)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto("/voices/queue/")
    c.axe()
    fits_the_phone(c.page)
    item = c.page.locator(f"#appeal-{appeal.pk}")
    assert "overdue" in item.get_attribute("class")
    assert item.locator(".badge.overdue").inner_text().strip() == zh("overdue")
    with translation.override("zh-hans"):
        escalated = translation.gettext("escalated to %(unit)s") % {"unit": "第一检验站分工会"}
    assert item.locator(".badge.escalated").inner_text().strip() == escalated

    c.page.goto("/notify/")
    c.axe()
    with translation.override("zh-hans"):
        title = translation.gettext("Overdue appeal %(reference)s escalated to %(unit)s") % {
            "reference": appeal.reference,
            "unit": "第一检验站分工会",
        }  # never the appeal's subject: notifications may leave the site
    c.page.get_by_role("link", name=f"{zh('new')} {title}", exact=True).click()
    c.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    c.axe()
    fits_the_phone(c.page)
    c.page.get_by_label(zh("Final answer"), exact=True).fill("已协调食堂为夜班提供热饭，今晚起执行。")
    c.page.get_by_role("button", name=zh("Close with this answer"), exact=True).click()
    c.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED
    assert appeal.replies.get(is_answer=True).author == chair
