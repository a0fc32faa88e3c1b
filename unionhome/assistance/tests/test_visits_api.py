"""The visit API with bearer tokens: the queue, recording (Idempotency-Key), life events, a member's own visits."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.conftest import ApiClient
from unionhome.assistance.models import Payment, Visit
from unionhome.assistance.tests.conftest import days_from
from unionhome.assistance.tests.visit_records import done_visit, due_visit
from unionhome.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def token(centre):
    return lambda who: api_token_issue(user=centre[who])[0]


# --- the queue -----------------------------------------------------------------------------------


def test_queue_lists_due_visits_in_scope_overdue_first(centre, api, token):
    late = due_visit(centre["other_s1"], due_in=-2, reason="住院")
    soon = due_visit(centre["member_record"], due_in=3)
    due_visit(centre["s2_member"], due_in=-4)
    done_visit(centre["other_s1"])
    response = api.get("/assistance/queues/visits", token("cadre"))
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [i["id"] for i in items] == [late.pk, soon.pk]
    assert items[0]["overdue"] is True and items[1]["overdue"] is False
    assert items[0]["branch_name"] == "第一检验站分工会" and items[0]["reason"] is None  # masked for a branch cadre
    assert "findings" not in items[0]
    officer = api.get("/assistance/queues/visits", token("officer_s1")).json()["items"]
    assert officer[0]["reason"] == "住院"


def test_queue_filters_by_unit_in_scope(centre, api, token):
    due_visit(centre["other_s1"])
    due_visit(centre["s2_member"])
    chair = token("chair")
    s2 = api.get("/assistance/queues/visits", chair, unit=centre["union"]["s2"].pk).json()["items"]
    assert [i["member_name"] for i in s2] == ["王五"]
    assert api.get("/assistance/queues/visits", token("cadre"), unit=centre["union"]["s2"].pk).status_code == 404


def test_queue_pages_and_refuses_forged_cursors(centre, api, token):
    for i in range(5):
        due_visit(centre["other_s1"], due_in=i)
    cadre = token("cadre")
    first = api.get("/assistance/queues/visits", cadre, limit=3).json()
    second = api.get("/assistance/queues/visits", cadre, limit=3, after=first["next"]).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next"] is None
    assert api.get("/assistance/queues/visits", cadre, after="not-a-cursor").status_code == 422


@pytest.mark.parametrize("who", ["member", "auditor", "admin"])
def test_queue_refuses_those_who_do_not_visit(centre, api, token, who):
    response = api.get("/assistance/queues/visits", token(who))
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_queue_query_count_is_constant(centre, api, token):
    chair = token("chair")
    due_visit(centre["other_s1"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/assistance/queues/visits", chair).status_code == 200
        return len(ctx.captured_queries)

    count()  # the token's last use is written on the first request (at most once a minute)
    before = count()
    for i in range(15):
        due_visit(factories.member(centre["union"]["g11" if i % 2 else "g21"], f"队{i}"), due_in=i - 5)
    assert count() == before


def test_queue_needs_a_token(centre, api):
    assert api.get("/assistance/queues/visits").status_code == 401


# --- recording -----------------------------------------------------------------------------------


def body(centre, **changes):
    data = {
        "visited_on": centre["today"].isoformat(),
        "visitor_ids": [centre["cadre"].pk],
        "gifts": "水果",
        "findings": "恢复良好",
        "needs": "",
    }
    data.update(changes)
    return data


def test_record_with_money_pays_once_per_key(centre, api, token):
    visit = due_visit(centre["other_s1"])
    cadre = token("cadre")
    payload = body(centre, amount="600.50", budget_line_id=centre["budget_line"].pk)
    path = f"/assistance/visits/{visit.pk}/record"
    first = api.post(path, payload, cadre, headers={"Idempotency-Key": "visit-key-1"})
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["status"] == "done" and data["amount"] == "600.50" and data["visitors"] == ["cadre1"]
    assert "findings" not in data
    again = api.post(path, payload, cadre, headers={"Idempotency-Key": "visit-key-1"})
    assert again.status_code == 200 and again.json()["id"] == visit.pk
    assert Payment.objects.filter(visit=visit).count() == 1
    centre["budget_line"].refresh_from_db()
    assert centre["budget_line"].spent == Decimal("600.50")


def test_record_money_needs_a_key(centre, api, token):
    visit = due_visit(centre["other_s1"])
    response = api.post(
        f"/assistance/visits/{visit.pk}/record",
        body(centre, amount="100", budget_line_id=centre["budget_line"].pk),
        token("cadre"),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "idempotency_key"]
    assert not Payment.objects.exists()


def test_record_refusals(centre, api, token):
    cadre = token("cadre")
    visit = due_visit(centre["other_s1"])
    path = f"/assistance/visits/{visit.pk}/record"
    line = centre["budget_line"].pk
    future = api.post(path, body(centre, visited_on=days_from(centre["today"], 1).isoformat()), cadre)
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "visited_on"]
    fen = api.post(path, body(centre, amount="1.005", budget_line_id=line), cadre, headers={"Idempotency-Key": "a"})
    assert fen.status_code == 422 and fen.json()["detail"][0]["loc"] == ["body", "amount"]
    over = api.post(path, body(centre, amount="100001", budget_line_id=line), cadre, headers={"Idempotency-Key": "b"})
    assert over.status_code == 400 and over.json()["code"] == "over_budget"
    unknown = api.post(path, body(centre, amount="1", budget_line_id=999999), cadre, headers={"Idempotency-Key": "c"})
    assert unknown.status_code == 422
    assert api.post(path, body(centre, visited_on="yesterday"), cadre).status_code == 422
    visit.refresh_from_db()
    assert visit.status == "due" and not Payment.objects.exists()
    # once recorded without money, recording again is refused
    assert api.post(path, body(centre), cadre).status_code == 200
    twice = api.post(path, body(centre), cadre)
    assert twice.status_code == 400 and twice.json()["code"] == "already_recorded"


def test_record_with_a_key_used_elsewhere_is_a_conflict(centre, api, token):
    cadre = token("cadre")
    first, second = due_visit(centre["other_s1"]), due_visit(centre["member_record"])
    payload = body(centre, amount="50", budget_line_id=centre["budget_line"].pk)
    key = {"Idempotency-Key": "shared"}
    assert api.post(f"/assistance/visits/{first.pk}/record", payload, cadre, headers=key).status_code == 200
    conflict = api.post(f"/assistance/visits/{second.pk}/record", payload, cadre, headers=key)
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    second.refresh_from_db()
    assert second.status == "due"


@pytest.mark.parametrize("who, status", [("cadre2", 404), ("officer_s2", 404), ("auditor", 404), ("member", 404)])
def test_record_outside_scope_is_not_found(centre, api, token, who, status):
    visit = due_visit(centre["other_s1"])
    response = api.post(f"/assistance/visits/{visit.pk}/record", body(centre), token(who))
    assert response.status_code == status
    assert AuditEvent.objects.filter(action="access.denied").exists()
    visit.refresh_from_db()
    assert visit.status == "due"


# --- life events ---------------------------------------------------------------------------------


def test_member_reports_own_hospital_stay(centre, api, token):
    member = token("member")
    payload = {"occasion": "illness", "occurred_on": centre["today"].isoformat(), "note": "住院"}
    first = api.post("/assistance/life-events", payload, member)
    assert first.status_code == 201, first.content
    assert first.json()["due_by"] == days_from(centre["today"], 3).isoformat()
    again = api.post("/assistance/life-events", payload, member)
    assert again.status_code == 200 and again.json()["already_reported"] is True
    assert again.json()["visit_id"] == first.json()["visit_id"] and Visit.objects.count() == 1


def test_cadre_reports_for_a_member_in_scope_only(centre, api, token):
    payload = {"occasion": "childbirth", "occurred_on": centre["today"].isoformat()}
    cadre = token("cadre")
    ok = api.post("/assistance/life-events", {**payload, "member_id": centre["other_s1"].pk}, cadre)
    assert ok.status_code == 201 and ok.json()["due_by"] == days_from(centre["today"], 7).isoformat()
    out = api.post("/assistance/life-events", {**payload, "member_id": centre["s2_member"].pk}, cadre)
    assert out.status_code == 404
    member = api.post("/assistance/life-events", {**payload, "member_id": centre["other_s1"].pk}, token("member"))
    assert member.status_code == 403
    assert Visit.objects.count() == 1


def test_life_event_bad_input(centre, api, token):
    member = token("member")
    assert (
        api.post("/assistance/life-events", {"occasion": "winter", "occurred_on": "2026-01-01"}, member).status_code
        == 422
    )
    far = days_from(centre["today"], 90).isoformat()
    response = api.post("/assistance/life-events", {"occasion": "illness", "occurred_on": far}, member)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "occurred_on"]
    nul = api.post(
        "/assistance/life-events",
        {"occasion": "illness", "occurred_on": centre["today"].isoformat(), "note": "a\u0000b"},
        member,
    )
    assert nul.status_code == 422
    no_member = api.post(
        "/assistance/life-events", {"occasion": "illness", "occurred_on": centre["today"].isoformat()}, token("admin")
    )
    assert no_member.status_code == 422 and no_member.json()["detail"][0]["loc"] == ["body", "member_id"]
    assert not Visit.objects.exists()


# --- a member's own visits -----------------------------------------------------------------------


def test_member_sees_own_visits_without_notes(centre, api, token):
    own = done_visit(
        centre["member_record"], gifts="慰问品", findings="家庭困难", needs="需要补助", amount=Decimal("300")
    )
    own.visitors.add(centre["cadre"])
    due_visit(centre["member_record"], due_in=2)
    done_visit(centre["other_s1"], gifts="别人")
    response = api.get("/assistance/visits/mine", token("member"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    recorded = next(i for i in items if i["status"] == "done")
    assert recorded["gifts"] == "慰问品" and recorded["visitors"] == ["cadre1"] and recorded["amount"] == "300.00"
    text = response.content.decode()
    assert "家庭困难" not in text and "需要补助" not in text and "别人" not in text and "findings" not in text


def test_own_visits_of_an_account_without_member_record_is_empty(centre, api, token):
    assert api.get("/assistance/visits/mine", token("admin")).json() == {"items": []}
