"""Education-aid API: campaigns open to me or in my scope, my applications, applying, the reviewer's queue,
paying with an Idempotency-Key; scope (404), permissions (403), masking, query counts."""

import dataclasses
import datetime
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.access.permissions import ROLES
from unionhome.accounts.services import api_token_issue
from unionhome.assistance import ledger
from unionhome.assistance.models import AidApplication, AidCampaign, Payment
from unionhome.assistance.tests import aid_records
from unionhome.audit.models import AuditEvent
from unionhome.org.identity import mask_id_number


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def aid(centre):
    centre["campaign"] = aid_records.campaign(centre)
    return centre


class Api:
    def __init__(self, client):
        self.client = client
        self.tokens: dict = {}

    def _headers(self, user, extra=None) -> dict:
        if user.pk not in self.tokens:
            self.tokens[user.pk] = api_token_issue(user=user)[0]
        return {"Authorization": f"Bearer {self.tokens[user.pk]}", **(extra or {})}

    def get(self, path: str, user, **params):
        return self.client.get(f"/api/v1/assistance{path}", params, headers=self._headers(user))

    def post(self, path: str, user, body=None, headers=None):
        return self.client.post(
            f"/api/v1/assistance{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=self._headers(user, headers),
        )


@pytest.fixture
def api(client):
    return Api(client)


def body_for(campaign: AidCampaign, n: int = 1, **overrides) -> dict:
    body = {
        "child_name": "张小明",
        "child_id_number": aid_records.child_id(n),
        "school": "湖南大学",
        "admitted_year": campaign.year,
        "tier_id": campaign.tiers.order_by("-amount").first().pk,
        "consent": True,
    }
    body.update(overrides)
    return body


def problems(response) -> str:
    assert response.status_code == 422, response.content
    return " ".join(item["msg"] for item in response.json()["detail"])


# --- campaigns -----------------------------------------------------------------------------------


def test_a_member_sees_the_campaigns_of_their_union(api, aid):
    aid_records.campaign(aid, state="draft", name="草稿")
    closed = aid_records.campaign(aid, opens_in=-30, closes_in=-10, name="已截止")
    response = api.get("/aid/campaigns", aid["member"])
    assert response.status_code == 200
    items = {c["name"]: c for c in response.json()["items"]}
    assert set(items) == {"金秋助学", "已截止"}  # no draft
    assert items["金秋助学"]["can_apply"] is True and items["已截止"]["can_apply"] is False
    assert [t["name"] for t in items["金秋助学"]["tiers"]] == ["本科", "专科"]
    assert items["金秋助学"]["tiers"][0]["amount"] in ("5000.00", 5000.0)
    open_only = api.get("/aid/campaigns", aid["member"], open_only="true").json()["items"]
    assert [c["id"] for c in open_only] == [aid["campaign"].pk] and closed.pk not in [c["id"] for c in open_only]


def test_cadres_see_drafts_in_their_scope_and_other_unions_see_nothing(api, aid):
    aid_records.campaign(aid, state="draft", name="草稿")
    names = {c["name"] for c in api.get("/aid/campaigns", aid["officer_s1"]).json()["items"]}
    assert names == {"金秋助学", "草稿"}
    other = factories.unit(None, "其他工会", "union")
    outsider = factories.user("outsider", member=factories.member(other, "赵六"))
    assert api.get("/aid/campaigns", outsider).json()["items"] == []
    assert api.get("/aid/campaigns", aid["admin"]).json()["items"] == []


def test_the_campaign_list_query_count_is_constant(api, aid):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/aid/campaigns", aid["member"]).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first call issues the token
    before = count()
    for i in range(6):
        aid_records.campaign(aid, name=f"活动{i}")
    assert count() == before


# --- applying and my applications ----------------------------------------------------------------


