"""API: POST /assistance/assistances, POST /assistance/assistances/{id}/disburse (Idempotency-Key),
GET /assistance/queues/approvals and /payments, GET /assistance/assistances/mine."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.accounts.services import api_token_issue
from unionhome.api.api import api as ninja_api
from unionhome.assistance.models import Assistance, Payment
from unionhome.assistance.services.assistance import assistance_approve, assistance_disburse
from unionhome.assistance.tests import records
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def call(client):
    """``call(method, path, user, body=None, **headers)`` against /api/v1/assistance with a bearer token."""

    tokens: dict[int, str] = {}

    def run(method: str, path: str, user, body=None, **headers):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_issue(user=user)[0]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}", **headers}
        url = f"/api/v1/assistance{path}"
        if method == "get":
            return client.get(url, body or {}, headers=headers)
        return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)

    return run


def requested(centre, member=None, amount="3000", by=None, **fields) -> Assistance:
    return records.assistance(
        member or centre["member_record"],
        requested_by=by or centre["officer_s1"],
        line=centre["budget_line"],
        amount=amount,
        **fields,
    )


def approved(centre, **kwargs) -> Assistance:
    return assistance_approve(actor=centre["officer_union"], assistance=requested(centre, **kwargs))


def disburse(call, user, a, key):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return call("post", f"/assistances/{a.pk}/disburse", user, **headers)


# --- disburse ------------------------------------------------------------------------------------


def test_disburse_201_then_200_with_the_same_body(call, centre):
    a = approved(centre)
    first = disburse(call, centre["officer_s1"], a, "b0d6-4b1e")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["amount"] == "3000.00" and body["assistance_id"] == a.pk and body["kind"] == "payment"
    assert body["payee_id"] == centre["member_record"].pk
    events = AuditEvent.objects.count()
    again = disburse(call, centre["officer_s1"], a, "b0d6-4b1e")
    assert again.status_code == 200 and again.json() == body
    assert Payment.objects.count() == 1 and AuditEvent.objects.count() == events
    a.refresh_from_db()
    assert a.status == "delivered"


def test_disburse_key_reuse_for_other_data_is_409(call, centre):
    a, b = approved(centre), approved(centre, member=centre["other_s1"])
    assert disburse(call, centre["chair"], a, "key-1").status_code == 201
    response = disburse(call, centre["chair"], b, "key-1")
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    b.refresh_from_db()
    assert b.status == "approved" and Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "code"),
    [("paid", "already_paid"), ("requested", "not_approved"), ("job", "no_money")],
)
def test_disburse_refused_rules_are_400_with_a_code(call, centre, setup, code):
    if setup == "paid":
        a = approved(centre)
        assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="first")
    elif setup == "requested":
        a = requested(centre)
    else:
        a = records.assistance(
            centre["member_record"],
            requested_by=centre["officer_s1"],
            amount=None,
            kind="job",
            status="approved",
            decided_by=centre["chair"],
        )
    before = Payment.objects.count()
    response = disburse(call, centre["chair"], a, "new-key")
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["detail"]
    assert Payment.objects.count() == before


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 101, "ключ"])
def test_disburse_needs_a_valid_idempotency_key_header(call, centre, key):
    a = approved(centre)
    if key == "ключ":  # not even encodable in a header as latin-1 by the client: send its UTF-8 bytes
        key = key.encode().decode("latin-1")
    response = disburse(call, centre["chair"], a, key)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "header"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("auditor", 403), ("cadre", 404), ("member", 404), ("officer_s2", 404), ("admin", 404)]
)
def test_disburse_refused_to_others(call, centre, who, status):
    a = approved(centre)
    response = disburse(call, centre[who], a, "key-1")
    assert response.status_code == status
    assert not Payment.objects.exists()


def test_disburse_unknown_id_is_404(call, centre):
    assert disburse(call, centre["chair"], Assistance(pk=999999), "key-1").status_code == 404


# --- request -------------------------------------------------------------------------------------


def request_body(centre, **overrides):
    return {
        "member_id": centre["member_record"].pk,
        "kind": "cash",
        "description": "生活困难补助",
        "amount": "1200.50",
        "budget_line_id": centre["budget_line"].pk,
        **overrides,
    }


def test_request_through_the_api(call, centre):
    response = call("post", "/assistances", centre["officer_s1"], request_body(centre))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1200.50" and body["status"] == "requested" and body["description"] == "生活困难补助"
    a = Assistance.objects.get()
    assert a.responsible == centre["officer_s1"] and a.requested_by == centre["officer_s1"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-1", "more than zero"),
        ("1.001", "at most two decimals"),
        ("abc", "Enter an amount in yuan"),
        ("1e30", "too large"),
        ("123456789012345678901234567.123", "too large"),
        ("100000.01", "yuan available"),
        (None, "Enter the amount"),
    ],
)
def test_bad_amounts_through_the_api_are_422_and_write_nothing(call, centre, amount, message):
    response = call("post", "/assistances", centre["officer_s1"], request_body(centre, amount=amount))
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert problems[0]["loc"] == ["body", "amount"] and message in problems[0]["msg"]
    assert not Assistance.objects.exists()


def test_a_number_instead_of_a_string_amount_is_422(call, centre):
    response = call("post", "/assistances", centre["officer_s1"], request_body(centre, amount=1200.5))
    assert response.status_code == 422 and not Assistance.objects.exists()


def test_request_api_scope(call, centre):
    assert call("post", "/assistances", centre["officer_s2"], request_body(centre)).status_code == 404
    assert call("post", "/assistances", centre["auditor"], request_body(centre)).status_code == 403
    response = call("post", "/assistances", centre["officer_s1"], request_body(centre, budget_line_id=999999))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "budget_line"]
    file = records.hardship_file(centre["s2_member"])
    body = request_body(centre, hardship_file_id=file.pk)
    assert call("post", "/assistances", centre["officer_s1"], body).status_code == 404
    assert not Assistance.objects.exists()


# --- queues --------------------------------------------------------------------------------------


def test_approval_queue_excludes_my_own_requests_and_pages(call, centre):
    mine = requested(centre, by=centre["officer_union"])
    others = [requested(centre, member=centre["other_s1"]) for _ in range(3)]
    response = call("get", "/queues/approvals", centre["officer_union"], {"limit": 2})
    assert response.status_code == 200
    page1 = response.json()
    assert [i["id"] for i in page1["items"]] == [others[2].pk, others[1].pk]
    assert page1["items"][0]["description"] == "生活困难补助"  # officers may see it
    page2 = call("get", "/queues/approvals", centre["officer_union"], {"limit": 2, "after": page1["next"]}).json()
    assert [i["id"] for i in page2["items"]] == [others[0].pk] and page2["next"] is None
    assert mine.pk not in {i["id"] for i in page1["items"] + page2["items"]}


def test_queues_refuse_roles_without_the_permission(call, centre):
    for who in ("auditor", "cadre", "member"):
        assert call("get", "/queues/approvals", centre[who]).status_code == 403
        assert call("get", "/queues/payments", centre[who]).status_code == 403


def test_queue_cursor_must_be_ours(call, centre):
    response = call("get", "/queues/approvals", centre["chair"], {"after": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 422
    assert "cursor is not valid" in response.json()["detail"][0]["msg"]


def test_payment_queue_lists_approved_money_assistance(call, centre):
    a = approved(centre)
    requested(centre)
    items = call("get", "/queues/payments", centre["officer_s1"]).json()["items"]
    assert [i["id"] for i in items] == [a.pk] and items[0]["amount"] == "3000.00"
    assert call("get", "/queues/payments", centre["officer_s2"]).json()["items"] == []


def test_queue_query_count_is_constant(call, centre, client):
    token = api_token_issue(user=centre["chair"])[0]
    headers = {"Authorization": f"Bearer {token}"}
    requested(centre)
    client.get("/api/v1/assistance/queues/approvals", headers=headers)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/assistance/queues/approvals", headers=headers).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(20):
        requested(centre, member=centre["s2_member" if i % 2 else "other_s1"], by=centre["officer_union"])
    assert count() == small


# --- mine ----------------------------------------------------------------------------------------


def test_member_reads_their_own_assistance(call, centre):
    a = approved(centre)
    assistance_disburse(actor=centre["chair"], assistance=a, idempotency_key="k")
    records.assistance(
        centre["member_record"],
        requested_by=centre["officer_s1"],
        line=centre["budget_line"],
        status="rejected",
        decided_by=centre["chair"],
    )
    requested(centre, member=centre["other_s1"])
    response = call("get", "/assistances/mine", centre["member"])
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["id"], i["status"], i["amount"]) for i in items] == [(a.pk, "delivered", "3000.00")]
    assert items[0]["status_label"] == "Delivered" and items[0]["delivered_on"] == centre["today"].isoformat()
    assert "decision_note" not in items[0]


def test_mine_needs_a_member_record(call, centre):
    response = call("get", "/assistances/mine", centre["officer_s1"])
    assert response.status_code == 403 and response.json()["code"] == "not_a_member"


# --- the schema ----------------------------------------------------------------------------------


def test_openapi_documents_the_idempotency_header_and_answers():
    schema = ninja_api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/assistance/assistances/{assistance_id}/disburse"]["post"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")
    assert header["name"] == "Idempotency-Key" and header["required"] is True
    assert header["schema"]["maxLength"] == 100
    assert {"200", "201", "400", "404", "409", "422"} <= {str(code) for code in operation["responses"]}
    paths = schema["paths"]
    assert "get" in paths["/api/v1/assistance/queues/approvals"]
    assert "get" in paths["/api/v1/assistance/assistances/mine"]


def test_amounts_are_decimal_strings_never_floats(call, centre):
    a = approved(centre, amount="0.10")
    body = disburse(call, centre["chair"], a, "cents").json()
    assert body["amount"] == "0.10" and Decimal(body["amount"]) == Decimal("0.10")


# --- fuzzing -------------------------------------------------------------------------------------

MY_OPERATIONS = {
    "POST /api/v1/assistance/assistances",
    "POST /api/v1/assistance/assistances/{assistance_id}/disburse",
    "GET /api/v1/assistance/queues/approvals",
    "GET /api/v1/assistance/queues/payments",
    "GET /api/v1/assistance/assistances/mine",
}


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_input_to_the_money_api_causes_a_server_error(centre, mode):
    """schemathesis sends valid and invalid requests to each money operation, in-process: never a 5xx."""
    import schemathesis
    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode

    approved(centre)
    headers = {"Authorization": f"Bearer {api_token_issue(user=centre['chair'])[0]}"}
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
        operations = [r.ok() for r in schema.get_all_operations()]
        operations = [op for op in operations if op.label in MY_OPERATIONS]
        assert {op.label for op in operations} == MY_OPERATIONS
        for operation in operations:

            @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
            @settings(
                max_examples=20, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
            )
            def check(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            check()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
