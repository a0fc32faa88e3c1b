"""GET/POST /api/v1/assistance/files, GET /files/{id}, GET /queues/files: scope, masking, audit, errors."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.assistance.models import ConsentRecord, HardshipFile
from unionhome.assistance.tests import records
from unionhome.assistance.tests.file_records import walk, without_sensitive
from unionhome.audit.models import AuditEvent

FILES = "/api/v1/assistance/files"
QUEUE = "/api/v1/assistance/queues/files"


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
        return client.post(path, json.dumps(body), content_type="application/json", headers=headers)

    return go


APPLICATION = {
    "causes": ["illness"],
    "household": [
        {"relation": "self", "age": 50, "health": "serious", "monthly_income": "1500.00", "employment": "employed"},
        {"relation": "child", "age": 19, "health": "healthy", "monthly_income": "0", "employment": "student"},
    ],
    "situation": "本人患癌症，正在化疗。",
    "consent": True,
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- lists ---------------------------------------------------------------------------------------


def test_a_member_lists_their_own_files(centre, call):
    own = walk(centre, "submitted")
    records.hardship_file(centre["other_s1"], state="active")
    response = call(centre["member"], "get", FILES)
    assert ids(response) == [own.pk]
    item = response.json()["items"][0]
    assert item["state"] == "submitted" and item["causes"] == ["low_income"] and item["member_name"] == "张三"
    assert "income_per_head" not in item and "household" not in item


def test_an_officer_lists_their_scope(centre, call):
    s1 = records.hardship_file(centre["member_record"], state="active")
    s2 = records.hardship_file(centre["s2_member"], state="submitted")
    assert ids(call(centre["officer_s1"], "get", FILES)) == [s1.pk]
    assert set(ids(call(centre["chair"], "get", FILES))) == {s1.pk, s2.pk}
    assert ids(call(centre["chair"], "get", FILES, state="submitted")) == [s2.pk]
    assert ids(call(centre["chair"], "get", FILES, q="ww")) == [s2.pk]


def test_an_officer_who_is_a_member_can_ask_for_their_own(centre, call, union):
    officer = factories.user("officer_li", member=centre["other_s1"], roles=(("assistance_officer", union["s2"]),))
    own = records.hardship_file(centre["other_s1"], state="active")
    records.hardship_file(centre["s2_member"], state="active")
    assert ids(call(officer, "get", FILES, mine="true")) == [own.pk]
    assert own.pk not in ids(call(officer, "get", FILES))  # station 1 is outside their station 2 scope


@pytest.mark.parametrize("who", ["cadre", "auditor", "admin"])
def test_others_list_nothing(centre, call, who):
    records.hardship_file(centre["member_record"], state="active")
    assert ids(call(centre[who], "get", FILES)) == []


def test_the_list_pages_and_keeps_its_query_count(centre, call, union):
    client_calls = []
    for i in range(3):
        records.hardship_file(factories.member(union["g11"], f"钱{i}"), state="active")

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = call(centre["chair"], "get", FILES, **params)
        client_calls.append(response)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(20):
        records.hardship_file(factories.member(union["g21"], f"孙{i}"), state="submitted")
    assert count() == before
    first = call(centre["chair"], "get", FILES, limit=10).json()
    second = call(centre["chair"], "get", FILES, limit=10, after=first["next"]).json()
    assert len(first["items"]) == 10 and not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    response = call(centre["chair"], "get", FILES, after="not-a-cursor")
    assert response.status_code == 422


# --- one file ------------------------------------------------------------------------------------


def test_one_file_for_the_applicant_and_the_officer_each_open_audited(centre, call):
    file = walk(centre, "publicity")
    for who in ("member", "officer_s1"):
        response = call(centre[who], "get", f"{FILES}/{file.pk}")
        assert response.status_code == 200
        data = response.json()
        assert data["masked"] is False and data["income_per_head"] == "1000.00"
        assert data["household"][0] == {
            "relation": "self",
            "age": 40,
            "health": "healthy",
            "health_note": "",
            "monthly_income": "2000.00",
            "employment": "employed",
        }
        assert [e["action"] for e in data["history"]] == ["open", "submit", "branch_review", "approve"]
        assert data["publicity_ends_on"] is not None
    viewers = list(
        AuditEvent.objects.filter(action="assistance.file.viewed")
        .order_by("id")
        .values_list("actor__username", flat=True)
    )
    assert viewers == ["member", "officer_s1"]


def test_one_file_masked_without_view_sensitive(centre, call, monkeypatch):
    without_sensitive(monkeypatch)
    file = records.hardship_file(centre["member_record"], state="active", situation="患病")
    data = call(centre["officer_s1"], "get", f"{FILES}/{file.pk}").json()
    assert data["masked"] is True
    assert data["situation"] == data["income_per_head"] == data["household_monthly_income"] == "••••"
    assert {p["monthly_income"] for p in data["household"]} == {"••••"}
    assert {p["health"] for p in data["household"]} == {"••••"} and {p["age"] for p in data["household"]} == {None}


@pytest.mark.parametrize("who", ["officer_s2", "cadre", "auditor", "admin"])
def test_others_get_404_for_a_file(centre, call, who):
    file = records.hardship_file(centre["member_record"], state="active")
    response = call(centre[who], "get", f"{FILES}/{file.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not AuditEvent.objects.filter(action="assistance.file.viewed").exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=centre[who]).exists()


def test_unknown_and_impossible_ids(centre, call):
    assert call(centre["chair"], "get", f"{FILES}/999999").status_code == 404
    assert call(centre["chair"], "get", f"{FILES}/0").status_code == 422


# --- applying ------------------------------------------------------------------------------------


def test_a_member_applies_through_the_api(centre, call):
    response = call(centre["member"], "post", FILES, APPLICATION)
    assert response.status_code == 201, response.content
    data = response.json()
    file = HardshipFile.objects.get()
    assert data["id"] == file.pk and data["state"] == "submitted" and data["income_per_head"] == "750.00"
    assert data["level"] == "deep"
    assert ConsentRecord.objects.get(file=file).method == "online"


def test_a_draft_through_the_api(centre, call):
    response = call(centre["member"], "post", FILES, {**APPLICATION, "submit": False})
    assert response.status_code == 201 and response.json()["state"] == "draft"


def test_no_consent_no_file_through_the_api(centre, call):
    response = call(centre["member"], "post", FILES, {**APPLICATION, "consent": False})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "consent_method"]
    assert not HardshipFile.objects.exists() and not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"household": [APPLICATION["household"][1]]},  # no "self"
        {"household": []},
        {"causes": ["bad"]},
        {"situation": ""},
        {"household": [{**APPLICATION["household"][0], "monthly_income": "-5"}]},
        {"household": [{**APPLICATION["household"][0], "monthly_income": "1.005"}]},
    ],
)
def test_bad_applications_are_refused_with_422(centre, call, change):
    response = call(centre["member"], "post", FILES, {**APPLICATION, **change})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert not HardshipFile.objects.exists() and not ConsentRecord.objects.exists()


def test_applying_twice_is_refused(centre, call):
    assert call(centre["member"], "post", FILES, APPLICATION).status_code == 201
    response = call(centre["member"], "post", FILES, APPLICATION)
    assert response.status_code == 422 and "already has an open hardship file" in response.json()["detail"][0]["msg"]
    assert HardshipFile.objects.count() == 1 and ConsentRecord.objects.count() == 1


def test_an_account_without_a_member_record_cannot_apply(centre, call):
    response = call(centre["officer_union"], "post", FILES, APPLICATION)
    assert response.status_code == 403
    assert not HardshipFile.objects.exists()


# --- the queue -----------------------------------------------------------------------------------


def test_the_file_queue(centre, call):
    submitted = walk(centre, "submitted")
    reviewed = walk(centre, "branch_reviewed", member=centre["other_s1"])
    overdue = records.hardship_file(centre["s2_member"], state="active")
    HardshipFile.objects.filter(pk=overdue.pk).update(next_review_due="2020-01-01")
    items = call(centre["officer_s1"], "get", QUEUE).json()["items"]
    assert [(i["id"], i["reason"]) for i in items] == [(submitted.pk, "review")]
    items = call(centre["chair"], "get", QUEUE).json()["items"]
    assert [(i["id"], i["reason"]) for i in items] == [
        (submitted.pk, "review"),
        (reviewed.pk, "approval"),
        (overdue.pk, "re_review_overdue"),
    ]
    assert items[2]["due"] == "2020-01-01"
    assert call(centre["member"], "get", QUEUE).json()["items"] == []


def test_the_queue_lists_open_objections(centre, call):
    from unionhome.assistance.services.files import objection_record

    file = walk(centre, "publicity")
    objection_record(actor=centre["officer_s1"], file=file, summary="有异议")
    items = call(centre["chair"], "get", QUEUE).json()["items"]
    assert [(i["id"], i["reason"]) for i in items] == [(file.pk, "objection")]
    assert call(centre["officer_s1"], "get", QUEUE).json()["items"] == []  # decided at union level


def test_the_api_needs_a_token(client):
    assert client.get(FILES).status_code == 401
    assert client.get(QUEUE).status_code == 401
