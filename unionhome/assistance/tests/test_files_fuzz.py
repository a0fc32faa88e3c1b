"""Fuzzing the hardship-file endpoints: no input may cause a server error (see api/tests/test_fuzz.py)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz
from unionhome.keyset import encode_cursor

EXAMPLES_PER_OPERATION = 30
OPERATIONS = {
    "GET /api/v1/assistance/files",
    "POST /api/v1/assistance/files",
    "GET /api/v1/assistance/files/{file_id}",
    "GET /api/v1/assistance/queues/files",
}


@pytest.fixture
def chair_token(union):
    member = factories.member(union["g11"], "张三")
    chair = factories.user("chair", member=member, roles=(("chair", union["union"]),))
    return api_token_issue(user=chair)[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_file_endpoints_never_cause_a_server_error(api_schema, chair_token, mode):
    operations = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations:
        fuzz(operation, mode, headers, EXAMPLES_PER_OPERATION)


any_text = st.text(max_size=60)
cursors = st.builds(lambda key, pk: encode_cursor([key, pk]), any_text, st.integers(-(2**70), 2**70))


@given(after=st.one_of(any_text, cursors), q=st.one_of(any_text, st.sampled_from(["\x00", "%", "zs"])))
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_list_parameters_never_cause_a_server_error(client, chair_token, after, q):
    headers = {"Authorization": f"Bearer {chair_token}"}
    for params in ({"after": after}, {"q": q}):
        response = client.get("/api/v1/assistance/files", params, headers=headers)
        assert response.status_code in {200, 422}, response.content
