"""The whole loop in Chromium, as people would do it: a worker sends an anonymous complaint from her phone;
the handler hears of it in the inbox and by the WeCom group robot (a real HTTP server on 127.0.0.1); the
handler answers on the appeal's page; the worker reads the answer with her code and rates it."""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.notify.models import Notification
from unionhome.notify.services.preferences import preferences_update
from unionhome.satisfaction.models import Rating
from unionhome.voices.models import Appeal
from unionhome.voices.tasks import voices_hourly

pytestmark = pytest.mark.browser


def zh(text: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def test_anonymous_complaint_reaches_the_handler_by_inbox_and_webhook_and_is_rated(
    transactional_db,
    visit,  # noqa: F811
    voices,
    run_tasks,
    webhook_server,
    settings,
    tmp_path,
):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    handler = voices["canteen_handler"]
    preferences_update(actor=handler, wecom_webhook=webhook_server.wecom_url("canteen-robot"))
    worker_record = factories.member(voices["union"]["g12"], "何晓梅", gender="F")
    factories.user("worker-he", member=worker_record)
    title = "食堂夜宵份量太少"

    # 1. The worker sends it anonymously from her phone and writes the code down.
    w = visit(PHONE)
    w.login(worker_record.employee_no, factories.PASSWORD)
    w.page.goto("/voices/")
    w.page.get_by_label(zh("Complaint"), exact=True).check()
    w.page.get_by_label(zh("Category", "appeal"), exact=True).select_option("canteen")
    w.page.get_by_label(zh("Title", "appeal"), exact=True).fill(title)
    w.page.get_by_label(zh("Details"), exact=True).fill("夜班十二点的夜宵只有一个馒头，干体力活吃不饱。")
    w.page.get_by_label(zh("Send anonymously")).check()
    w.page.get_by_role("button", name=zh("Send the appeal"), exact=True).click()
    w.page.wait_for_url("**/voices/anonymous/send/")
    w.axe()
    code = w.page.locator("#follow-up-code").inner_text().strip()
    appeal = Appeal.objects.get()
    assert appeal.is_anonymous and appeal.member is None and appeal.department == voices["canteen"]
    assert not Notification.objects.exists()  # not with the minute it was sent

    # 2. The hourly sweep, after the hour, tells the canteen department: inbox and WeCom robot.
    voices_hourly.enqueue(now=(timezone.now() + datetime.timedelta(hours=1, minutes=5)).isoformat())
    run_tasks()
    told = Notification.objects.get(recipient=handler)
    assert told.kind == "voices.appeal.routed" and appeal.reference in told.title
    robot = [m for m in webhook_server.messages if m.key == "canteen-robot"]
    assert len(robot) == 1 and appeal.reference in robot[0].payload["markdown"]["content"]
    assert title not in robot[0].payload["markdown"]["content"] + told.title + told.body  # it leaves the site
    assert code not in robot[0].payload["markdown"]["content"] + told.title + told.body
    assert "何晓梅" not in robot[0].payload["markdown"]["content"] + told.title + told.body

    # 3. The handler opens it from the inbox on a phone, answers and closes it.
    h = visit(PHONE)
    h.login(handler.username, factories.PASSWORD)
    h.page.goto("/notify/")
    h.axe()
    h.page.get_by_role("link", name=f"{zh('new')} {told.title}", exact=True).click()
    h.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    h.axe()
    assert "何晓梅" not in h.page.content()
    h.page.get_by_label(zh("Final answer"), exact=True).fill("自下周起夜宵增加热汤和鸡蛋，份量加倍。")
    h.page.get_by_role("button", name=zh("Close with this answer"), exact=True).click()
    h.page.wait_for_url(f"**/voices/handle/{appeal.pk}/")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.CLOSED

    # 4. The worker enters her code, reads the answer and rates it.
    w.page.goto("/voices/")
    w.page.get_by_label(zh("Follow-up code")).fill(code)
    w.page.get_by_role("button", name=zh("Open", "read an appeal"), exact=True).click()
    w.page.wait_for_url("**/voices/anonymous/")
    w.axe()
    assert "自下周起夜宵增加热汤和鸡蛋，份量加倍。" in w.page.locator("#replies").inner_text()
    w.page.get_by_label(zh("5 stars: very satisfied")).check()
    w.page.get_by_role("button", name=zh("Send my rating"), exact=True).click()
    w.page.wait_for_url("**/voices/anonymous/rate/")
    assert w.page.get_by_text(zh("Thank you: your rating was saved.")).is_visible()
    rating = Rating.objects.get()
    assert (rating.score, rating.member, rating.cadre) == (5, None, handler)