def test_a_member_applies_through_the_api(api, aid):
    number = aid_records.child_id(1)
    response = api.post(f"/aid/campaigns/{aid['campaign'].pk}/applications", aid["member"], body_for(aid["campaign"]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["child_name"] == "张小明" and data["amount"] in ("5000.00", 5000.0)
    assert data["child_id_number"] == mask_id_number(number) and number not in response.content.decode()
    assert AidApplication.objects.get().pk == data["id"]
    mine = api.get("/aid/applications/mine", aid["member"]).json()["items"]
    assert [a["id"] for a in mine] == [data["id"]] and number not in json.dumps(mine)


def test_applying_twice_for_one_child_is_422_with_a_clear_message(api, aid):
    path = f"/aid/campaigns/{aid['campaign'].pk}/applications"
    assert api.post(path, aid["member"], body_for(aid["campaign"])).status_code == 201
    assert "already applied for this child" in problems(api.post(path, aid["member"], body_for(aid["campaign"])))
    parent2 = factories.user("parent2", member=aid["other_s1"])
    assert "perhaps made by the other parent" in problems(api.post(path, parent2, body_for(aid["campaign"])))
    assert AidApplication.objects.count() == 1


def test_applying_outside_the_window_or_with_a_bad_id_is_422(api, centre):
    late = aid_records.campaign(centre, opens_in=-20, closes_in=-1)
    path = f"/aid/campaigns/{late.pk}/applications"
    assert "Applications closed on" in problems(api.post(path, centre["member"], body_for(late)))
    soon = aid_records.campaign(centre, opens_in=2, closes_in=20, name="下一期")
    path = f"/aid/campaigns/{soon.pk}/applications"
    assert "Applications open on" in problems(api.post(path, centre["member"], body_for(soon)))
    current = aid_records.campaign(centre, name="本期")
    path = f"/aid/campaigns/{current.pk}/applications"
    response = api.post(path, centre["member"], body_for(current, child_id_number="430602200703010000"))
    assert response.json()["detail"][0]["loc"] == ["body", "child_id_number"]
    assert "admitted to university" in problems(
        api.post(path, centre["member"], body_for(current, admitted_year=current.year - 1))
    )
    assert not AidApplication.objects.exists()


def test_a_member_of_another_union_gets_404(api, aid):
    other = factories.unit(None, "其他工会", "union")
    outsider = factories.user("outsider", member=factories.member(other, "赵六"))
    response = api.post(f"/aid/campaigns/{aid['campaign'].pk}/applications", outsider, body_for(aid["campaign"]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not AidApplication.objects.exists()


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_holds_what_waits_for_me(api, aid):
    mine = aid_records.application(aid["campaign"], aid["member_record"], n=1)
    aid_records.application(aid["campaign"], aid["s2_member"], n=2)
    reviewed = aid_records.application(
        aid["campaign"], aid["other_s1"], n=3, status="reviewed", reviewed_by=aid["officer_s1"]
    )
    response = api.get("/queues/aid", aid["officer_s1"])
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [mine.pk]  # not station 2, not what I reviewed
    chair_ids = [a["id"] for a in api.get("/queues/aid", aid["chair"]).json()["items"]]
    assert reviewed.pk in chair_ids and mine.pk in chair_ids and len(chair_ids) == 3


@pytest.mark.parametrize("who", ["member", "cadre", "auditor", "admin"])
def test_the_queue_is_refused_to_those_who_do_not_review(api, aid, who):
    response = api.get("/queues/aid", aid[who])
    assert response.status_code == 403 and "assistance.review_aid" in response.json()["detail"]


def test_the_queue_masks_children_without_view_sensitive(api, aid, monkeypatch):
    officer = ROLES["assistance_officer"]
    monkeypatch.setitem(
        ROLES,
        "assistance_officer",
        dataclasses.replace(officer, permissions=officer.permissions - {"assistance.view_sensitive"}),
    )
    aid_records.application(aid["campaign"], aid["member_record"], n=1, child_name="张小明")
    number = aid_records.child_id(1)
    item = api.get("/queues/aid", aid["officer_s1"]).json()["items"][0]
    assert (item["child_name"], item["child_id_number"], item["masked"]) == ("张**", mask_id_number(number), True)
    unmasked = api.get("/queues/aid", aid["chair"]).json()["items"][0]
    assert unmasked["child_id_number"] == number and unmasked["masked"] is False
    assert AuditEvent.objects.filter(action="assistance.aid_application.sensitive_listed", actor=aid["chair"]).exists()


def test_the_queue_pages_with_constant_queries(api, aid):
    def fetch(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/queues/aid", aid["chair"], **params)
        assert response.status_code == 200
        return response.json(), len(ctx.captured_queries)

    aid_records.application(aid["campaign"], aid["member_record"], n=1)
    fetch(limit=5)  # the first call issues the token
    _, before = fetch(limit=5)
    for i in range(2, 9):
        member = factories.member(aid["union"]["g21" if i % 2 else "g12"], "孙九")
        aid_records.application(aid["campaign"], member, n=i)
    first, after = fetch(limit=5)
    assert after == before and len(first["items"]) == 5 and first["next"]
    second, _ = fetch(limit=5, after=first["next"])
    assert len(second["items"]) == 3 and second["next"] is None
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in second["items"])
    assert api.get("/queues/aid", aid["chair"], after="forged").status_code == 422


# --- paying --------------------------------------------------------------------------------------


def test_paying_with_an_idempotency_key_pays_once(api, aid):
    application = aid_records.application(aid["campaign"], aid["member_record"], status="approved")
    ledger.commit(aid["budget_line"].pk, application.amount)
    AidCampaign.objects.filter(pk=aid["campaign"].pk).update(
        state="paying", publicity_starts_on=aid["today"] - datetime.timedelta(days=9)
    )
    path = f"/aid/applications/{application.pk}/payment"
    first = api.post(path, aid["officer_union"], headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == 201, first.content
    again = api.post(path, aid["officer_union"], headers={"Idempotency-Key": "pay-1"})
    assert again.status_code == 200 and again.json() == first.json()
    assert first.json()["aid_application_id"] is not None
    refused = api.post(path, aid["officer_union"], headers={"Idempotency-Key": "pay-2"})
    assert refused.status_code == 400 and refused.json()["code"] == "already_paid"
    assert first.json()["amount"] == "5000.00"  # yuan as a string, never a JSON number
    assert Payment.objects.count() == 1 and ledger.line_balances(aid["budget_line"])
    assert api.post(path, aid["officer_s2"], headers={"Idempotency-Key": "x"}).status_code == 404
    assert api.post(path, aid["member"], headers={"Idempotency-Key": "x"}).status_code == 403
    other = aid_records.application(aid["campaign"], aid["other_s1"], n=2, status="approved")
    with transaction.atomic():
        ledger.commit(aid["budget_line"].pk, other.amount)
    conflict = api.post(
        f"/aid/applications/{other.pk}/payment", aid["officer_union"], headers={"Idempotency-Key": "pay-1"}
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    assert Payment.objects.count() == 1


# --- no input causes a server error --------------------------------------------------------------


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_input_to_the_aid_api_causes_a_server_error(aid, mode):
    """schemathesis against the aid operations (in-process, the whole middleware stack), as a chair who is
    also a member, with an open campaign whose ids the generated requests may hit."""
    import schemathesis
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    chair = aid["chair"]
    chair.member = factories.member(aid["union"]["g12"], "周七")
    chair.save()
    aid_records.application(aid["campaign"], aid["member_record"], n=1)
    headers = {"Authorization": f"Bearer {api_token_issue(user=chair)[0]}"}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
        operations = [r.ok() for r in schema.get_all_operations()]
        operations = [op for op in operations if "/aid" in op.path]
        assert {op.label for op in operations} == {
            "GET /api/v1/assistance/aid/campaigns",
            "GET /api/v1/assistance/aid/applications/mine",
            "POST /api/v1/assistance/aid/campaigns/{campaign_id}/applications",
            "GET /api/v1/assistance/queues/aid",
            "POST /api/v1/assistance/aid/applications/{application_id}/payment",
        }
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
            @settings(
                max_examples=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            check()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
