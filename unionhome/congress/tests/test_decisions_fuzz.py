"""Fuzzing the decision endpoints: no input may cause a server error (see api/tests/test_fuzz.py)."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.congress.tests import decision_records as records

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def api_schema(db):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_decision_endpoints_never_cause_a_server_error(api_schema, congress, mode):
    records.open_call(congress, records.new_decision(congress))
    records.implementing(congress)
    operations = [
        op for op in (r.ok() for r in api_schema.get_all_operations()) if "/api/v1/congress/decisions" in op.label
    ]
    assert len(operations) == 18
    for user in (congress["office"], congress["rep_users"][0]):
        headers = {"Authorization": f"Bearer {api_token_issue(user=user)[0]}"}
        for operation in operations:
            fuzz(operation, mode, headers)


def fuzz(operation, mode, headers: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    check()
