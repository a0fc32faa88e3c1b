"""Fuzzing: no input may cause a server error.

1. schemathesis generates valid and invalid requests for every operation of the OpenAPI schema and
   sends them in-process to Django's real WSGI handler (the whole middleware stack, CSRF included),
   inside the test's database transaction, authenticated as the union chair (who sees everything).
2. hypothesis aims at the member directory's query parameters one at a time, the others valid, so
   that odd text does reach the database (schemathesis alone rarely gets that far in few examples).

Example counts are bounded: 25 per operation and mode, but operations that a test of their own fuzzes again
with its rows in place (so that ids hit) get 10 here, where they mostly meet ids that do not exist.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from tests import factories
from unionhome.accounts.services import api_token_issue
from unionhome.api.tests.fuzzing import EXAMPLES_PER_OPERATION, fuzz
from unionhome.assistance.tests.test_files_fuzz import OPERATIONS as FILES
from unionhome.assistance.tests.test_money_api import MY_OPERATIONS as MONEY
from unionhome.congress.tests.test_sessions_api_fuzz import OPERATIONS as SESSIONS
from unionhome.disclosure.tests.test_disclosure_fuzz import OPERATIONS as DISCLOSURE
from unionhome.keyset import encode_cursor
from unionhome.notify.tests.test_notify_fuzz import OPERATIONS as NOTIFY
from unionhome.satisfaction.tests.test_you_said import YOU_SAID_OPERATIONS as YOU_SAID
from unionhome.voices.tests.test_appeals_fuzz import OPERATIONS as APPEALS
from unionhome.voices.tests.test_config_fuzz import OPERATIONS as VOICES_CONFIG
from unionhome.voices.tests.test_handling_fuzz import OPERATIONS as HANDLING
from unionhome.workdays.tests.test_calendar_fuzz import OPERATIONS as CALENDAR

# Fuzzed again, with their rows in place, by the tests these sets come from (and the congress decisions by
# congress/tests/test_decisions_fuzz.py): fewer examples here, where their ids mostly do not exist.
FUZZED_WITH_THEIR_ROWS = {
    *FILES, *MONEY, *SESSIONS, *DISCLOSURE, *NOTIFY, *YOU_SAID, *APPEALS, *VOICES_CONFIG, *HANDLING, *CALENDAR,
}  # fmt: skip
EXAMPLES_WHEN_FUZZED_AGAIN = 10


def examples_for(label: str) -> int:
    fuzzed_again = label in FUZZED_WITH_THEIR_ROWS or "/api/v1/congress/decisions" in label
    return EXAMPLES_WHEN_FUZZED_AGAIN if fuzzed_again else EXAMPLES_PER_OPERATION


@pytest.fixture
def chair_token(union):
    members = [factories.member(union[g], name) for g, name in (("g11", "张三"), ("g12", "李四"), ("g21", "王五"))]
    chair = factories.user("chair", member=members[0], roles=(("chair", union["union"]),))
    return api_token_issue(user=chair)[0]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_causes_a_server_error(api_schema, chair_token, mode):
    """Every operation, valid and invalid inputs: never a 5xx.

    (schemathesis' own pytest plugin does not run under pytest 9 yet, so hypothesis drives its strategies.)
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "POST /api/v1/auth/token",
        "GET /api/v1/me",
        "GET /api/v1/org/units",
        "GET /api/v1/members",
        "GET /api/v1/members/{member_id}",
        "GET /api/v1/assistance/aid/applications/mine",
        "POST /api/v1/assistance/aid/applications/{application_id}/payment",
        "GET /api/v1/assistance/aid/campaigns",
        "POST /api/v1/assistance/aid/campaigns/{campaign_id}/applications",
        "POST /api/v1/assistance/assistances",
        "GET /api/v1/assistance/assistances/mine",
        "POST /api/v1/assistance/assistances/{assistance_id}/disburse",
        "GET /api/v1/assistance/files",
        "POST /api/v1/assistance/files",
        "GET /api/v1/assistance/files/{file_id}",
        "POST /api/v1/assistance/follow-ups/{follow_up_id}",
        "POST /api/v1/assistance/life-events",
        "GET /api/v1/assistance/queues/aid",
        "GET /api/v1/assistance/queues/approvals",
        "GET /api/v1/assistance/queues/files",
        "GET /api/v1/assistance/queues/follow-ups",
        "GET /api/v1/assistance/queues/payments",
        "GET /api/v1/assistance/queues/visits",
        "GET /api/v1/assistance/reports",
        "GET /api/v1/assistance/visits/mine",
        "POST /api/v1/assistance/visits/{visit_id}/record",
        "GET /api/v1/congress/decisions",
        "POST /api/v1/congress/decisions",
        "POST /api/v1/congress/decisions/milestones/{milestone_id}",
        "GET /api/v1/congress/decisions/opinion-calls/{call_id}",
        "POST /api/v1/congress/decisions/opinion-calls/{call_id}/close",
        "POST /api/v1/congress/decisions/opinion-calls/{call_id}/comments",
        "POST /api/v1/congress/decisions/opinion-calls/{call_id}/summary",
        "POST /api/v1/congress/decisions/opinion-comments/{comment_id}/adoption",
        "GET /api/v1/congress/decisions/{decision_id}",
        "POST /api/v1/congress/decisions/{decision_id}/complete",
        "POST /api/v1/congress/decisions/{decision_id}/decided",
        "POST /api/v1/congress/decisions/{decision_id}/drop",
        "POST /api/v1/congress/decisions/{decision_id}/inspections",
        "POST /api/v1/congress/decisions/{decision_id}/milestones",
        "POST /api/v1/congress/decisions/{decision_id}/motion",
        "POST /api/v1/congress/decisions/{decision_id}/notice",
        "POST /api/v1/congress/decisions/{decision_id}/opinion-calls",
        "POST /api/v1/congress/decisions/{decision_id}/tracking",
        "GET /api/v1/congress/departments",
        "GET /api/v1/congress/proposals",
        "POST /api/v1/congress/proposals",
        "POST /api/v1/congress/proposals/suggestions",
        "GET /api/v1/congress/proposals/{proposal_id}",
        "POST /api/v1/congress/proposals/{proposal_id}/adopt",
        "POST /api/v1/congress/proposals/{proposal_id}/submit",
        "POST /api/v1/congress/proposals/{proposal_id}/second",
        "POST /api/v1/congress/proposals/{proposal_id}/send-for-review",
        "POST /api/v1/congress/proposals/{proposal_id}/review",
        "POST /api/v1/congress/proposals/{proposal_id}/refer",
        "POST /api/v1/congress/proposals/{proposal_id}/reply",
        "POST /api/v1/congress/proposals/{proposal_id}/progress",
        "POST /api/v1/congress/proposals/{proposal_id}/rate",
        "PATCH /api/v1/congress/proposals/{proposal_id}/rate",
        "GET /api/v1/congress/sessions",
        "GET /api/v1/congress/sessions/{session_id}",
        "POST /api/v1/congress/sessions/{session_id}/check-in",
        "POST /api/v1/congress/sessions/{session_id}/check-ins",
        "GET /api/v1/congress/sessions/{session_id}/representatives",
        "GET /api/v1/congress/motions",
        "POST /api/v1/congress/motions",
        "GET /api/v1/congress/votes",
        "POST /api/v1/congress/votes",
        "GET /api/v1/congress/votes/{vote_id}",
        "POST /api/v1/congress/votes/{vote_id}/ballots",
        "POST /api/v1/congress/votes/{vote_id}/close",
        "POST /api/v1/congress/votes/{vote_id}/open",
        "GET /api/v1/congress/votes/{vote_id}/result",
        "GET /api/v1/disclosure/notices",
        "POST /api/v1/disclosure/notices",
        "GET /api/v1/disclosure/notices/{notice_id}",
        "POST /api/v1/disclosure/notices/{notice_id}/publish",
        "GET /api/v1/disclosure/notices/{notice_id}/questions",
        "POST /api/v1/disclosure/notices/{notice_id}/questions",
        "POST /api/v1/disclosure/notices/{notice_id}/read",
        "GET /api/v1/disclosure/notices/{notice_id}/receipts",
        "POST /api/v1/disclosure/notices/{notice_id}/remind",
        "POST /api/v1/disclosure/questions/{question_id}/answer",
        "GET /api/v1/notify/inbox",
        "POST /api/v1/notify/inbox/read-all",
        "POST /api/v1/notify/inbox/{notification_id}/read",
        "GET /api/v1/notify/preferences",
        "PATCH /api/v1/notify/preferences",
        "GET /api/v1/notify/unread-count",
        "POST /api/v1/satisfaction/ratings",
        "GET /api/v1/satisfaction/ratings/pending",
        "PATCH /api/v1/satisfaction/ratings/{rating_id}",
        "GET /api/v1/satisfaction/index",
        "GET /api/v1/satisfaction/index/trend",
        "GET /api/v1/satisfaction/index/units",
        "GET /api/v1/satisfaction/index/cadres",
        "GET /api/v1/satisfaction/index/comments",
        "GET /api/v1/satisfaction/alerts",
        "POST /api/v1/satisfaction/alerts/{alert_id}/seen",
        "GET /api/v1/satisfaction/index/heatmap",
        "GET /api/v1/satisfaction/index/drivers",
        "GET /api/v1/satisfaction/you-said",
        "POST /api/v1/satisfaction/you-said",
        "GET /api/v1/satisfaction/you-said/manage",
        "PUT /api/v1/satisfaction/you-said/{action_id}",
        "POST /api/v1/satisfaction/you-said/{action_id}/publish",
        "POST /api/v1/satisfaction/you-said/{action_id}/withdraw",
        "GET /api/v1/satisfaction/surveys/manage",
        "POST /api/v1/satisfaction/surveys/manage",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}",
        "PATCH /api/v1/satisfaction/surveys/manage/{survey_id}",
        "POST /api/v1/satisfaction/surveys/manage/{survey_id}/questions",
        "PATCH /api/v1/satisfaction/surveys/manage/{survey_id}/questions/{question_id}",
        "DELETE /api/v1/satisfaction/surveys/manage/{survey_id}/questions/{question_id}",
        "POST /api/v1/satisfaction/surveys/manage/{survey_id}/questions/order",
        "POST /api/v1/satisfaction/surveys/manage/{survey_id}/open",
        "POST /api/v1/satisfaction/surveys/manage/{survey_id}/close",
        "POST /api/v1/satisfaction/surveys/manage/{survey_id}/remind",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}/rate",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}/results",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}/results/breakdown",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}/results.xlsx",
        "GET /api/v1/satisfaction/surveys/manage/{survey_id}/drivers",
        "GET /api/v1/satisfaction/surveys",
        "GET /api/v1/satisfaction/surveys/{survey_id}",
        "POST /api/v1/satisfaction/surveys/{survey_id}/responses",
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
        "GET /api/v1/voices/handling/queue",
        "GET /api/v1/voices/handling/appeals/{appeal_id}",
        "POST /api/v1/voices/handling/appeals/{appeal_id}/acknowledge",
        "POST /api/v1/voices/handling/appeals/{appeal_id}/reply",
        "POST /api/v1/voices/handling/appeals/{appeal_id}/transfer",
        "POST /api/v1/voices/handling/appeals/{appeal_id}/close",
        "GET /api/v1/voices/hot",
        "GET /api/v1/voices/signals",
        "POST /api/v1/voices/signals/alerts/{alert_id}/seen",
        "GET /api/v1/voices/settings/rules",
        "POST /api/v1/voices/settings/rules",
        "POST /api/v1/voices/settings/rules/{rule_id}/deactivate",
        "GET /api/v1/voices/settings/deadlines",
        "POST /api/v1/voices/settings/deadlines",
        "GET /api/v1/workdays/calendar",
        "POST /api/v1/workdays/calendar/days",
        "POST /api/v1/workdays/calendar/days/remove",
        "POST /api/v1/workdays/calendar/years/{year}",
    }
    headers = {"Authorization": f"Bearer {chair_token}"}
    for operation in operations:
        fuzz(operation, mode, headers, examples_for(operation.label))


# Hypothesis straight at the directory's query string, one parameter at a time with the others
# valid, where bad text reaches the database: it finds what a general fuzzer may miss in few
# examples (a NUL in ``q`` is a 500 on PostgreSQL unless refused first).
any_text = st.text(max_size=60)
cursors = st.builds(lambda key, pk: encode_cursor([key, pk]), any_text, st.integers(-(2**70), 2**70))
PARAMETERS = {
    "q": st.one_of(any_text, st.sampled_from(["zs", "张", "E0", "\x00", "%", "_", "\\"])),
    "status": st.one_of(st.sampled_from(["active", "retired", "left", "transferred", "all"]), any_text),
    "after": st.one_of(any_text, cursors),
    "limit": st.one_of(st.integers(-5, 200), st.integers(), any_text),
}


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_member_directory_parameters_never_cause_a_server_error(client, chair_token, name):
    headers = {"Authorization": f"Bearer {chair_token}"}

    @given(value=PARAMETERS[name])
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(value):
        response = client.get("/api/v1/members", {name: value}, headers=headers)
        assert response.status_code in {200, 422}, response.content
        assert response["Content-Type"].startswith("application/json")

    check()
