"""The cadres' satisfaction dashboard, /satisfaction/index/: scope (403 for a member, 404 outside), bad
filters answered with a message or 404 and never a 500, suppressed groups shown in words, the comments
rule (at least k ratings in all, never who or when exactly) and a query count that does not grow."""

import re

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from tests import factories
from unionhome.satisfaction.alerts import satisfaction_alerts_raise
from unionhome.satisfaction.models import SatisfactionAlert
from unionhome.satisfaction.periods import Period
from unionhome.satisfaction.service_lines import service_line_label
from unionhome.satisfaction.tests.drivers_data import answered_survey
from unionhome.satisfaction.tests.index_data import at, commented, rate

URL = "/satisfaction/index/"


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.SATISFACTION_MIN_GROUP = 5


def fewer_than(k: int) -> str:
    with translation.override("zh-hans"):
        return escape(translation.ngettext("fewer than %(k)s answer", "fewer than %(k)s answers", k) % {"k": k})


@pytest.fixture
def rated(union):
    rate(union["g11"], "visits", [5, 5, 4, 4, 5], when=at(2026, 10, 3))
    rate(union["g21"], "visits", [3, 3, 4, 2, 3, 4], when=at(2026, 10, 4))
    rate(union["g21"], "appeals", [1, 2], when=at(2026, 10, 5))  # two answers: suppressed everywhere
    rate(union["g21"], "hardship_assistance", [2, 2, 3, 2, 3], when=at(2026, 10, 6))


def page(client, **params):
    response = client.get(URL, params)
    return response, response.content.decode()


def test_the_chair_sees_the_union_with_its_units_and_lines(client, login_as, people, union, rated):
    login_as(people["chair"])
    response, html = page(client, period="2026-10")
    assert response.status_code == 200
    assert union["union"].name in html and union["s1"].name in html and union["s2"].name in html
    # The charts get their data through json_script only.
    for chart in ("index-gauge", "index-trend", "index-units"):
        assert f'<script id="{chart}" type="application/json">' in html
    assert "<script>" not in html
    # Station 2's appeals line (two answers) is suppressed: words, never a number.
    lines = html[html.index('id="lines-table"') :]
    assert fewer_than(5) in lines
    # Lowest first: hardship (index 35.0), visits (70.5), then the suppressed appeals line.
    with translation.override("zh-hans"):
        order = [escape(service_line_label(code)) for code in ("hardship_assistance", "visits", "appeals")]
    assert lines.index(order[0]) < lines.index(order[1]) < lines.index(order[2]) < lines.index(fewer_than(5))
    # The units below link down, keeping the period.
    assert f'href="?unit={union["s2"].pk}&amp;period=2026-10"' in html


def test_drill_down_shows_the_trail_back_to_the_viewers_root(client, login_as, people, union, rated):
    login_as(people["chair"])
    response, html = page(client, unit=union["s2"].pk, period="2026-10", line="visits")
    assert response.status_code == 200
    trail = html[html.index('class="signal-trail"') : html.index('id="index-unit"')]
    assert f'href="?unit={union["union"].pk}&amp;period=2026-10&amp;line=visits"' in trail
    assert union["g21"].name in html and union["s1"].name not in trail


def change_said(html: str) -> str:
    return html[html.index('id="index-change">') :].split("</dd>")[0]


def test_the_change_is_called_significant_only_when_the_test_says_so(client, login_as, people, union):
    rate(union["g11"], "visits", [5, 4] * 6, when=at(2026, 8, 10))
    rate(union["g11"], "visits", [5, 4, 4, 5, 5, 4, 4, 5, 4, 5, 5, 4], when=at(2026, 9, 10))
    rate(union["g11"], "visits", [1, 2] * 6, when=at(2026, 10, 10))
    login_as(people["chair"])
    with translation.override("zh-hans"):
        drop = escape(translation.gettext("A significant drop (p < 0.05)."))
        chance = escape(translation.gettext("Not significant: the difference may be chance."))
    _response, html = page(client, period="2026-10")
    assert drop in change_said(html) and "-75.0" in change_said(html)  # 87.5 to 12.5
    _response, html = page(client, period="2026-09")
    assert chance in change_said(html) and drop not in html


