"""The proposal API under /api/v1/congress/: the whole path by bearer token, scope (404), refusals (403 with
a reason), rule refusals as 400 problems, 422 for bad input, paging and a constant query count."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import Proposal
from unionhome.congress.tests import proposal_records as records
from unionhome.congress.tests.proposal_records import CONTENT

pytestmark = pytest.mark.django_db
BASE = "/api/v1/congress"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **params)`` with a bearer token of ``user``."""
    tokens: dict[int, str] = {}

    def go(user, method: str, path: str, body=None, **params):
        token = tokens.setdefault(user.pk, api_token_issue(user=user)[0])
        headers = {"Authorization": f"Bearer {token}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body or {}), content_type="application/json", headers=headers)

    return go


def test_the_whole_path_through_the_api(call, congress):
    reps = congress["rep_users"]
    created = call(reps[0], "post", "/proposals", {"session_id": congress["session"].pk, **CONTENT, "submit": True})
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert (body["status"], body["seconders"], body["seconders_needed"]) == ("seconding", 0, 2)
    assert body["actions"] == ["send_for_review"]
    refused = call(reps[0], "post", f"/proposals/{pk}/send-for-review")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "This proposal needs 2 seconders, it has 0.", "code": "needs_seconders"}
    for i in (1, 2):
        assert call(reps[i], "post", f"/proposals/{pk}/second").status_code == 200
    again = call(reps[1], "post", f"/proposals/{pk}/second")
    assert (again.status_code, again.json()["code"]) == (400, "already_seconded")
    assert call(reps[0], "post", f"/proposals/{pk}/send-for-review").json()["status"] == "submitted"
    accepted = call(congress["committee"], "post", f"/proposals/{pk}/review", {"decision": "accept", "reason": "好"})
    assert (accepted.json()["status"], accepted.json()["number"]) == ("accepted", 1)
    referred = call(
        congress["committee"], "post", f"/proposals/{pk}/refer", {"department_id": congress["department"].pk}
    )
    assert referred.json()["department_name"] == "人力资源部"
    assert (
        call(congress["handler"], "post", f"/proposals/{pk}/progress", {"note": "立项", "percent": 20}).status_code
        == 200
    )
    replied = call(congress["handler"], "post", f"/proposals/{pk}/reply", {"body": "已安排"})
    assert replied.json()["status"] == "replied" and replied.json()["replies"][0]["on_time"] is True
    rated = call(reps[0], "post", f"/proposals/{pk}/rate", {"rating": "dissatisfied", "comment": "太慢"})
    assert rated.json()["status"] == "rehandling"
    assert rated.json()["replies"][0]["rating"] == "dissatisfied"
    history = [e["action"] for e in rated.json()["events"]]
    assert history == ["draft", "submit", "send_for_review", "accept", "refer", "reply", "send_back"]
    assert rated.json()["progress"][0]["percent"] == 20


def test_suggest_and_adopt(call, congress):
    made = call(congress["member"], "post", "/proposals/suggestions", {"session_id": congress["session"].pk, **CONTENT})
    assert made.status_code == 201 and made.json()["status"] == "suggested"
    pk = made.json()["id"]
    adopted = call(congress["rep_users"][6], "post", f"/proposals/{pk}/adopt", {"note": "采纳"})
    assert adopted.json()["status"] == "draft"
    assert adopted.json()["proposer_name"] == "郑七" and adopted.json()["author_name"] == "张三"
    assert call(congress["rep_users"][6], "post", f"/proposals/{pk}/submit").json()["status"] == "seconding"


def test_refusals(call, congress):
    proposal = records.at(congress, "referred")
    pk = proposal.pk
    # a member who cannot see it: 404; the chair who sees it but is not the department: 403 with the reason
    assert call(congress["member"], "post", f"/proposals/{pk}/reply", {"body": "x"}).status_code == 404
    refused = call(congress["chair"], "post", f"/proposals/{pk}/reply", {"body": "x"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This proposal is not referred to your department; only its handlers can reply."
    )
    review = call(congress["cadre"], "post", f"/proposals/{pk}/review", {"decision": "accept", "reason": "x"})
    assert review.status_code == 403 and "congress.review_proposals" in review.json()["detail"]
    wrong = call(congress["committee"], "post", f"/proposals/{pk}/review", {"decision": "accept", "reason": "x"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_state")
    assert (
        call(congress["member"], "post", "/proposals", {"session_id": congress["session"].pk, **CONTENT}).status_code
        == 403
    )
    assert call(congress["rep_users"][0], "post", "/proposals", {"session_id": 99999, **CONTENT}).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/proposals", {"title": "x"}, "session_id"),
        ("/proposals", {"session_id": 1, **CONTENT, "category": "nope"}, "category"),
        ("/proposals", {"session_id": 1, **CONTENT, "title": "a\nb"}, "title"),
        ("/proposals/1/rate", {"rating": "great"}, "rating"),
        ("/proposals/1/progress", {"note": "x", "percent": 101}, "percent"),
        ("/proposals/1/review", {"decision": "ignore", "reason": "x"}, "decision"),
    ],
)
def test_bad_input_is_422(call, congress, path, body, field):
    response = call(congress["rep_users"][0], "post", path, body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == field


def test_merge_needs_a_target(call, congress):
    proposal = records.at(congress, "submitted")
    response = call(
        congress["committee"], "post", f"/proposals/{proposal.pk}/review", {"decision": "merge", "reason": "x"}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "into"]
    response = call(
        congress["committee"],
        "post",
        f"/proposals/{proposal.pk}/review",
        {"decision": "merge", "reason": "x", "into_id": 999},
    )
    assert response.status_code == 422
    assert Proposal.objects.get().status == "submitted"


def test_list_scope_filters_and_pages(call, congress):
    mine = [records.at(congress, "seconding", title=f"我的{i}") for i in range(3)]
    draft = records.draft(congress, by=5, title="别人的草稿")
    # a representative sees the term's proposals except other people's drafts
    seen = []
    after = None
    while True:
        body = call(
            congress["rep_users"][1], "get", "/proposals", limit=2, **({"after": after} if after else {})
        ).json()
        seen += [item["id"] for item in body["items"]]
        after = body["next"]
        if not after:
            break
    assert seen == [p.pk for p in reversed(mine)]
    assert [i["id"] for i in call(congress["rep_users"][5], "get", "/proposals", mine=True).json()["items"]] == [
        draft.pk
    ]
    assert call(congress["member"], "get", "/proposals").json()["items"] == []
    assert len(call(congress["chair"], "get", "/proposals", status="draft").json()["items"]) == 1
    assert call(congress["chair"], "get", "/proposals", department_id=99999).json()["items"] == []
    assert call(congress["chair"], "get", "/proposals", after="nonsense").status_code == 422


def test_list_query_count_does_not_grow(call, congress):
    records.at(congress, "referred")
    call(congress["chair"], "get", "/proposals")  # warm up
    with CaptureQueriesContext(connection) as few:
        call(congress["chair"], "get", "/proposals")
    for i in range(5):
        records.at(congress, "replied", by=i % 8, title=f"更多{i}")
    with CaptureQueriesContext(connection) as many:
        body = call(congress["chair"], "get", "/proposals").json()
    assert len(body["items"]) == 6
    assert len(many) == len(few)
