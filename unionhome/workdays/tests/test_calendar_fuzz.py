"""Fuzzing the working-day calendar endpoints: no input may cause a server error (see
api/tests/test_fuzz.py), as the union's chair, who may change the calendar."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz, operations_named

OPERATIONS = {
    "GET /api/v1/workdays/calendar",
    "POST /api/v1/workdays/calendar/days",
    "POST /api/v1/workdays/calendar/days/remove",
    "POST /api/v1/workdays/calendar/years/{year}",
}


@pytest.fixture
def chair_token(people):
    return api_token_issue(user=people["chair"])[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_calendar_endpoints_never_cause_a_server_error(api_schema, chair_token, mode):
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations_named(api_schema, OPERATIONS):
        fuzz(operation, mode, headers)


dates = st.one_of(st.text(max_size=12), st.dates().map(str), st.integers(-(2**70), 2**70))


@given(holidays=st.lists(dates, max_size=5), day=dates)
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_dates_never_cause_a_server_error(client, chair_token, holidays, day):
    headers = {"Authorization": f"Bearer {chair_token}"}
    for path, body in [
        ("/api/v1/workdays/calendar/years/2027", {"holidays": holidays}),
        ("/api/v1/workdays/calendar/days", {"date": day, "kind": "holiday"}),
        ("/api/v1/workdays/calendar/days/remove", {"date": day}),
    ]:
        response = client.post(path, body, content_type="application/json", headers=headers)
        assert response.status_code in {200, 422}, response.content