def test_a_member_is_refused_and_a_unit_outside_is_not_found(client, login_as, people, union, rated):
    login_as(people["member"])
    assert client.get(URL).status_code == 403
    login_as(people["cadre"])  # station 1's branch cadre
    assert client.get(URL, {"unit": union["s1"].pk}).status_code == 200
    assert client.get(URL, {"unit": union["s2"].pk}).status_code == 404
    assert client.get(URL, {"unit": union["union"].pk}).status_code == 404
    assert client.get(URL, {"unit": 10**12}).status_code == 404


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "9" * 30, "１２"])
def test_a_bad_unit_is_not_found(client, login_as, people, rated, bad):
    login_as(people["chair"])
    assert client.get(URL, {"unit": bad}).status_code == 404


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "1999", "x", "２０２６", "2026-11-01"])
def test_a_bad_period_or_line_gives_the_page_with_a_message(client, login_as, people, rated, bad):
    login_as(people["chair"])
    response, html = page(client, period=bad)
    assert response.status_code == 200 and 'role="alert"' in html
    this_quarter = Period.containing("quarter", timezone.localdate())
    assert f'<option value="{this_quarter}" selected>' in html
    response, html = page(client, period="2026-10", line="no_such_line")
    assert response.status_code == 200 and 'role="alert"' in html and "no_such_line" in html


def test_the_default_period_is_this_quarter(client, login_as, people):
    login_as(people["chair"])
    _response, html = page(client)
    this_quarter = Period.containing("quarter", timezone.localdate())
    assert f'<option value="{this_quarter}" selected>' in html
    assert len(re.findall(r"<option value=\"20\d\d(-Q\d|-\d\d)?\"", html)) == 12 + 8 + 3


def test_comments_are_shown_from_k_ratings_without_who_or_when(client, login_as, people, union, rated):
    member = people["s2_member"]
    commented(union["g21"], "visits", 1, "窗口态度很差", when=at(2026, 10, 20), member=member)
    commented(union["g21"], "visits", 2, "等了三个小时", when=at(2026, 10, 25))
    commented(union["g21"], "visits", 3, "还可以吧", when=at(2026, 10, 26))  # not low
    commented(union["g21"], "visits", 1, "九月的意见", when=at(2026, 9, 26))  # another period
    commented(union["g11"], "visits", 1, "", when=at(2026, 10, 27))  # no comment
    login_as(people["chair"])
    _response, html = page(client, unit=union["s2"].pk, period="2026-10")
    section = html[html.index('id="comments"') :]
    assert section.index("等了三个小时") < section.index("窗口态度很差")  # newest first
    assert "还可以吧" not in section and "九月的意见" not in section
    assert "2026-10" in section and "2026-10-2" not in section and member.name not in html

    # Group 2 of station 1 has two ratings in October (fewer than k = 5): no index, no comment, and why.
    commented(union["g12"], "visits", 1, "班组太小", when=at(2026, 10, 20))
    commented(union["g12"], "visits", 2, "还是太小", when=at(2026, 10, 21))
    _response, html = page(client, unit=union["g12"].pk, period="2026-10")
    assert 'id="comments-hidden"' in html and "班组太小" not in html
    value = html[html.index('id="index-value"') :]
    assert value.split("</dd>")[0].endswith(fewer_than(5)) and 'id="chart-gauge"' not in html


