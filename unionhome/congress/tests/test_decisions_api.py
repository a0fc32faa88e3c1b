"""/api/v1/congress/decisions…: the list and the timeline as JSON, commenting, and the office's and
representatives' actions, with their errors (401, 403, 404, 422) and a constant query count."""

import datetime
import json

import pytest
from django.utils import timezone

from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import Decision, OpinionCall, OpinionComment, TrackingMilestone
from unionhome.congress.services import opinion_calls as calls
from unionhome.congress.tests import decision_records as records
from unionhome.satisfaction.models import Rating

BASE = "/api/v1/congress/decisions"


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
        return client.post(path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def test_office_runs_the_whole_story_through_the_api(congress, call):
    office, member = congress["office"], congress["member"]
    r = call(office, "post", BASE, {"union_id": congress["union"]["union"].pk, "title": "夜班津贴", "summary": "调整"})
    assert r.status_code == 201, r.content
    decision_id = r.json()["id"]
    closes = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    r = call(
        office,
        "post",
        f"{BASE}/{decision_id}/opinion-calls",
        {"audience_id": congress["union"]["s1"].pk, "title": "征求意见稿", "draft": "草案全文", "closes_at": closes},
    )
    assert r.status_code == 201, r.content
    call_id = r.json()["id"]
    assert r.json()["accepting_comments"] is True
    r = call(member, "post", f"{BASE}/opinion-calls/{call_id}/comments", {"body": "建议提高"})
    assert r.status_code == 201 and r.json()["named_comments_left"] == 4
    records.pass_deadline(OpinionCall.objects.get(pk=call_id))
    r = call(member, "post", f"{BASE}/opinion-calls/{call_id}/comments", {"body": "晚了"})
    assert r.status_code == 422 and "the deadline has passed" in r.json()["detail"][0]["msg"]
    comment = OpinionComment.objects.get()
    r = call(office, "post", f"{BASE}/opinion-comments/{comment.pk}/adoption", {"adoption": "adopted"})
    assert r.status_code == 200 and r.json()["adoption"] == "adopted" and r.json()["number"] == 1
    r = call(office, "post", f"{BASE}/opinion-calls/{call_id}/summary", {"summary": "采纳1条"})
    assert r.status_code == 200 and r.json()["status"] == "summarised"
    motion = records.motion(congress)
    assert (
        call(office, "post", f"{BASE}/{decision_id}/motion", {"motion_id": motion.pk}).json()["stage"] == "deliberating"
    )
    r = call(office, "post", f"{BASE}/{decision_id}/decided")
    assert r.status_code == 422 and "has not passed the motion yet" in r.json()["detail"][0]["msg"]
    records.closed_vote(congress, motion, counts=(7, 1, 0))
    assert call(office, "post", f"{BASE}/{decision_id}/decided").json()["stage"] == "decided"
    notice = records.notice(congress)
    assert call(office, "post", f"{BASE}/{decision_id}/notice", {"notice_id": notice.pk}).status_code == 200
    target = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    r = call(office, "post", f"{BASE}/{decision_id}/tracking", {"responsible": "人力资源部", "target_on": target})
    assert r.json()["stage"] == "implementing"
    r = call(office, "post", f"{BASE}/{decision_id}/milestones", {"title": "细则", "due_on": target})
    assert len(r.json()["tracking"]["milestones"]) == 1
    milestone = TrackingMilestone.objects.get()
    r = call(
        congress["rep_users"][0], "post", f"{BASE}/{decision_id}/inspections", {"score": 4, "findings": "正在推进"}
    )
    assert r.status_code == 200 and r.json()["tracking"]["average_score"] == 4.0
    assert Rating.objects.get().score == 4
    r = call(office, "post", f"{BASE}/milestones/{milestone.pk}", {"progress_note": "完成", "done": True})
    assert r.json()["tracking"]["milestones"][0]["done_on"] == timezone.localdate().isoformat()
    assert call(office, "post", f"{BASE}/{decision_id}/complete").json()["stage"] == "done"

    # The worker reads the whole timeline.
    r = call(member, "get", f"{BASE}/{decision_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["opinion_calls"][0]["comment_count"] == 1
    assert body["opinion_calls"][0]["taken_up"][0]["body"] == "建议提高"
    assert body["votes"][0]["outcome"] == "passed" and body["votes"][0]["participation"] == 8
    assert body["votes"][0]["options"] == [
        {"label": "赞成", "count": 7},
        {"label": "反对", "count": 1},
        {"label": "弃权", "count": 0},
    ]
    assert body["notice"]["id"] == notice.pk
    assert body["tracking"]["status"] == "done" and body["tracking"]["inspections"][0]["score"] == 4
    r = call(member, "get", f"{BASE}/opinion-calls/{call_id}")
    assert [c["author_name"] for c in r.json()["comments"]] == ["张三"]


def test_open_vote_shows_no_counts(congress, call):
    decision = records.deliberating(congress)
    vote = records.closed_vote(congress, decision.motion)
    type(vote).objects.filter(pk=vote.pk).update(status="open")
    body = call(congress["office"], "get", f"{BASE}/{decision.pk}").json()
    assert body["votes"][0] == {
        "id": vote.pk,
        "title": vote.title,
        "status": "open",
        "outcome": None,
        "participation": None,
        "options": [],
    }


def test_anonymous_comment_shows_no_author(congress, call):
    opinion = records.open_call(congress, records.new_decision(congress))
    calls.opinion_comment_submit(actor=congress["member"], call=opinion, body="匿名", anonymous=True)
    body = call(congress["office"], "get", f"{BASE}/opinion-calls/{opinion.pk}").json()
    assert body["comments"][0]["anonymous"] is True and body["comments"][0]["author_name"] is None


def test_errors(congress, call, client):
    decision = records.new_decision(congress)
    opinion = records.open_call(congress, decision, audience=congress["union"]["s2"])
    assert client.get(BASE).status_code == 401
    # Not the office: 403; not in scope: 404; bad input: 422.
    assert (
        call(congress["member"], "post", BASE, {"union_id": congress["union"]["union"].pk, "title": "x"}).status_code
        == 403
    )
    assert call(congress["member"], "get", f"{BASE}/{decision.pk}").status_code == 404  # station 1, call to station 2
    assert call(congress["rep_users"][5], "post", f"{BASE}/{decision.pk}/decided").status_code == 403
    assert call(congress["office"], "get", f"{BASE}/999999").status_code == 404
    r = call(congress["office"], "post", BASE, {"union_id": congress["union"]["s1"].pk, "title": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "union_id"]
    r = call(congress["office"], "post", f"{BASE}/{decision.pk}/motion", {"motion_id": 999999})
    assert r.status_code == 422
    r = call(congress["rep_users"][5], "post", f"{BASE}/opinion-calls/{opinion.pk}/comments", {"body": "x" * 2001})
    assert r.status_code == 422
    r = call(congress["rep_users"][5], "post", f"{BASE}/opinion-calls/{opinion.pk}/comments", {"body": "a\x00b"})
    assert r.status_code == 422
    r = call(congress["office"], "post", f"{BASE}/{decision.pk}/inspections", {"score": 4, "findings": "x"})
    assert r.status_code == 422  # no tracking yet
    r = call(congress["office"], "get", BASE, after="garbage")
    assert r.status_code == 422
    assert Decision.objects.count() == 1


def test_inspection_by_a_non_representative_is_403(congress, call):
    tracking = records.implementing(congress)
    r = call(congress["member"], "post", f"{BASE}/{tracking.decision_id}/inspections", {"score": 4, "findings": "x"})
    assert r.status_code == 403 and "Only the seated representatives" in r.json()["detail"]


def test_list_pages_and_query_count(congress, call, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            records.open_call(congress, records.new_decision(congress, f"事项{i}"), audience=congress["union"]["s1"])

    add(3)
    member = congress["member"]
    token = api_token_issue(user=member)[0]
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {token}"}
    client.get(BASE, headers=headers)
    with django_assert_max_num_queries(12) as few:
        client.get(BASE, headers=headers)
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(BASE, {"limit": 5}, headers=headers).json()
    assert len(body["items"]) == 5 and body["next"]
    seen = [i["id"] for i in body["items"]]
    while body["next"]:
        body = client.get(BASE, {"limit": 5, "after": body["next"]}, headers=headers).json()
        seen += [i["id"] for i in body["items"]]
    assert len(seen) == len(set(seen)) == 13
