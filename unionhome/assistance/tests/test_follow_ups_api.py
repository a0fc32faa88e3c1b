"""GET /assistance/queues/follow-ups and POST /assistance/follow-ups/{id}: scope, filters, paging, errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.accounts.services import api_token_issue
from unionhome.assistance.models import FollowUp
from unionhome.assistance.services.follow_ups import follow_up_record
from unionhome.assistance.tests.test_follow_ups_services import delivered, first_follow_up
from unionhome.audit.models import AuditEvent
from unionhome.keyset import encode_cursor

QUEUE = "/api/v1/assistance/queues/follow-ups"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **params)`` with a bearer token of ``user``."""

    def go(user, method: str, path: str, body=None, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(path, params, headers=headers)
        return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)

    return go


def test_queue_lists_due_follow_ups_overdue_first(call, centre):
    late = first_follow_up(delivered(centre, days_ago=40))
    today = first_follow_up(delivered(centre, centre["other_s1"], days_ago=30))
    first_follow_up(delivered(centre, centre["s2_member"], days_ago=50, responsible=centre["officer_s2"]))
    response = call(centre["officer_s1"], "get", QUEUE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [i["id"] for i in body["items"]] == [late.pk, today.pk] and body["next"] is None
    first = body["items"][0]
    assert first == {
        "id": late.pk,
        "assistance_id": late.assistance_id,
        "sequence": 1,
        "member_id": centre["member_record"].pk,
        "member_name": "张三",
        "unit_name": "一站甲班",
        "kind": "cash",
        "due_on": late.due_on.isoformat(),
        "days_overdue": 10,
        "responsible_id": centre["officer_s1"].pk,
        "responsible_name": "officer_s1",
        "done_on": None,
        "grade": None,
        "escalated": False,
        "url": f"/assistance/follow-ups/{late.pk}/",
    }
    assert body["items"][1]["days_overdue"] == 0


def test_queue_filters_and_pages(call, centre):
    made = [first_follow_up(delivered(centre, days_ago=40 - i)) for i in range(5)]
    done = first_follow_up(delivered(centre, days_ago=60))
    follow_up_record(actor=centre["officer_s1"], follow_up=done, findings="ok", grade="resolved")
    officer = centre["officer_s1"]
    seen, after = [], None
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        body = call(officer, "get", QUEUE, **params).json()
        seen += [i["id"] for i in body["items"]]
        after = body["next"]
        if not after:
            break
    assert seen == [f.pk for f in made]
    recorded = call(officer, "get", QUEUE, state="done").json()["items"]
    assert [(i["id"], i["grade"]) for i in recorded] == [(done.pk, "resolved")]
    assert call(officer, "get", QUEUE, state="overdue").json()["items"][0]["id"] == made[0].pk


NOT_A_DATE = encode_cursor(["2026-05-04T08:00:00+08:00", 1])  # decodes, but the queue is keyed on a date


@pytest.mark.parametrize(
    "params", [{"state": "all"}, {"limit": 0}, {"limit": 101}, {"after": "not-a-cursor"}, {"after": NOT_A_DATE}]
)
def test_queue_refuses_bad_parameters(call, centre, params):
    response = call(centre["officer_s1"], "get", QUEUE, **params)
    assert response.status_code == 422 and response.json()["code"] == "invalid"


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_queue_is_refused_without_follow_ups(call, centre, who):
    response = call(centre[who], "get", QUEUE)
    assert response.status_code == 403
    assert "assistance.follow_up" in response.json()["detail"]


def test_queue_without_a_token_is_401(client, centre):
    assert client.get(QUEUE).status_code == 401


def test_queue_query_count_is_constant(call, centre):
    token = api_token_issue(user=centre["officer_union"])[0]
    delivered(centre, days_ago=40)

    def count():
        from django.test import Client

        with CaptureQueriesContext(connection) as ctx:
            response = Client().get(QUEUE, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["items"])

    count()  # the token's first use writes last_used_at
    before, n = count()
    for i in range(10):
        delivered(centre, centre["s2_member"] if i % 2 else centre["other_s1"], days_ago=35 + i)
    after, m = count()
    assert (after, m) == (before, n + 10)


def test_recording_through_the_api(call, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    response = call(
        centre["officer_s1"],
        "post",
        f"/api/v1/assistance/follow-ups/{follow_up.pk}",
        {"findings": "孩子复学了\n家里好转", "grade": "improved", "next_steps": "再访"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["grade"] == "improved" and body["done_on"] is not None and body["days_overdue"] == 0
    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert stored.findings == "孩子复学了\n家里好转" and stored.recorded_by == centre["officer_s1"]


def test_recording_twice_through_the_api_is_422(call, centre):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    path = f"/api/v1/assistance/follow-ups/{follow_up.pk}"
    assert call(centre["officer_s1"], "post", path, {"findings": "a", "grade": "worse"}).status_code == 200
    again = call(centre["officer_union"], "post", path, {"findings": "b", "grade": "resolved"})
    assert again.status_code == 422 and "already recorded" in again.json()["detail"][0]["msg"]
    assert FollowUp.objects.get(pk=follow_up.pk).findings == "a"


@pytest.mark.parametrize(
    "body",
    [
        {"findings": "x", "grade": "great"},
        {"grade": "improved"},
        {"findings": "x" * 5001, "grade": "improved"},
        {"findings": "bad\x00text", "grade": "improved"},
        {"findings": "   ", "grade": "improved"},
    ],
)
def test_bad_bodies_are_422_and_change_nothing(call, centre, body):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    response = call(centre["officer_s1"], "post", f"/api/v1/assistance/follow-ups/{follow_up.pk}", body)
    assert response.status_code == 422, response.content
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "member", "auditor", "admin"])
def test_recording_outside_scope_is_404(call, centre, who):
    follow_up = first_follow_up(delivered(centre, days_ago=31))
    response = call(
        centre[who], "post", f"/api/v1/assistance/follow-ups/{follow_up.pk}", {"findings": "x", "grade": "worse"}
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).exists()


def test_unknown_follow_up_is_404(call, centre):
    response = call(
        centre["officer_union"], "post", "/api/v1/assistance/follow-ups/999999", {"findings": "x", "grade": "worse"}
    )
    assert response.status_code == 404


def test_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"assistance_follow_up_queue", "assistance_follow_up_record"} <= operations
