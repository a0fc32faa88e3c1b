"""Fuzzing the handling endpoints: no input may cause a server error (see api/tests/test_fuzz.py).
The chair answers for the whole union, and open appeals exist so that valid ids meet real rows."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz
from unionhome.keyset import encode_cursor
from unionhome.voices.tests.records import appeal_of

OPERATIONS = {
    "GET /api/v1/voices/handling/queue",
    "GET /api/v1/voices/handling/appeals/{appeal_id}",
    "POST /api/v1/voices/handling/appeals/{appeal_id}/acknowledge",
    "POST /api/v1/voices/handling/appeals/{appeal_id}/reply",
    "POST /api/v1/voices/handling/appeals/{appeal_id}/transfer",
    "POST /api/v1/voices/handling/appeals/{appeal_id}/close",
}


@pytest.fixture
def chair_token(voices):
    for _ in range(3):
        appeal_of(voices["member_record"], category="welfare")
    return api_token_issue(user=voices["chair"])[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_handling_endpoints_never_cause_a_server_error(api_schema, chair_token, mode):
    operations = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations:
        fuzz(operation, mode, headers)


any_text = st.text(max_size=60)
cursors = st.builds(lambda key, pk: encode_cursor([key, pk]), any_text, st.integers(-(2**70), 2**70))


@given(after=st.one_of(any_text, cursors))
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_cursors_never_cause_a_server_error(client, chair_token, after):
    headers = {"Authorization": f"Bearer {chair_token}"}
    response = client.get("/api/v1/voices/handling/queue", {"after": after}, headers=headers)
    assert response.status_code in {200, 422}, response.content
    page = client.get(f"/voices/queue/?after={after}")
    assert page.status_code in {200, 302, 400}