def test_the_query_count_does_not_grow_with_units_or_ratings(
    client, login_as, people, union, rated, django_assert_max_num_queries
):
    answered_survey(people["chair"], union)  # the drivers are read too
    low_run(union["g21"])
    login_as(people["chair"])
    client.get(URL, {"period": "2026-10"})  # warm the session
    with django_assert_max_num_queries(48) as few:
        assert client.get(URL, {"period": "2026-10"}).status_code == 200
    before = len(few.captured_queries)
    for i in range(6):
        branch = factories.unit(union["union"], f"新分工会{i}", "branch", code=f"N{i:02d}")
        rate(branch, "visits", [1, 2, 3, 4, 5, 1], when=at(2026, 10, 10 + i))
        commented(branch, "visits", 1, f"差评{i}", when=at(2026, 10, 10 + i))
    with django_assert_max_num_queries(before):
        response = client.get(URL, {"period": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200 and "新分工会5" in html and 'id="drivers-table"' in html
    assert html.count('name="alert"') == 1


def low_run(unit) -> SatisfactionAlert:
    """Three 1-star ratings of visits in ``unit`` just now: a run of low ratings, raised by the daily job."""
    rate(unit, "visits", [1, 1, 1], when=timezone.now() - timezone.timedelta(minutes=5))
    satisfaction_alerts_raise(today=timezone.localdate())
    return SatisfactionAlert.objects.get(kind="low_run")


def section(html: str, name: str) -> str:
    start = html.index(f'<section class="card" id="{name}"')
    return html[start : html.index("</section>", start)]


def test_the_heatmap_shows_the_units_below_month_by_month(client, login_as, people, union, rated):
    rate(union["g11"], "visits", [5, 4], when=at(2026, 9, 3))  # two answers in September: suppressed
    login_as(people["chair"])
    _response, html = page(client, period="2026-10")
    assert '<script id="index-heatmap" type="application/json">' in html
    heat = section(html, "heatmap")
    with translation.override("zh-hans"):
        labels = [Period.parse(p).label() for p in ("2026-05", "2026-09", "2026-10")]
    assert all(label in heat for label in labels) and Period.parse("2026-11").label() not in heat
    rows = heat[heat.index("<tbody>") :].split("</tr>")
    station1 = next(row for row in rows if union["s1"].name in row)
    assert f'href="?unit={union["s1"].pk}&amp;period=2026-10"' in station1
    assert fewer_than(5) in station1 and "90.0" in station1  # October: 5, 5, 4, 4, 5


def test_drivers_come_from_the_latest_survey_reaching_the_unit(client, login_as, people, union, rated):
    login_as(people["chair"])
    _response, html = page(client, period="2026-10")
    assert 'id="drivers-none"' in section(html, "drivers") and "index-drivers" not in html
    survey = answered_survey(people["chair"], union, anonymous=True)
    _response, html = page(client, period="2026-10")
    drivers = section(html, "drivers")
    assert survey.title in drivers and '<script id="index-drivers" type="application/json">' in drivers
    with translation.override("zh-hans"):
        act_first, keep_up = translation.gettext("Act first"), translation.gettext("Keep up")
    table = drivers[drivers.index('id="drivers-table"') :]
    assert "帮扶" in table and "诉求处理" in table and table.count("<tr>") == 4
    if act_first in table and keep_up in table:
        assert table.index(act_first) < table.index(keep_up)  # "act first" first
    # Station 2 has four respondents: too few, said in words, no chart.
    _response, html = page(client, unit=union["s2"].pk, period="2026-10")
    assert 'id="drivers-few"' in section(html, "drivers") and "index-drivers" not in html


def test_an_open_alert_is_listed_and_marked_seen(client, login_as, people, union, rated):
    alert = low_run(union["g21"])
    login_as(people["cadre"])  # station 1's cadre does not see station 2's alert
    _response, html = page(client, unit=union["s1"].pk)
    assert 'id="alerts-none"' in html
    assert client.post(f"{URL}?unit={union['s1'].pk}", {"alert": alert.pk}).status_code == 404
    login_as(people["chair"])
    _response, html = page(client)
    alerts = section(html, "alerts")
    assert union["s2"].name in alerts and f'name="alert" value="{alert.pk}"' in alerts
    response = client.post(f"{URL}?unit={union['union'].pk}", {"alert": alert.pk})
    assert response.status_code == 302 and response["Location"] == f"{URL}?unit={union['union'].pk}#alerts"
    alert.refresh_from_db()
    assert alert.seen_by == people["chair"] and alert.seen_at is not None
    _response, html = page(client)
    assert 'id="alerts-none"' in html
    for bad in ("", "abc", "-1", str(10**12)):
        assert client.post(URL, {"alert": bad}).status_code == 404
    login_as(people["member"])
    assert client.post(URL, {"alert": alert.pk}).status_code == 403


def test_with_many_units_below_the_page_lists_the_best_and_the_lowest_and_maps_the_lowest(
    client, login_as, people, union, django_assert_max_num_queries
):
    from unionhome.satisfaction.index_heatmap import MAX_ROWS
    from unionhome.satisfaction.index_reads import units_below
    from unionhome.satisfaction.views_index import UNITS_EACH_END

    def branches(first, count):
        for i in range(first, first + count):
            branch = factories.unit(union["union"], f"多站{i:02d}", "branch", code=f"M{i:02d}")
            rate(branch, "visits", [1 + i % 5] * 3 + [1 + i // 5 % 5] * 2, when=at(2026, 10, 3))

    branches(0, 2 * UNITS_EACH_END)  # with the union's two stations: more than twice UNITS_EACH_END below
    login_as(people["chair"])
    client.get(URL, {"period": "2026-10"})  # warm the session
    with django_assert_max_num_queries(60) as many:
        response, html = page(client, period="2026-10")
    assert response.status_code == 200 and 'id="units-best-and-lowest"' in html and 'id="heatmap-lowest"' in html
    every = units_below(people["chair"], period=Period.parse("2026-10")).units  # best first; all shown here
    assert len(every) == 2 * UNITS_EACH_END + 2 and all(u.figure.index is not None for u in every[:-2])
    listed = html[html.index('id="units"') : html.index('id="heatmap"')]
    mapped = html[html.index('id="heatmap"') :]
    shown = every[:UNITS_EACH_END] + [u for u in every if u.figure.index is not None][-UNITS_EACH_END:]
    assert listed.count('<tr><th scope="row">') == 2 * UNITS_EACH_END
    for u in every:
        assert (f">{u.unit.name}</a>" in listed) == (u in shown), u.unit.name
    lowest = [u.unit.name for u in every if u.figure.index is not None][-MAX_ROWS:]
    for u in every:
        assert (u.unit.name in mapped) == (u.unit.name in lowest), u.unit.name
    branches(2 * UNITS_EACH_END, 6)
    with django_assert_max_num_queries(len(many.captured_queries)):
        assert page(client, period="2026-10")[0].status_code == 200
