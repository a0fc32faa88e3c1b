"""The satisfaction dashboard from end to end, in Chinese, as the union chair would use it.

Station 1's workers are pleased with their visits and hardship assistance; station 2's are not pleased with
hardship assistance, and two of them said why. The chair opens the dashboard from the menu, sees the gauge
and the union's two stations, drills down to station 2, finds hardship assistance at the top of the
service lines (lowest first) and reads the two comments, with the month only. Then the same on a phone
360 px wide: nothing scrolls sideways. axe-core runs on every page.

With a closed survey answered, the gauge, the heat map and the drivers' scatter chart are drawn on the desktop
and on the phone, and a tap on a row of the heat map drills down.
"""

import datetime
import itertools

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.browser.conftest import DESKTOP, browser, visit  # noqa: F401  (fixtures)
from unionhome.satisfaction.service_lines import service_line_label
from unionhome.satisfaction.services import rating_record

pytestmark = pytest.mark.browser

NARROW_PHONE = {"width": 360, "height": 780}
COMMENTS = ("补助到账太慢，等了两个月", "申请材料被反复退回")
_items = itertools.count(1)


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def rate(unit, line: str, scores, comments=()) -> None:
    """Ratings through the one write path, a few minutes ago (this month, so this quarter too)."""
    now = timezone.now()
    texts = list(comments) + [""] * (len(scores) - len(comments))
    for i, (score, text) in enumerate(zip(scores, texts, strict=True)):
        rating_record(
            service_line=line,
            item_type="test.journey",
            item_id=next(_items),
            member=None,
            unit_path=unit.path,
            cadre_id=None,
            score=score,
            comment=text,
            rated_at=now - datetime.timedelta(minutes=10 + i),
        )


def test_the_chair_drills_down_to_the_lowest_rated_line(transactional_db, visit, union, people):  # noqa: F811
    chair = people["chair"]
    rate(union["g11"], "visits", [5, 4, 5, 5, 4, 5])
    rate(union["g12"], "hardship_assistance", [4, 5, 4, 5, 5])
    rate(union["g21"], "visits", [4, 5, 4, 4, 5])
    rate(union["g21"], "hardship_assistance", [1, 2, 1, 2, 3, 2], comments=COMMENTS)
    hardship = zh_label("hardship_assistance")

    # 1. The chair opens the dashboard from the menu: the gauge is drawn, both stations are listed.
    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.get_by_role("link", name=zh("Satisfaction index"), exact=True).first.click()
    c.page.wait_for_url("**/satisfaction/index/")
    c.page.wait_for_selector("#chart-gauge canvas")
    c.page.wait_for_selector("#chart-units canvas")
    c.axe()
    assert c.page.locator("h1").inner_text() == zh("Satisfaction index")
    assert c.page.locator("#index-unit").inner_text() == union["union"].name
    rows = c.page.locator("#units-table tbody tr")
    assert rows.count() == 2 and union["s1"].name in rows.first.inner_text()  # best first

    # 2. Down to station 2, the worse one, by clicking its bar (the second: best first).
    chart = c.page.locator("#chart-units[data-drawn]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = chart.evaluate("el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [10, 1])")
    c.page.mouse.click(box["x"] + x, box["y"] + y)
    c.page.wait_for_url(f"**/satisfaction/index/?unit={union['s2'].pk}*")
    c.page.wait_for_selector("#chart-gauge canvas")
    c.axe()
    assert c.page.locator("#index-unit").inner_text() == union["s2"].name
    trail = c.page.get_by_role("navigation", name=zh("Units above"))
    assert trail.get_by_role("link", name=union["union"].name, exact=True).is_visible()

    # 3. Hardship assistance is the lowest-rated line, and the two comments say why, with the month only.
    first_line = c.page.locator("#lines-table tbody tr").first
    assert hardship in first_line.inner_text()
    comments = c.page.locator("#comments")
    for text in COMMENTS:
        assert comments.get_by_text(text, exact=True).is_visible()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert this_month in comments.inner_text() and hardship in comments.inner_text()

    # 4. Back up by the trail, and down again by the table.
    trail.get_by_role("link", name=union["union"].name, exact=True).click()
    c.page.wait_for_selector("#chart-units canvas")
    assert c.page.locator("#index-unit").inner_text() == union["union"].name
    c.page.locator("#units-table").get_by_role("link", name=union["s2"].name, exact=True).click()
    c.page.wait_for_url(f"**/satisfaction/index/?unit={union['s2'].pk}*")

    # 5. Turned to a narrow phone: the charts shrink with the window and nothing scrolls sideways.
    c.page.set_viewport_size(NARROW_PHONE)
    c.page.goto(f"/satisfaction/index/?unit={union['s2'].pk}")
    c.page.wait_for_selector("#chart-trend canvas")
    c.axe()
    assert c.page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
    c.page.set_viewport_size({"width": 900, "height": 780})
    c.page.set_viewport_size(NARROW_PHONE)  # a resize after drawing: the charts follow it
    c.page.wait_for_function("document.querySelector('#chart-trend canvas').getBoundingClientRect().width <= 360")
    assert c.page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
    assert c.page.locator("#comments").get_by_text(COMMENTS[0], exact=True).is_visible()


