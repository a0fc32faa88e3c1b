"""GET /api/v1/assistance/reports: the same figures and scope as the page, as typed JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unionhome.accounts.services import api_token_issue
from unionhome.assistance.tests import report_records
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PATH = "/api/v1/assistance/reports"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def data(centre):
    return report_records.build(centre)


@pytest.fixture
def get(client):
    def call(user, **params):
        token = api_token_issue(user=user)[0]
        return client.get(PATH, params, headers={"Authorization": f"Bearer {token}"})

    return call


def test_union_report_as_json(get, centre, data):
    response = get(centre["chair"], year=data.year)
    assert response.status_code == 200, response.content
    body = response.json()
    union = centre["union"]["union"]
    assert body["unit"] == {"id": union.pk, "code": "TC", "name": "技术中心工会", "kind": "union", "depth": 1}
    assert (body["year"], body["start"], body["end"]) == (data.year, f"{data.year}-01-01", f"{data.year}-12-31")
    files = body["files"]
    assert (files["active_during"], files["active_at_end"], files["new"], files["exited"]) == (5, 4, 3, 1)
    assert {row["code"]: row["active_during"] for row in files["by_level"]} == {"deep": 3, "relative": 1, "sudden": 1}
    assert next(row for row in files["by_cause"] if row["code"] == "low_income")["active_at_end"] == 4
    assert body["assistance"]["count"] == 4 and body["assistance"]["amount"] == "3300.00"
    medical = next(row for row in body["assistance"]["by_kind"] if row["code"] == "medical")
    assert medical == {"code": "medical", "label": "Medical aid", "count": 1, "amount": "2000.00"}
    money = body["money"]
    assert (money["assistance"], money["aid"], money["visits"], money["total"]) == (
        "3300.00",
        "5000.00",
        "200.00",
        "8500.00",
    )
    union_funds = next(row for row in money["by_fund"] if row["code"] == "union_funds")
    assert union_funds["total"] == "8200.00" and union_funds["label"] == "Union funds"
    follow_ups = body["follow_ups"]
    assert (follow_ups["due"], follow_ups["done"], follow_ups["on_time"], follow_ups["late"]) == (4, 3, 2, 1)
    assert (follow_ups["overdue"], follow_ups["pending"], follow_ups["on_time_rate"]) == (1, 0, "50.0")
    assert {row["code"]: row["count"] for row in follow_ups["grades"]}["resolved"] == 1
    assert body["aid"] == {
        "applications": 3,
        "approved": 2,
        "rejected": 1,
        "paid": 1,
        "approved_amount": "8000.00",
        "paid_amount": "5000.00",
    }
    visits = body["visits"]
    assert (visits["due"], visits["done"], visits["on_time"], visits["overdue"], visits["done_in_year"]) == (
        4,
        3,
        1,
        1,
        4,
    )
    assert [(row["unit_code"], row["own"]) for row in body["children"]] == [
        ("TC", True),
        ("S01", False),
        ("S02", False),
    ]
    s1 = body["children"][1]
    assert (s1["files_active_during"], s1["assistance_amount"], s1["follow_ups_on_time_rate"]) == (3, "3000.00", "33.3")
    assert s1["label"] == "第一检验站分工会" and s1["visits_done_in_year"] == 3
    # Counts and sums only, and no audit event for reading them.
    for name in ("张三", "李四", "王五"):
        assert name not in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="assistance.report").exists()


def test_defaults_to_the_top_of_the_scope_and_this_year(get, centre, data):
    body = get(centre["officer_s1"]).json()
    assert body["unit"]["code"] == "S01" and body["year"] == centre["today"].year
    assert [row["unit_code"] for row in body["children"]] == ["S01-G1", "S01-G2"]
    assert get(centre["officer_s1"], year=data.year).json()["money"]["total"] == "8200.00"


def test_out_of_scope_unit_is_404(get, centre):
    union = centre["union"]
    for unit_id in (union["s2"].pk, union["union"].pk, 10**15):
        response = get(centre["officer_s1"], unit=unit_id)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert AuditEvent.objects.filter(action="access.denied", actor=centre["officer_s1"]).count() == 3


@pytest.mark.parametrize("who", ["member", "admin"])
def test_without_the_permission_403(get, centre, who):
    response = get(centre[who])
    assert response.status_code == 403
    assert "assistance.view_reports" in response.json()["detail"]


def test_auditor_reads_reports(get, centre):
    assert get(centre["auditor"]).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"year": 1999}, {"year": 2101}, {"year": "abc"}, {"unit": 0}, {"unit": "x"}, {"unit": 2**63}],
)
def test_bad_input_is_422(get, centre, params):
    response = get(centre["chair"], **params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_without_a_token_401(client, centre):
    assert client.get(PATH).status_code == 401


def test_query_count_does_not_grow_with_rows(get, centre, data):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert get(centre["chair"], year=data.year).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    report_records.grow(centre, data, 16)
    assert count() == before


def test_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][PATH]["get"]
    assert operation["operationId"] == "assistance_report_get"
    assert {"200", "403", "404", "422"} <= set(operation["responses"])
