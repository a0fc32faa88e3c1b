"""/api/v1/congress/ sessions, representatives, check-in and departments: scope, errors, paging, queries."""

import json

import pytest

from unionhome.accounts.services import api_token_issue
from unionhome.congress.models import CheckIn
from unionhome.congress.services import representatives as reps
from unionhome.congress.tests import sessions_records as records

pytestmark = pytest.mark.django_db

BASE = "/api/v1/congress"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    def go(user, method: str, path: str, body=None, **params):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        if method == "get":
            return client.get(BASE + path, params, headers=headers)
        return client.post(BASE + path, data=json.dumps(body), content_type="application/json", headers=headers)

    return go


def test_sessions_are_listed_for_the_office_and_the_terms_representatives(call, congress):
    session = congress["session"]
    old = records.session(records.other_term(congress["union"]["union"]), number=1, status="closed", days=-900)
    body = call(congress["office"], "get", "/sessions").json()
    assert [s["id"] for s in body["items"]] == [session.pk, old.pk] and body["next"] is None
    assert (
        body["items"][0]["status"] == "in_progress" and body["items"][0]["url"] == f"/congress/sessions/{session.pk}/"
    )
    assert [s["id"] for s in call(congress["rep_users"][0], "get", "/sessions").json()["items"]] == [session.pk]
    assert call(congress["member"], "get", "/sessions").json()["items"] == []
    assert [s["id"] for s in call(congress["office"], "get", "/sessions", status="closed").json()["items"]] == [old.pk]


def test_sessions_page_by_keyset(call, congress):
    for n in range(5, 9):
        records.session(congress["term"], number=n, days=n)
    first = call(congress["office"], "get", "/sessions", limit=3).json()
    second = call(congress["office"], "get", "/sessions", limit=3, after=first["next"]).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next"] is None
    ids = [s["id"] for s in first["items"] + second["items"]]
    assert len(set(ids)) == 5
    assert call(congress["office"], "get", "/sessions", after="garbage").status_code == 422


def test_the_session_detail_has_counts_and_the_callers_check_in(call, congress):
    session = congress["session"]
    CheckIn.objects.create(session=session, representative=congress["reps"][0], method="clerk")
    body = call(congress["rep_users"][0], "get", f"/sessions/{session.pk}").json()
    assert body["counts"] == {"seated": 8, "present": 1}
    assert body["me"]["seated"] is True and body["me"]["checked_in_at"] is not None
    other = call(congress["office"], "get", f"/sessions/{session.pk}").json()
    assert other["me"] == {"seated": False, "checked_in_at": None}
    assert call(congress["member"], "get", f"/sessions/{session.pk}").status_code == 404


def test_the_office_lists_the_terms_representatives_with_check_in(call, congress, django_assert_max_num_queries):
    session = congress["session"]
    CheckIn.objects.create(session=session, representative=congress["reps"][1], method="clerk")
    body = call(congress["office"], "get", f"/sessions/{session.pk}/representatives").json()
    assert [r["name"] for r in body["items"]] == ["李四四", "钱二", "孙三", "王八", "吴六", "赵一", "郑七", "周五"]
    assert [r["name"] for r in body["items"] if r["checked_in"]] == ["钱二"]
    page = call(congress["office"], "get", f"/sessions/{session.pk}/representatives", limit=5).json()
    rest = call(congress["office"], "get", f"/sessions/{session.pk}/representatives", after=page["next"]).json()
    assert [r["id"] for r in page["items"] + rest["items"]] == [r["id"] for r in body["items"]]
    found = call(congress["office"], "get", f"/sessions/{session.pk}/representatives", q="zy").json()
    assert [r["name"] for r in found["items"]] == ["赵一"]
    response = call(congress["rep_users"][0], "get", f"/sessions/{session.pk}/representatives")
    assert response.status_code == 403
    token = api_token_issue(user=congress["office"])[0]
    from django.test import Client

    api_client = Client()
    url = f"{BASE}/sessions/{session.pk}/representatives"
    api_client.get(url, headers={"Authorization": f"Bearer {token}"})
    with django_assert_max_num_queries(12) as few:
        api_client.get(url, headers={"Authorization": f"Bearer {token}"})
    for _ in range(5):
        records.seat(congress["term"], congress["union"]["g12"], records.member(congress["union"]["g12"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api_client.get(url, headers={"Authorization": f"Bearer {token}"}).json()["items"]) == 13


def test_a_representative_checks_in_by_code(call, congress):
    session, user = congress["session"], congress["rep_users"][2]
    response = call(user, "post", f"/sessions/{session.pk}/check-in", {"code": session.check_in_code})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["method"], body["already_checked_in"], body["counts"]) == (
        "qr_code",
        False,
        {"seated": 8, "present": 1},
    )
    again = call(user, "post", f"/sessions/{session.pk}/check-in", {"code": session.check_in_code}).json()
    assert again["already_checked_in"] is True and CheckIn.objects.count() == 1
    wrong = call(congress["rep_users"][3], "post", f"/sessions/{session.pk}/check-in", {"code": "nope"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"][-1] == "code"
    assert call(congress["member"], "post", f"/sessions/{session.pk}/check-in", {"code": "x"}).status_code == 404


def test_a_clerk_checks_in_by_api(call, congress):
    session = congress["session"]
    path = f"/sessions/{session.pk}/check-ins"
    body = call(congress["office"], "post", path, {"representative_id": congress["reps"][4].pk}).json()
    assert (body["method"], body["already_checked_in"]) == ("clerk", False)
    assert call(congress["office"], "post", path, {"representative_id": congress["reps"][4].pk}).json()[
        "already_checked_in"
    ]
    reps.representative_withdraw(actor=congress["office"], representative=congress["reps"][5])
    assert call(congress["office"], "post", path, {"representative_id": congress["reps"][5].pk}).status_code == 422
    old = records.seat(records.other_term(congress["union"]["union"]), congress["union"]["s1"], congress["other_s1"])
    assert call(congress["office"], "post", path, {"representative_id": old.pk}).status_code == 404
    assert call(congress["cadre"], "post", path, {"representative_id": congress["reps"][0].pk}).status_code == 403
    assert CheckIn.objects.count() == 1


def test_departments_are_listed_for_the_office_reviewers_and_handlers(call, congress):
    expected = [{"id": congress["department"].pk, "union_id": congress["union"]["union"].pk, "name": "人力资源部"}]
    for who in ("office", "committee", "handler"):
        body = call(congress[who], "get", "/departments").json()
        assert [{k: d[k] for k in ("id", "union_id", "name")} for d in body] == expected
    assert call(congress["office"], "get", "/departments").json()[0]["handlers"][0]["username"] == "handler"
    assert call(congress["member"], "get", "/departments").json() == []
