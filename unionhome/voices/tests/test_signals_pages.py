"""The first-signal dashboard page: scope, drill-down, charts' data, alerts marked seen, query counts."""

import datetime
import json

import pytest
from django.utils import timezone

from tests import factories
from unionhome.voices.first_signal import week_start
from unionhome.voices.models import SignalAlert
from unionhome.voices.services.signals import signals_raise
from unionhome.voices.tests.signal_records import topic_counts, weekly_counts

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HISTORY = [1, 0, 2, 1, 1, 0, 1, 2]


def this_week() -> datetime.date:
    return week_start(timezone.localdate())


@pytest.fixture
def spike(voices):
    union = voices["union"]
    weekly_counts(union["s1"], "canteen", [*HISTORY, 6], last_week=this_week())
    weekly_counts(union["s2"], "wages", [1, 1, 1, 1, 1, 1, 1, 1, 1], last_week=this_week())
    topic_counts(union["s1"], "canteen", "饭菜", 5, month=timezone.localdate().replace(day=1))
    topic_counts(union["s2"], "wages", "夜班补贴", 2, month=timezone.localdate().replace(day=1))
    signals_raise(today=timezone.localdate())
    return voices


def chart(html: str, chart_id: str) -> dict:
    start = html.index(f'<script id="{chart_id}" type="application/json">') + len(
        f'<script id="{chart_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_chair_sees_volumes_by_category_and_branch_and_the_alert(client, login_as, spike):
    login_as(spike["chair"])
    response = client.get("/voices/signals/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "dist/echarts.slim.min.js" in html and "js/voices-signals.js" in html
    assert "<script>" not in html  # data only through json_script
    line = chart(html, "signals-by-week")
    assert len(line["labels"]) == 12
    series = {s["name"]: s["values"] for s in line["series"]}
    assert series["Canteen"][-1] == 6 and sum(series["Canteen"]) == 6 + sum(HISTORY)
    assert series["Wages and pay"][-1] == 1
    bars = chart(html, "signals-by-unit")
    assert bars["labels"][0] == "第一检验站分工会" and bars["ids"][0] == spike["union"]["s1"].pk
    alert = SignalAlert.objects.get()
    assert f'id="alert-{alert.pk}"' in html and "Not seen yet" in html
    assert "饭菜" in html and "夜班补贴" in html


def test_drilling_down_to_a_branch_and_choosing_the_period(client, login_as, spike):
    login_as(spike["chair"])
    s2 = spike["union"]["s2"]
    response = client.get(f"/voices/signals/?unit={s2.pk}&weeks=4", **EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<strong id="signal-unit">第二检验站分工会</strong>' in html
    assert len(chart(html, "signals-by-week")["labels"]) == 4
    assert "饭菜" not in html and "alert-" not in html
    assert client.get("/voices/signals/?weeks=999&unit=abc", **EN).status_code == 200


def test_a_branch_cadre_sees_only_their_branch(client, login_as, spike):
    login_as(spike["cadre2"])
    html = client.get("/voices/signals/", **EN).content.decode()
    assert '<strong id="signal-unit">第二检验站分工会</strong>' in html
    assert "alert-" not in html
    assert client.get(f"/voices/signals/?unit={spike['union']['s1'].pk}", **EN).status_code == 404
    assert client.get(f"/voices/signals/?unit={spike['union']['union'].pk}", **EN).status_code == 404


@pytest.mark.parametrize("who", ["member", "admin", "auditor", "canteen_handler"])
def test_without_the_permission_the_dashboard_is_refused(client, login_as, spike, who):
    login_as(spike[who])
    assert client.get("/voices/signals/", **EN).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, spike):
    assert client.get("/voices/signals/").status_code == 302
    assert client.get("/voices/hot/").status_code == 302


def test_marking_an_alert_seen_from_the_page(client, login_as, spike):
    alert = SignalAlert.objects.get()
    login_as(spike["cadre"])
    response = client.post(f"/voices/signals/alerts/{alert.pk}/seen/", {"weeks": "8"}, **EN)
    assert response.status_code == 302
    assert response["Location"] == f"/voices/signals/?unit={alert.branch_id}&weeks=8#alerts"
    alert.refresh_from_db()
    assert alert.seen_by == spike["cadre"]
    html = client.get(response["Location"], **EN).content.decode()
    assert "Seen by" in html and "Mark as seen" not in html


def test_marking_seen_is_refused_out_of_scope_and_without_permission(client, login_as, spike):
    alert = SignalAlert.objects.get()
    login_as(spike["cadre2"])
    assert client.post(f"/voices/signals/alerts/{alert.pk}/seen/", **EN).status_code == 404
    login_as(spike["member"])
    assert client.post(f"/voices/signals/alerts/{alert.pk}/seen/", **EN).status_code == 403
    assert client.get(f"/voices/signals/alerts/{alert.pk}/seen/", **EN).status_code == 405
    alert.refresh_from_db()
    assert alert.seen_at is None


def test_the_dashboard_query_count_does_not_grow(client, login_as, spike, django_assert_max_num_queries):
    login_as(spike["chair"])
    client.get("/voices/signals/", **EN)
    with django_assert_max_num_queries(12) as before:
        client.get("/voices/signals/", **EN)
    baseline = len(before.captured_queries)
    for i in range(25):
        branch = factories.unit(spike["union"]["union"], f"第{i}站", "branch", code=f"Y{i:02d}")
        weekly_counts(branch, "canteen", [*HISTORY, 5], last_week=this_week())
        topic_counts(branch, "canteen", f"词语{i}", 3, month=timezone.localdate().replace(day=1))
    signals_raise(today=timezone.localdate())
    assert SignalAlert.objects.count() == 26
    with django_assert_max_num_queries(baseline):
        html = client.get("/voices/signals/", **EN).content.decode()
    assert "第24站" in html
