"""The first-signal and hot-issues API with bearer tokens: data, scope, errors and query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.voices.first_signal import week_start
from unionhome.voices.models import SignalAlert
from unionhome.voices.services.signals import signals_raise
from unionhome.voices.tests.signal_records import topic_counts, weekly_counts

BASE = "/api/v1/voices"
HISTORY = [1, 0, 2, 1, 1, 0, 1, 2]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    def go(user, method: str, path: str, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps({}), content_type="application/json", headers=headers)

    return go


@pytest.fixture
def spike(voices):
    union = voices["union"]
    weekly_counts(union["s1"], "canteen", [*HISTORY, 6], last_week=week_start(timezone.localdate()))
    topic_counts(union["s1"], "canteen", "饭菜", 5, month=timezone.localdate().replace(day=1))
    signals_raise(today=timezone.localdate())
    return voices


def test_dashboard_data(call, spike):
    response = call(spike["chair"], "get", "/signals", weeks=8)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"]["name"] == "技术中心工会" and len(body["weeks"]) == 8 and body["total"] == 6 + sum(HISTORY[1:])
    canteen = next(c for c in body["categories"] if c["category"] == "canteen")
    assert canteen["weekly"][-1] == 6 and canteen["label"] == "Canteen"
    assert [(u["name"], u["total"]) for u in body["units"]] == [("第一检验站分工会", 13), ("第二检验站分工会", 0)]
    assert [(a["branch"]["name"], a["category"], a["count"], a["seen"]) for a in body["alerts"]] == [
        ("第一检验站分工会", "canteen", 6, False)
    ]
    assert body["words"] == [{"word": "饭菜", "count": 5}]
    s1 = call(spike["chair"], "get", "/signals", unit=spike["union"]["s1"].pk).json()
    assert s1["trail"] == [{"id": spike["union"]["union"].pk, "name": "技术中心工会"}]
    assert [u["is_self"] for u in s1["units"]] == [True]


def test_dashboard_errors(call, spike):
    assert call(spike["member"], "get", "/signals").status_code == 403
    assert call(spike["cadre2"], "get", "/signals", unit=spike["union"]["s1"].pk).status_code == 404
    assert call(spike["chair"], "get", "/signals", weeks=5).status_code == 422
    assert call(spike["chair"], "get", "/signals", unit=0).status_code == 422
    assert call(spike["chair"], "get", "/signals", unit=2**63).status_code == 422


def test_mark_an_alert_seen(call, spike):
    alert = SignalAlert.objects.get()
    assert call(spike["cadre2"], "post", f"/signals/alerts/{alert.pk}/seen").status_code == 404
    assert call(spike["member"], "post", f"/signals/alerts/{alert.pk}/seen").status_code == 403
    response = call(spike["cadre"], "post", f"/signals/alerts/{alert.pk}/seen")
    assert response.status_code == 200 and response.json()["seen"] is True
    assert (
        call(spike["chair"], "post", f"/signals/alerts/{alert.pk}/seen").json()["seen_at"] == response.json()["seen_at"]
    )
    assert call(spike["chair"], "post", "/signals/alerts/999999/seen").status_code == 404


def test_hot_issues(call, spike):
    response = call(spike["member"], "get", "/hot")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"]["name"] == "技术中心工会"
    assert body["topics"] == [
        {"category": "canteen", "word": "饭菜", "appeals": 5, "branches": [{"name": "第一检验站分工会", "appeals": 5}]}
    ]
    assert body["done"] == [] and body["next"] is None
    assert call(spike["member"], "get", "/hot", unit=spike["union"]["s1"].pk).status_code == 404
    assert call(spike["canteen_handler"], "get", "/hot").json()["unit"] is None


def test_the_dashboard_query_count_is_constant(call, spike):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert call(spike["chair"], "get", "/signals").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(12):
        branch = factories.unit(spike["union"]["union"], f"第{i}站", "branch", code=f"Z{i:02d}")
        weekly_counts(branch, "safety", [*HISTORY, 4], last_week=week_start(timezone.localdate()))
    signals_raise(today=timezone.localdate())
    assert count() == before
