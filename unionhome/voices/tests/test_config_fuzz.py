"""Fuzzing the settings endpoints (routing rules, deadlines): no input may cause a server error (see
api/tests/test_fuzz.py). The chair configures the whole union, and rules exist so that valid ids meet rows."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named
from unionhome.keyset import encode_cursor

OPERATIONS = {
    "GET /api/v1/voices/settings/rules",
    "POST /api/v1/voices/settings/rules",
    "POST /api/v1/voices/settings/rules/{rule_id}/deactivate",
    "GET /api/v1/voices/settings/deadlines",
    "POST /api/v1/voices/settings/deadlines",
}


@pytest.fixture
def chair_token(voices):
    return api_token_issue(user=voices["chair"])[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_settings_endpoints_never_cause_a_server_error(api_schema, chair_token, mode):
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations_named(api_schema, OPERATIONS):
        fuzz(operation, mode, headers)


any_text = st.text(max_size=60)
cursors = st.builds(lambda key, pk: encode_cursor([key, pk]), any_text, st.integers(-(2**70), 2**70))


@given(after=st.one_of(any_text, cursors), category=st.one_of(any_text, st.sampled_from(["every", "safety", ""])))
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_rule_filters_never_cause_a_server_error(client, chair_token, after, category):
    headers = {"Authorization": f"Bearer {chair_token}"}
    response = client.get("/api/v1/voices/settings/rules", {"after": after, "category": category}, headers=headers)
    assert response.status_code in {200, 422}, response.content
