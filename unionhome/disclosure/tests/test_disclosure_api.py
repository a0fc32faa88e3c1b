"""The disclosure API with bearer tokens: the board, one notice (read recorded), mark read, questions;
for cadres creating and publishing, receipts, reminding and answering. Errors and query counts."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unionhome.accounts.services import api_token_issue
from unionhome.disclosure.models import Notice, NoticeQuestion, NoticeRead
from unionhome.disclosure.services.questions import question_answer, question_ask
from unionhome.disclosure.tests.records import PDF, draft, published

BASE = "/api/v1/disclosure"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **params)`` with a bearer token of ``user``."""

    def go(user, method: str, path: str, body=None, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def test_the_board_lists_the_callers_notices_with_read_marks(call, office):
    union = office["union"]
    read = published(office["office"], union["union"], days_ago=2, title="全中心")
    pinned = published(office["office"], union["s1"], days_ago=5, title="置顶", pinned=True)
    published(office["office"], union["s2"], title="二站")
    call(office["worker"], "post", f"/notices/{read.pk}/read")
    response = call(office["worker"], "get", "/notices")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(i["id"], i["read"]) for i in body["items"]] == [(pinned.pk, False), (read.pk, True)]
    assert body["items"][0]["unit_name"] == "技术中心工会" and body["items"][0]["url"] == f"/disclosure/{pinned.pk}/"
    assert body["next"] is None
    assert call(office["worker"], "get", "/notices", category="safety").json()["items"] == []
    assert call(office["worker"], "get", "/notices", after="nonsense").status_code == 422


def test_board_pages_by_cursor(call, office):
    made = [published(office["office"], office["union"]["s1"], days_ago=i) for i in range(5)]
    seen, params = [], {"limit": 2}
    while True:
        body = call(office["worker"], "get", "/notices", **params).json()
        seen += [i["id"] for i in body["items"]]
        if not body["next"]:
            break
        params = {"limit": 2, "after": body["next"]}
    assert seen == [n.pk for n in made]


