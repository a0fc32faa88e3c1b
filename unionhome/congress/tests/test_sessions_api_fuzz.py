"""Fuzzing the sessions endpoints (as ``unionhome/api/tests/test_fuzz.py`` does for the whole API): valid
and invalid requests, as the congress office and as a representative, never answer a 5xx."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue

OPERATIONS = {
    "GET /api/v1/congress/departments",
    "GET /api/v1/congress/sessions",
    "GET /api/v1/congress/sessions/{session_id}",
    "POST /api/v1/congress/sessions/{session_id}/check-in",
    "POST /api/v1/congress/sessions/{session_id}/check-ins",
    "GET /api/v1/congress/sessions/{session_id}/representatives",
}


@pytest.fixture
def api_schema(db):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", ["office", "rep"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_sessions_endpoints_never_answer_a_server_error(api_schema, congress, mode, who):
    user = congress["office"] if who == "office" else congress["rep_users"][0]
    headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
    operations = [r.ok() for r in api_schema.get_all_operations() if r.ok().label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()
