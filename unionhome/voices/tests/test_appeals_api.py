"""The worker's voices API with bearer tokens: sending named and anonymous, my appeals (keyset, constant
queries), one appeal, writing, rating, reopening, withdrawing; the same by code; errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.audit.models import AuditEvent
from unionhome.satisfaction.models import Rating
from unionhome.voices import follow_up_codes
from unionhome.voices.models import Appeal
from unionhome.voices.tests.appeal_helpers import PDF, answer, send, upload
from unionhome.voices.tests.records import appeal_of

BASE = "/api/v1/voices"
NEW = {"kind": "question", "category": "wages", "title": "夜班补贴何时发放", "body": "三月的夜班补贴还没有发。"}


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **params)`` with a bearer token of ``user``."""

    def go(user, method: str, path: str, body=None, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def test_sending_a_named_appeal(call, voices):
    response = call(voices["member"], "post", "/appeals", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get()
    assert body["id"] == appeal.pk and body["reference"] == appeal.reference and body["status"] == "submitted"
    assert body["anonymous"] is False and body["url"] == f"/voices/{appeal.pk}/"
    assert [e["kind"] for e in body["events"]] == ["submitted", "routed"] and body["actions"] == [
        "follow_up",
        "withdraw",
    ]
    assert appeal.member == voices["member_record"]


def test_sending_anonymously_answers_the_code_once(call, voices):
    response = call(voices["member"], "post", "/anonymous/appeals", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get()
    assert appeal.member is None and appeal.code_digest == follow_up_codes.code_digest(body["code"])
    assert body["appeal"]["anonymous"] is True and body["appeal"]["url"] == ""
    assert call(voices["member"], "get", "/appeals").json()["items"] == []  # not among "mine"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"title": ""}, "title"), ({"title": "x" * 81}, "title"), ({"body": "a\x00b"}, "body"), ({"kind": "x"}, "kind")],
)
def test_bad_input_is_422(call, voices, change, field):
    response = call(voices["member"], "post", "/appeals", {**NEW, **change})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == field
    assert not Appeal.objects.exists()


def test_an_account_without_a_member_gets_403(call, voices):
    response = call(voices["cadre"], "post", "/appeals", NEW)
    assert response.status_code == 403 and "members" in response.json()["detail"]


def test_my_appeals_page_by_cursor_with_constant_queries(call, voices):
    made = [appeal_of(voices["member_record"], title=f"第{i}条") for i in range(5)]
    appeal_of(voices["other_s1"])
    seen, params = [], {"limit": 2}
    while True:
        body = call(voices["member"], "get", "/appeals", **params).json()
        seen += [i["id"] for i in body["items"]]
        if not body["next"]:
            break
        params = {"limit": 2, "after": body["next"]}
    assert seen == [a.pk for a in reversed(made)]
    assert call(voices["member"], "get", "/appeals", after="nonsense").status_code == 422

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert call(voices["member"], "get", "/appeals").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for _ in range(10):
        appeal_of(voices["member_record"], status="closed", rating_score=4)
    assert count() == before


def test_one_appeal_is_its_members_only(call, voices):
    appeal, _ = send(voices["member"], attachments=[upload("p.pdf", PDF)])
    body = call(voices["member"], "get", f"/appeals/{appeal.pk}").json()
    assert body["attachments"][0]["url"] == f"/voices/{appeal.pk}/files/{appeal.attachments.get().pk}/"
    other = factories.user("lisi", member=voices["other_s1"])
    assert call(other, "get", f"/appeals/{appeal.pk}").status_code == 404
    assert call(other, "post", f"/appeals/{appeal.pk}/messages", {"body": "冒充"}).status_code == 404
    assert call(voices["member"], "get", "/appeals/999999").status_code == 404


def test_write_rate_reopen_and_withdraw(call, voices):
    appeal, _ = send(voices["member"])
    written = call(voices["member"], "post", f"/appeals/{appeal.pk}/messages", {"body": "补充说明"})
    assert written.status_code == 200 and written.json()["replies"][0]["from_submitter"] is True
    assert call(voices["member"], "post", f"/appeals/{appeal.pk}/rate", {"score": 5}).status_code == 422  # open
    answer(voices["cadre"], appeal)
    assert call(voices["member"], "post", f"/appeals/{appeal.pk}/rate", {"score": 0}).status_code == 422
    rated = call(voices["member"], "post", f"/appeals/{appeal.pk}/rate", {"score": 2, "comment": "一般"})
    assert rated.status_code == 200 and rated.json()["rating"] == {"score": 2, "comment": "一般"}
    twice = call(voices["member"], "post", f"/appeals/{appeal.pk}/rate", {"score": 4})
    assert twice.status_code == 422 and "already rated" in twice.json()["detail"][0]["msg"]
    reopened = call(voices["member"], "post", f"/appeals/{appeal.pk}/reopen", {"reason": "没解决"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    withdrawn = call(voices["member"], "post", f"/appeals/{appeal.pk}/withdraw", {"reason": ""})
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["actions"] == []


def test_everything_by_code(call, voices):
    appeal, code = send(voices["member"], anonymous=True)
    reader = factories.user("wang", member=voices["s2_member"])
    body = call(reader, "post", "/anonymous/appeal", {"code": code.lower()}).json()
    assert body["id"] == appeal.pk and body["anonymous"] is True
    assert call(reader, "post", "/anonymous/messages", {"code": code, "body": "补充"}).status_code == 200
    answer(voices["cadre"], appeal, "已处理。")
    rated = call(reader, "post", "/anonymous/rate", {"code": code, "score": 1})
    assert rated.status_code == 200 and Rating.objects.get().member is None
    reopened = call(reader, "post", "/anonymous/reopen", {"code": code, "reason": "没处理好"})
    assert reopened.json()["status"] == "reopened"
    assert call(reader, "post", "/anonymous/withdraw", {"code": code}).json()["status"] == "withdrawn"
    assert not AuditEvent.objects.filter(action__startswith="voices.appeal.").exclude(actor_id=voices["cadre"].pk)


def test_a_wrong_code_is_404_and_guessing_429_without_a_trace(call, voices):
    _, code = send(voices["member"], anonymous=True)
    for _ in range(follow_up_codes.PER_CLIENT_FAILURES):
        wrong = call(voices["member"], "post", "/anonymous/appeal", {"code": "AAAA-BBBB-CCCC-DDDD"})
        assert wrong.status_code == 404 and wrong.json()["code"] == "unknown_code"
    limited = call(voices["member"], "post", "/anonymous/appeal", {"code": code})
    assert limited.status_code == 429 and limited.json()["code"] == "too_many_attempts"
    assert limited["Retry-After"] == "900"
    assert not AuditEvent.objects.filter(action="access.denied").exists()
