"""Fuzzing the endpoints of notifications, ratings and follow-ups: no input may cause a server error.

The same approach as ``unionhome/api/tests/test_fuzz.py`` (schemathesis in-process, valid and invalid
requests), limited to these operations, as a chair who is also a member with something to rate, a
follow-up to record and notifications in the inbox."""

import datetime

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.assistance.models import AssistanceSettings, BudgetLine
from unionhome.assistance.services.follow_ups import follow_ups_schedule
from unionhome.assistance.tests import records
from unionhome.notify.services import notification_send

OPERATIONS = {
    "GET /api/v1/notify/inbox",
    "GET /api/v1/notify/unread-count",
    "POST /api/v1/notify/inbox/read-all",
    "POST /api/v1/notify/inbox/{notification_id}/read",
    "GET /api/v1/notify/preferences",
    "PATCH /api/v1/notify/preferences",
    "GET /api/v1/satisfaction/ratings/pending",
    "POST /api/v1/satisfaction/ratings",
    "PATCH /api/v1/satisfaction/ratings/{rating_id}",
    "GET /api/v1/assistance/queues/follow-ups",
    "POST /api/v1/assistance/follow-ups/{follow_up_id}",
}
EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def api_schema(db):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def chair_token(union):
    member = factories.member(union["g11"], "张三")
    chair = factories.user("chair", member=member, roles=(("chair", union["union"]),))
    AssistanceSettings.objects.create(union=union["union"])
    line = BudgetLine.objects.create(
        unit=union["union"],
        unit_path=union["union"].path,
        name="帮扶资金",
        fund_source="union_funds",
        year=2026,
        amount=10000,
    )
    assistance = records.assistance(
        member,
        requested_by=factories.user("officer", roles=(("assistance_officer", union["union"]),)),
        responsible=chair,
        line=line,
        status="delivered",
        delivered_on=datetime.date.today() - datetime.timedelta(days=40),
    )
    follow_ups_schedule(assistance=assistance)
    for i in range(3):
        notification_send(recipient=chair, kind="test", title=f"提醒{i}")
    return api_token_issue(user=chair)[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, chair_token, mode):
    operations = [r.ok() for r in api_schema.get_all_operations()]
    operations = [op for op in operations if op.label in OPERATIONS]
    assert {op.label for op in operations} == OPERATIONS
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations:

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
