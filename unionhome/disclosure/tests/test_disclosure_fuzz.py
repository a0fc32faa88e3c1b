"""Fuzzing the disclosure endpoints: no input may cause a server error (see api/tests/test_fuzz.py).

The chair is a member of the union too, so the board, reading and asking reach the services; a notice
and a question exist so that valid ids meet real rows."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz
from unionhome.disclosure.services.questions import question_ask
from unionhome.disclosure.tests.records import published
from unionhome.keyset import encode_cursor

OPERATIONS = {
    "GET /api/v1/disclosure/notices",
    "POST /api/v1/disclosure/notices",
    "GET /api/v1/disclosure/notices/{notice_id}",
    "POST /api/v1/disclosure/notices/{notice_id}/publish",
    "GET /api/v1/disclosure/notices/{notice_id}/questions",
    "POST /api/v1/disclosure/notices/{notice_id}/questions",
    "POST /api/v1/disclosure/notices/{notice_id}/read",
    "GET /api/v1/disclosure/notices/{notice_id}/receipts",
    "POST /api/v1/disclosure/notices/{notice_id}/remind",
    "POST /api/v1/disclosure/questions/{question_id}/answer",
}


@pytest.fixture
def chair_token(union):
    member = factories.member(union["g11"], "张三")
    chair = factories.user("chair", member=member, roles=(("chair", union["union"]),))
    notice = published(chair, union["union"])
    question_ask(actor=chair, notice=notice, body="问题")
    return api_token_issue(user=chair)[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_disclosure_endpoints_never_cause_a_server_error(api_schema, chair_token, mode):
    operations = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations:
        fuzz(operation, mode, headers)


any_text = st.text(max_size=60)
cursors = st.builds(lambda key, pk: encode_cursor([key, pk]), any_text, st.integers(-(2**70), 2**70))


@given(after=st.one_of(any_text, cursors), unit=any_text)
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_query_parameters_never_cause_a_server_error(client, chair_token, after, unit):
    headers = {"Authorization": f"Bearer {chair_token}"}
    response = client.get("/api/v1/disclosure/notices", {"after": after}, headers=headers)
    assert response.status_code in {200, 422}, response.content
    notice_id = client.get("/api/v1/disclosure/notices", headers=headers).json()["items"][0]["id"]
    response = client.get(f"/api/v1/disclosure/notices/{notice_id}/receipts", {"unit": unit}, headers=headers)
    assert response.status_code in {200, 422}, response.content
