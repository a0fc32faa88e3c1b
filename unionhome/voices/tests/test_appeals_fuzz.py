"""Fuzzing the worker's voices endpoints: no input may cause a server error (see api/tests/test_fuzz.py).

The caller is a member with a named appeal (answered) so that valid ids meet real rows."""

import pytest
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import fuzz
from unionhome.voices.tests.appeal_helpers import answer, send

OPERATIONS = {
    "POST /api/v1/voices/appeals",
    "GET /api/v1/voices/appeals",
    "GET /api/v1/voices/appeals/{appeal_id}",
    "POST /api/v1/voices/appeals/{appeal_id}/messages",
    "POST /api/v1/voices/appeals/{appeal_id}/rate",
    "PATCH /api/v1/voices/appeals/{appeal_id}/rate",
    "POST /api/v1/voices/appeals/{appeal_id}/reopen",
    "POST /api/v1/voices/appeals/{appeal_id}/withdraw",
    "POST /api/v1/voices/anonymous/appeals",
    "POST /api/v1/voices/anonymous/appeal",
    "POST /api/v1/voices/anonymous/messages",
    "POST /api/v1/voices/anonymous/rate",
    "PATCH /api/v1/voices/anonymous/rate",
    "POST /api/v1/voices/anonymous/reopen",
    "POST /api/v1/voices/anonymous/withdraw",
}


@pytest.fixture
def member_token(voices, settings, tmp_path):
    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    worker = factories.user("worker", member=voices["other_s1"])
    appeal, _ = send(worker)
    answer(voices["cadre"], appeal)
    send(worker, anonymous=True)
    return api_token_issue(user=worker)[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_appeal_endpoints_never_cause_a_server_error(api_schema, member_token, mode):
    operations = [op for op in (r.ok() for r in api_schema.get_all_operations()) if op.label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    headers = {"Authorization": f"Bearer {member_token}"}
    for operation in operations:
        fuzz(operation, mode, headers)
