"""Fuzzing the sessions endpoints (as ``unionhome/api/tests/test_fuzz.py`` does for the whole API): valid
and invalid requests, as the congress office and as a representative, never answer a 5xx."""

import pytest
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz

OPERATIONS = {
    "GET /api/v1/congress/departments",
    "GET /api/v1/congress/sessions",
    "GET /api/v1/congress/sessions/{session_id}",
    "POST /api/v1/congress/sessions/{session_id}/check-in",
    "POST /api/v1/congress/sessions/{session_id}/check-ins",
    "GET /api/v1/congress/sessions/{session_id}/representatives",
}


@pytest.mark.parametrize("who", ["office", "rep"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_sessions_endpoints_never_answer_a_server_error(api_schema, congress, mode, who):
    user = congress["office"] if who == "office" else congress["rep_users"][0]
    headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
    operations = [r.ok() for r in api_schema.get_all_operations() if r.ok().label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    for operation in operations:
        fuzz(operation, mode, headers, examples=15)
