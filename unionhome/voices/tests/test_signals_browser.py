"""First signals from end to end, in Chinese.

A week of canteen complaints in station 1 (each counted as the submitting service does) rises well above
the station's usual one a week; the daily job raises an alert. Station 1's branch chair opens the
dashboard, sees the alert and the chart, and marks the alert seen. A worker on a phone opens the
hot-issues board and finds the canteen among the topics, without anyone's name or the appeals' text.
axe-core runs on every page; the phone page must not scroll sideways.
"""

import datetime

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, browser, visit  # noqa: F401  (fixtures)
from unionhome.voices.first_signal import week_start
from unionhome.voices.keywords import topic_words
from unionhome.voices.models import SignalAlert
from unionhome.voices.services.signals import signals_raise
from unionhome.voices.tests.records import appeal_of
from unionhome.voices.tests.signal_records import weekly_counts

pytestmark = pytest.mark.browser

COMPLAINTS = [
    ("食堂饭菜太咸", "最近食堂饭菜偏咸，夜班回来吃不下。"),
    ("食堂夜班没有热饭", "夜班职工到食堂时饭菜都凉了。"),
    ("食堂饭菜分量少", "食堂饭菜分量比以前少了。"),
    ("食堂排队太久", "中午食堂只开一个窗口，饭菜要排二十分钟。"),
    ("食堂卫生差", "食堂餐桌没人擦，饭菜里有头发。"),
]


def zh(text: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def test_a_canteen_spike_reaches_the_branch_chair_and_the_board(transactional_db, visit, union):  # noqa: F811
    chair = factories.user("s1-chair", roles=(("branch_cadre", union["s1"]),), display_name="一站分工会主席")
    worker_record = factories.member(union["g11"], "刘小红", gender="F")
    factories.user("worker-liu", member=worker_record)
    other = factories.member(union["g12"], "陈大勇")
    today = timezone.localdate()
    weekly_counts(union["s1"], "canteen", [1, 1, 1, 1, 1, 1, 1, 1, 0], last_week=week_start(today))
    moment = timezone.now() - datetime.timedelta(minutes=5)
    for i, (title, body) in enumerate(COMPLAINTS):
        who = worker_record if i % 2 else other
        appeal_of(
            who,
            category="canteen",
            title=title,
            body=body,
            submitted_at=moment - datetime.timedelta(minutes=i),
            keywords=topic_words(f"{title}\n{body}"),
            counted=True,
        )
    assert signals_raise(today=today)["raised"] == 1
    alert = SignalAlert.objects.get()

    # 1. The branch chair opens the dashboard: the alert, unseen, and the chart drawn on a canvas.
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto("/voices/signals/")
    c.page.wait_for_selector("#chart-by-week canvas")
    c.axe()
    assert c.page.locator("h1").inner_text() == zh("First signals")
    item = c.page.locator(f"#alert-{alert.pk}")
    assert "第一检验站分工会" in item.inner_text() and zh("Canteen", "appeal category") in item.inner_text()
    assert item.get_by_text(zh("Not seen yet"), exact=True).is_visible()
    assert c.page.get_by_text("饭菜", exact=False).first.is_visible()
    item.get_by_role("button", name=zh("Mark as seen"), exact=True).click()
    c.page.wait_for_url("**/voices/signals/?unit=*")
    c.axe()
    assert c.page.locator(f"#alert-{alert.pk}").get_by_text(zh("Seen"), exact=True).is_visible()
    alert.refresh_from_db()
    assert alert.seen_by == chair

    # 2. A worker on a phone opens the hot-issues board.
    w = visit(PHONE)
    w.login(worker_record.employee_no, factories.PASSWORD)
    w.page.goto("/voices/hot/")
    w.axe()
    assert w.page.locator("h1").inner_text() == zh("Hot issues")
    topics = w.page.locator(".hot-topics").inner_text()
    assert "食堂" in topics and "第一检验站分工会 5" in topics
    html = w.page.content()
    assert "刘小红" not in html.replace(w.page.locator("header").inner_html(), "") and "陈大勇" not in html
    assert "头发" not in html and "食堂卫生差" not in html
    assert w.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