def test_the_board_query_count_is_constant(call, office):
    published(office["office"], office["union"]["s1"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert call(office["worker"], "get", "/notices").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(10):
        notice = published(office["office"], office["union"]["g11" if i % 2 else "union"], pinned=i == 4)
        if i % 3 == 0:
            call(office["worker"], "post", f"/notices/{notice.pk}/read")
    assert count() == before


def test_opening_a_notice_records_the_read(call, office):
    notice = published(office["office"], office["union"]["s1"], files=(("方案.pdf", PDF),))
    body = call(office["worker"], "get", f"/notices/{notice.pk}").json()
    assert body["read"] is True and body["status"] == "published" and body["audience_name"] == "第一检验站分工会"
    [attachment] = body["attachments"]
    assert attachment["name"] == "方案.pdf" and attachment["content_type"] == "application/pdf"
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    again = call(office["worker"], "post", f"/notices/{notice.pk}/read").json()
    assert again["new"] is False and NoticeRead.objects.count() == 1
    assert call(office["worker_s2"], "get", f"/notices/{notice.pk}").status_code == 404
    assert call(office["worker_s2"], "post", f"/notices/{notice.pk}/read").status_code == 404


def test_asking_and_listing_questions(call, office):
    notice = published(office["office"], office["union"]["s1"])
    response = call(office["worker"], "post", f"/notices/{notice.pk}/questions", {"body": "补贴何时到账？"})
    assert response.status_code == 201, response.content
    asked = response.json()
    assert asked["unit_name"] == "一站甲班" and asked["answered_at"] is None
    assert call(office["worker"], "post", f"/notices/{notice.pk}/questions", {"body": ""}).status_code == 422
    too_long = call(office["worker"], "post", f"/notices/{notice.pk}/questions", {"body": "问" * 1001})
    assert too_long.status_code == 422
    blank = call(office["worker"], "post", f"/notices/{notice.pk}/questions", {"body": "   "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["msg"] == "Write your question."
    assert call(office["worker_s2"], "post", f"/notices/{notice.pk}/questions", {"body": "我呢"}).status_code == 404
    mine = call(office["worker"], "get", f"/notices/{notice.pk}/questions").json()
    assert [q["id"] for q in mine["mine_waiting"]] == [asked["id"]] and mine["answered"] == []
    question_answer(actor=office["cadre"], question=NoticeQuestion.objects.get(), answer="月底。")
    other = call(office["worker_b"], "get", f"/notices/{notice.pk}/questions").json()
    assert [(q["answer"], q["unit_name"]) for q in other["answered"]] == [("月底。", "一站甲班")]
    assert "asker" not in json.dumps(other) and "张三" not in json.dumps(other, ensure_ascii=False)


def test_the_office_creates_and_publishes(call, office):
    start = timezone.now()
    payload = {
        "title": "2026年度福利方案",
        "category": "wages_welfare",
        "audience_id": office["union"]["s1"].pk,
        "body": "方案全文……",
        "publish_from": start.isoformat(),
        "pinned": True,
    }
    response = call(office["office"], "post", "/notices", payload)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["pinned"] is True
    published_now = call(office["office"], "post", f"/notices/{created['id']}/publish")
    assert published_now.status_code == 200 and published_now.json()["status"] == "published"
    again = call(office["office"], "post", f"/notices/{created['id']}/publish")
    assert again.status_code == 422 and again.json()["detail"][0]["msg"] == "Only a draft can be published."
    direct = call(office["office"], "post", "/notices", {**payload, "publish": True, "publish_from": None})
    assert direct.status_code == 201 and direct.json()["status"] == "published"


def test_create_errors(call, office):
    payload = {"title": "t", "category": "safety", "audience_id": office["union"]["s2"].pk, "body": "b"}
    assert call(office["worker"], "post", "/notices", payload).status_code == 403
    outside = call(office["branch_office"], "post", "/notices", payload)
    assert outside.status_code == 422 and outside.json()["detail"][0]["loc"] == ["body", "audience"]
    missing = call(office["office"], "post", "/notices", {**payload, "audience_id": 999999})
    assert missing.status_code == 422
    start = timezone.now()
    window = {
        **payload,
        "publish_from": start.isoformat(),
        "publish_until": (start - datetime.timedelta(hours=1)).isoformat(),
    }
    bad = call(office["office"], "post", "/notices", window)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "publish_until"]
    naive = call(office["office"], "post", "/notices", {**payload, "publish_from": "2026-03-01T08:00:00"})
    assert naive.status_code == 201
    assert (
        call(office["office"], "post", "/notices", {**payload, "publish_from": "1900-01-01T00:00:00"}).status_code
        == 422
    )
    assert Notice.objects.count() == 1
    draft_notice = draft(office["office"], office["union"]["s1"])
    assert call(office["cadre"], "post", f"/notices/{draft_notice.pk}/publish").status_code == 404


def test_receipts_and_remind(call, office, django_capture_on_commit_callbacks):
    notice = published(office["office"], office["union"]["union"])
    call(office["worker"], "get", f"/notices/{notice.pk}")
    body = call(office["office"], "get", f"/notices/{notice.pk}/receipts").json()
    assert (body["audience"], body["readers"], body["unread"]) == (3, 1, 2)
    by_unit = {u["unit_name"]: (u["audience"], u["readers"], u["unread"]) for u in body["units"]}
    assert by_unit == {"第一检验站分工会": (2, 1, 1), "第二检验站分工会": (1, 0, 1)}
    branch = call(office["cadre"], "get", f"/notices/{notice.pk}/receipts").json()
    assert branch["unit_name"] == "第一检验站分工会" and {u["unit_name"] for u in branch["units"]} == {
        "一站甲班",
        "一站乙班",
    }
    assert call(office["worker"], "get", f"/notices/{notice.pk}/receipts").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        reminded = call(office["cadre"], "post", f"/notices/{notice.pk}/remind")
    assert reminded.status_code == 202 and reminded.json()["units"] == [office["union"]["s1"].path]
    assert call(office["worker"], "post", f"/notices/{notice.pk}/remind").status_code == 403


def test_answering(call, office):
    notice = published(office["office"], office["union"]["s1"])
    question = question_ask(actor=office["worker"], notice=notice, body="问")
    assert call(office["worker_b"], "post", f"/questions/{question.pk}/answer", {"answer": "答"}).status_code == 403
    assert call(office["cadre2"], "post", f"/questions/{question.pk}/answer", {"answer": "答"}).status_code == 404
    assert call(office["cadre"], "post", f"/questions/{question.pk}/answer", {"answer": "  "}).status_code == 422
    done = call(office["cadre"], "post", f"/questions/{question.pk}/answer", {"answer": "已答复"})
    assert done.status_code == 200 and done.json()["answer"] == "已答复"
    twice = call(office["chair"], "post", f"/questions/{question.pk}/answer", {"answer": "再答"})
    assert twice.status_code == 422 and "already been answered" in twice.json()["detail"][0]["msg"]
