"""Fuzzing the decision endpoints: no input may cause a server error (see api/tests/test_fuzz.py)."""

import pytest
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz
from unionhome.congress.tests import decision_records as records

EXAMPLES_PER_OPERATION = 20


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
            fuzz(operation, mode, headers, EXAMPLES_PER_OPERATION)
