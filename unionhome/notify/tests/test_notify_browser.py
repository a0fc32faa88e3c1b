"""A cadre, on a phone, pastes their WeCom group robot's address on the preferences page; the next
notification reaches the (local) robot through the real task worker, and the inbox. In Chinese, with
axe-core on every page; the phone page must not scroll sideways."""

import time

import pytest
from django.utils import translation

from tests import factories
from tests.browser.conftest import PHONE, browser, task_worker, visit  # noqa: F401  (fixtures)
from unionhome.notify.models import Delivery, Preferences
from unionhome.notify.tests.records import send

pytestmark = pytest.mark.browser


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def test_a_cadre_sets_a_wecom_robot_on_a_phone(transactional_db, visit, union, webhook_server, task_worker):  # noqa: F811
    cadre = factories.user("cadre-li", roles=(("branch_cadre", union["s1"]),), display_name="李站长")
    url = webhook_server.wecom_url("li-zhanzhang-robot-7f3a")

    v = visit(PHONE)
    v.login(cadre.username, factories.PASSWORD, factories.totp_code(cadre))
    v.page.goto("/notify/")
    v.axe()
    v.page.get_by_role("link", name=zh("How I receive notifications"), exact=True).click()
    v.page.wait_for_url("**/notify/preferences/")
    v.axe()
    assert v.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    v.page.get_by_label(zh("WeCom group robot webhook"), exact=True).fill(url)
    v.page.get_by_role("button", name=zh("Save"), exact=True).click()
    v.page.wait_for_url("**/notify/preferences/")
    v.axe()
    assert Preferences.objects.get(user=cadre).wecom_webhook == url
    shown = v.page.locator("#wecom-now").inner_text()
    assert "…7f3a" in shown and "li-zhanzhang" not in v.page.content()

    send(cadre, title="新的职工诉求：夜班食堂关门太早", body="一站甲班，请在1个工作日内受理。", url="/voices/queue/")
    wait_for(lambda: len(webhook_server.messages) == 1)
    [received] = webhook_server.messages
    assert received.platform == "wecom" and received.key == "li-zhanzhang-robot-7f3a"
    assert "夜班食堂关门太早" in received.payload["markdown"]["content"]
    wait_for(lambda: Delivery.objects.filter(status="sent").exists())

    v.page.goto("/notify/")
    assert v.page.get_by_role("link", name="新的职工诉求：夜班食堂关门太早").first.is_visible()
    v.axe()
