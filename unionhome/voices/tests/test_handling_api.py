"""The handling API with bearer tokens: queue, one appeal, acknowledge, reply, transfer, close."""

import json

import pytest

from unionhome.accounts.services import api_token_issue
from unionhome.keyset import encode_cursor
from unionhome.voices.models import Appeal
from unionhome.voices.tests.records import appeal_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/voices/handling"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    def go(user, method: str, path: str, body=None, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def test_queue_and_the_whole_handling(voices, call):
    appeal = appeal_of(voices["member_record"], category="canteen")
    anonymous = appeal_of(voices["union"]["g11"], category="canteen")
    handler = voices["canteen_handler"]
    body = call(handler, "get", "/queue").json()
    assert {i["id"] for i in body["items"]} == {appeal.pk, anonymous.pk}
    anon = next(i for i in body["items"] if i["id"] == anonymous.pk)
    assert anon["anonymous"] and anon["submitter"] == "" and anon["unit_name"] == "第一检验站分工会"
    detail = call(handler, "get", f"/appeals/{appeal.pk}").json()
    assert detail["actions"] == ["acknowledge", "reply", "transfer", "close"]
    assert call(handler, "post", f"/appeals/{appeal.pk}/acknowledge").json()["status"] == "acknowledged"
    replied = call(handler, "post", f"/appeals/{appeal.pk}/reply", {"body": "正在处理", "public": False}).json()
    assert replied["replies"][0]["body"] == "正在处理"
    closed = call(handler, "post", f"/appeals/{appeal.pk}/close", {"answer": "已解决", "public": True})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = call(handler, "post", f"/appeals/{appeal.pk}/reply", {"body": "再说一句"})
    assert again.status_code == 422


def test_transfer_and_errors(voices, call):
    appeal = appeal_of(voices["member_record"], category="canteen")
    handler = voices["canteen_handler"]
    assert (
        call(handler, "post", f"/appeals/{appeal.pk}/transfer", {"reason": "x", "handler_id": 999999}).status_code
        == 422
    )
    assert call(handler, "post", f"/appeals/{appeal.pk}/reply", {"body": ""}).status_code == 422
    response = call(
        handler,
        "post",
        f"/appeals/{appeal.pk}/transfer",
        {"reason": "归安全", "handler_id": voices["safety_officer"].pk},
    )
    assert response.status_code == 404  # no longer the caller's to see
    assert Appeal.objects.get(pk=appeal.pk).handler == voices["safety_officer"]
    assert call(voices["cadre2"], "get", f"/appeals/{appeal.pk}").status_code == 404
    assert call(voices["member"], "get", "/queue").status_code == 403
    assert call(handler, "get", "/queue", after="junk").status_code == 422
    assert call(handler, "get", "/queue", after=encode_cursor(["2026-05-04", 1])).status_code == 422  # no time


def test_queue_query_count_is_constant(voices, call, django_assert_max_num_queries):
    appeal_of(voices["member_record"], category="welfare")
    call(voices["cadre"], "get", "/queue")
    with django_assert_max_num_queries(15) as few:
        call(voices["cadre"], "get", "/queue")
    for i in range(15):
        appeal_of(voices["member_record"], category="welfare", title=f"t{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call(voices["cadre"], "get", "/queue").json()["items"]) == 16