def zh_label(code: str) -> str:
    with translation.override("zh-hans"):
        return service_line_label(code)


def drawn(c, chart_id: str) -> str:
    """Wait for the chart to be drawn (a canvas, animations done) and answer its first series' type."""
    c.page.wait_for_selector(f"#{chart_id}[data-drawn] canvas")
    return c.page.evaluate(
        f"echarts.getInstanceByDom(document.getElementById('{chart_id}')).getOption().series[0].type"
    )


def test_gauge_heat_map_and_drivers_drawn_on_a_phone_too(transactional_db, visit, union, people):  # noqa: F811
    from unionhome.satisfaction.tests.drivers_data import answered_survey

    chair = people["chair"]
    rate(union["g11"], "visits", [5, 4, 5, 5, 4, 5])
    rate(union["g21"], "visits", [2, 3, 2, 3, 2])
    answered_survey(chair, union)

    c = visit(DESKTOP)
    c.login(chair.username, factories.PASSWORD, factories.totp_code(chair))
    c.page.goto("/satisfaction/index/")
    assert drawn(c, "chart-gauge") == "gauge"
    assert drawn(c, "chart-heatmap") == "heatmap"
    assert drawn(c, "chart-drivers") == "scatter"
    c.axe()
    # The trend's first and last labels sit inside their bands, inside the chart.
    assert c.page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption()"
                           ".xAxis[0].boundaryGap") is True  # fmt: skip
    table = c.page.locator("#drivers-table tbody tr")
    assert table.count() == 3 and "帮扶" in c.page.locator("#drivers-table").inner_text()

    # On a narrow phone: every chart is drawn, nothing scrolls sideways.
    c.page.set_viewport_size(NARROW_PHONE)
    c.page.goto("/satisfaction/index/")
    for chart_id in ("chart-gauge", "chart-heatmap", "chart-drivers", "chart-trend"):
        drawn(c, chart_id)
        width = c.page.evaluate(f"document.querySelector('#{chart_id} canvas').getBoundingClientRect().width")
        assert width <= NARROW_PHONE["width"]
    c.axe()
    assert c.page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]

    # A tap on station 2's row of the heat map drills down to it.
    chart = c.page.locator("#chart-heatmap[data-drawn]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    row = c.page.evaluate(
        f"JSON.parse(document.getElementById('index-heatmap').textContent).ids.indexOf({union['s2'].pk})"
    )
    x, y = chart.evaluate(f"el => echarts.getInstanceByDom(el).convertToPixel({{seriesIndex: 0}}, [5, {row}])")
    c.page.mouse.click(box["x"] + x, box["y"] + y)
    c.page.wait_for_url(f"**/satisfaction/index/?unit={union['s2'].pk}*")
    assert c.page.locator("#index-unit").inner_text() == union["s2"].name
