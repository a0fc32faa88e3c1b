"""Bad input answers a clear JSON error with a 4xx, never a 500 and never an HTML page."""

import json

import pytest

from tests import factories
from unionhome.accounts.models import ApiToken
from unionhome.api.fields import MAX_ID
from unionhome.keyset import encode_cursor

pytestmark = pytest.mark.django_db


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def invalid(response) -> list[dict]:
    body = problem(response, 422)
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], list) and body["detail"]
    for item in body["detail"]:
        assert set(item) == {"loc", "msg", "type"} and item["msg"]
    return body["detail"]


# --- the token endpoint's body -------------------------------------------------------------------


def test_missing_fields_are_422_naming_each_field(api, people):
    details = invalid(api.post("/auth/token", {"login": "member"}))
    assert details == [{"loc": ["body", "payload", "password"], "msg": "This field is required.", "type": "missing"}]


def test_empty_body_is_422(api, people):
    details = invalid(api.post("/auth/token", raw=b""))
    assert details[0]["type"] == "missing"


def test_over_long_login_is_422(api, people):
    details = invalid(api.post("/auth/token", {"login": "x" * 65, "password": "p"}))
    assert details[0]["loc"][-1] == "login"
    assert details[0]["msg"] == "Use at most 64 characters."


@pytest.mark.parametrize("login", ["mem\x00ber", "member\n", "\x07"])
def test_control_characters_in_the_login_are_422(api, people, login):
    details = invalid(api.post("/auth/token", {"login": login, "password": factories.PASSWORD}))
    assert details[0]["loc"][-1] == "login"
    assert "control characters" in details[0]["msg"]


def test_unencodable_password_is_422_not_500(api, people):
    body = '{"login": "member", "password": "\\ud800abc"}'  # a lone surrogate
    details = invalid(api.post("/auth/token", raw=body))
    assert details[0]["loc"][-1] == "password"


@pytest.mark.parametrize("totp", ["12345", "abcdef", "1234567", 123456])
def test_malformed_totp_is_422(api, people, totp):
    details = invalid(api.post("/auth/token", {"login": "member", "password": factories.PASSWORD, "totp": totp}))
    assert details[0]["loc"][-1] == "totp"


@pytest.mark.parametrize("payload", [[1, 2], "member", 42, None])
def test_body_that_is_not_an_object_is_422(api, people, payload):
    invalid(api.post("/auth/token", payload))


@pytest.mark.parametrize("raw", ["{not json", '{"login": "member",}', "\xff\xfe", "[" * 5000])
def test_malformed_json_is_400(api, people, raw):
    body = problem(api.post("/auth/token", raw=raw.encode("latin-1") if raw == "\xff\xfe" else raw), 400)
    assert body == {"detail": "The request body is not valid JSON.", "code": "malformed_json"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(api, people, content_type):
    raw = json.dumps({"login": "member", "password": factories.PASSWORD})
    body = problem(api.post("/auth/token", raw=raw, content_type=content_type), 415)
    assert body["code"] == "unsupported_media_type"
    assert not ApiToken.objects.exists()


def test_json_subtype_is_accepted(api, people):
    raw = json.dumps({"login": "member", "password": factories.PASSWORD})
    assert api.post("/auth/token", raw=raw, content_type="application/vnd.unionhome+json").status_code == 200


def test_large_body_is_413(api, people):
    raw = json.dumps({"login": "member", "password": factories.PASSWORD, "padding": "x" * 20_000})
    assert problem(api.post("/auth/token", raw=raw), 413)["code"] == "too_large"


def test_huge_body_beyond_djangos_limit_is_413(api, people, settings):
    raw = json.dumps({"login": "member", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert problem(api.post("/auth/token", raw=raw), 413)["code"] == "too_large"


# --- query parameters ----------------------------------------------------------------------------


@pytest.fixture
def chair_token(people, token_for):
    return token_for(people["chair"])


def test_over_long_search_is_422(api, chair_token):
    details = invalid(api.get("/members", chair_token, q="z" * 51))
    assert details[0]["loc"] == ["query", "q"] and details[0]["msg"] == "Use at most 50 characters."


def test_search_with_nul_is_422(api, chair_token):
    assert invalid(api.get("/members", chair_token, q="zs\x00"))[0]["loc"] == ["query", "q"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", str(10**30)])
def test_limit_out_of_range_is_422(api, chair_token, limit):
    details = invalid(api.get("/members", chair_token, limit=limit))
    assert details[0]["loc"] == ["query", "limit"]


def test_limit_messages_name_the_bounds(api, chair_token):
    assert invalid(api.get("/members", chair_token, limit="0"))[0]["msg"] == "The smallest allowed value is 1."
    assert invalid(api.get("/members", chair_token, limit="101"))[0]["msg"] == "The largest allowed value is 100."


def test_unknown_status_is_422_listing_the_choices(api, chair_token):
    details = invalid(api.get("/members", chair_token, status="dead"))
    assert details[0]["loc"] == ["query", "status"]
    assert "'active'" in details[0]["msg"] and "'all'" in details[0]["msg"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!!",
        "e30",  # {} in base64
        encode_cursor(["wang", "7"]),  # id of the wrong type
        encode_cursor(["wang", 10**30]),  # beyond any database id
        encode_cursor(["wang", -1]),
        encode_cursor(["wa\x00ng", 1]),
        "eyJ4IjoxfQ" * 40,  # over-long
    ],
)
def test_bad_cursor_is_422(api, chair_token, cursor):
    details = invalid(api.get("/members", chair_token, after=cursor))
    assert details[0]["loc"] == ["query", "after"]


def test_cursor_with_a_lone_surrogate_is_422(api, chair_token):
    import base64

    cursor = base64.urlsafe_b64encode(b'["\\ud800", 1]').decode().rstrip("=")
    assert invalid(api.get("/members", chair_token, after=cursor))[0]["loc"] == ["query", "after"]


def test_valid_cursor_from_elsewhere_is_fine(api, chair_token):
    assert api.get("/members", chair_token, after=encode_cursor(["a", MAX_ID])).status_code == 200


@pytest.mark.parametrize("member_id", ["0", "-3", str(MAX_ID + 1), str(10**30)])
def test_member_id_out_of_range_is_422(api, chair_token, member_id):
    details = invalid(api.get(f"/members/{member_id}", chair_token))
    assert details[0]["loc"] == ["path", "member_id"]


def test_member_id_that_is_not_a_number_is_a_json_4xx(api, chair_token):
    response = api.get("/members/abc", chair_token)
    assert response.status_code in {404, 422}
    assert response["Content-Type"].startswith("application/json")


def test_biggest_member_id_is_simply_not_found(api, chair_token):
    assert problem(api.get(f"/members/{MAX_ID}", chair_token), 404)["code"] == "not_found"


# --- addresses and methods -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/", "/members/1/extra", "/org"])
def test_unknown_addresses_are_json_404(api, chair_token, path):
    assert problem(api.get(path, chair_token), 404)["code"] == "not_found"


def test_post_to_an_unknown_address_is_json_404_not_a_csrf_page(client):
    response = client.post("/api/v1/nope", data="{}", content_type="application/json")
    assert problem(response, 404)["code"] == "not_found"


def test_wrong_method_is_json_405(api, chair_token):
    response = api.client.delete("/api/v1/members", headers={"Authorization": f"Bearer {chair_token}"})
    body = problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert problem(api.client.get("/api/v1/auth/token"), 405)["code"] == "method_not_allowed"


def test_openapi_schema_is_served(api):
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/org/units",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/assistance/aid/applications/mine",
        "/api/v1/assistance/aid/applications/{application_id}/payment",
        "/api/v1/assistance/aid/campaigns",
        "/api/v1/assistance/aid/campaigns/{campaign_id}/applications",
        "/api/v1/assistance/assistances",
        "/api/v1/assistance/assistances/mine",
        "/api/v1/assistance/assistances/{assistance_id}/disburse",
        "/api/v1/assistance/files",
        "/api/v1/assistance/files/{file_id}",
        "/api/v1/assistance/follow-ups/{follow_up_id}",
        "/api/v1/assistance/life-events",
        "/api/v1/assistance/queues/aid",
        "/api/v1/assistance/queues/approvals",
        "/api/v1/assistance/queues/files",
        "/api/v1/assistance/queues/follow-ups",
        "/api/v1/assistance/queues/payments",
        "/api/v1/assistance/queues/visits",
        "/api/v1/assistance/reports",
        "/api/v1/assistance/visits/mine",
        "/api/v1/assistance/visits/{visit_id}/record",
        "/api/v1/congress/decisions",
        "/api/v1/congress/decisions/milestones/{milestone_id}",
        "/api/v1/congress/decisions/opinion-calls/{call_id}",
        "/api/v1/congress/decisions/opinion-calls/{call_id}/close",
        "/api/v1/congress/decisions/opinion-calls/{call_id}/comments",
        "/api/v1/congress/decisions/opinion-calls/{call_id}/summary",
        "/api/v1/congress/decisions/opinion-comments/{comment_id}/adoption",
        "/api/v1/congress/decisions/{decision_id}",
        "/api/v1/congress/decisions/{decision_id}/complete",
        "/api/v1/congress/decisions/{decision_id}/decided",
        "/api/v1/congress/decisions/{decision_id}/drop",
        "/api/v1/congress/decisions/{decision_id}/inspections",
        "/api/v1/congress/decisions/{decision_id}/milestones",
        "/api/v1/congress/decisions/{decision_id}/motion",
        "/api/v1/congress/decisions/{decision_id}/notice",
        "/api/v1/congress/decisions/{decision_id}/opinion-calls",
        "/api/v1/congress/decisions/{decision_id}/tracking",
        "/api/v1/congress/departments",
        "/api/v1/congress/proposals",
        "/api/v1/congress/proposals/suggestions",
        "/api/v1/congress/proposals/{proposal_id}",
        "/api/v1/congress/proposals/{proposal_id}/adopt",
        "/api/v1/congress/proposals/{proposal_id}/submit",
        "/api/v1/congress/proposals/{proposal_id}/second",
        "/api/v1/congress/proposals/{proposal_id}/send-for-review",
        "/api/v1/congress/proposals/{proposal_id}/review",
        "/api/v1/congress/proposals/{proposal_id}/refer",
        "/api/v1/congress/proposals/{proposal_id}/reply",
        "/api/v1/congress/proposals/{proposal_id}/progress",
        "/api/v1/congress/proposals/{proposal_id}/rate",
        "/api/v1/congress/sessions",
        "/api/v1/congress/sessions/{session_id}",
        "/api/v1/congress/sessions/{session_id}/check-in",
        "/api/v1/congress/sessions/{session_id}/check-ins",
        "/api/v1/congress/sessions/{session_id}/representatives",
        "/api/v1/congress/motions",
        "/api/v1/congress/votes",
        "/api/v1/congress/votes/{vote_id}",
        "/api/v1/congress/votes/{vote_id}/ballots",
        "/api/v1/congress/votes/{vote_id}/close",
        "/api/v1/congress/votes/{vote_id}/open",
        "/api/v1/congress/votes/{vote_id}/result",
        "/api/v1/disclosure/notices",
        "/api/v1/disclosure/notices/{notice_id}",
        "/api/v1/disclosure/notices/{notice_id}/publish",
        "/api/v1/disclosure/notices/{notice_id}/questions",
        "/api/v1/disclosure/notices/{notice_id}/read",
        "/api/v1/disclosure/notices/{notice_id}/receipts",
        "/api/v1/disclosure/notices/{notice_id}/remind",
        "/api/v1/disclosure/questions/{question_id}/answer",
        "/api/v1/notify/inbox",
        "/api/v1/notify/inbox/read-all",
        "/api/v1/notify/inbox/{notification_id}/read",
        "/api/v1/notify/preferences",
        "/api/v1/notify/unread-count",
        "/api/v1/satisfaction/ratings",
        "/api/v1/satisfaction/ratings/pending",
        "/api/v1/satisfaction/ratings/{rating_id}",
        "/api/v1/satisfaction/index",
        "/api/v1/satisfaction/index/trend",
        "/api/v1/satisfaction/index/units",
        "/api/v1/satisfaction/index/cadres",
        "/api/v1/satisfaction/index/comments",
        "/api/v1/satisfaction/alerts",
        "/api/v1/satisfaction/alerts/{alert_id}/seen",
        "/api/v1/satisfaction/index/heatmap",
        "/api/v1/satisfaction/index/drivers",
        "/api/v1/satisfaction/you-said",
        "/api/v1/satisfaction/you-said/manage",
        "/api/v1/satisfaction/you-said/{action_id}",
        "/api/v1/satisfaction/you-said/{action_id}/publish",
        "/api/v1/satisfaction/you-said/{action_id}/withdraw",
        "/api/v1/satisfaction/surveys/manage",
        "/api/v1/satisfaction/surveys/manage/{survey_id}",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/questions",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/questions/{question_id}",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/questions/order",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/open",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/close",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/remind",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/rate",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/results",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/results/breakdown",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/results.xlsx",
        "/api/v1/satisfaction/surveys/manage/{survey_id}/drivers",
        "/api/v1/satisfaction/surveys",
        "/api/v1/satisfaction/surveys/{survey_id}",
        "/api/v1/satisfaction/surveys/{survey_id}/responses",
        "/api/v1/voices/appeals",
        "/api/v1/voices/appeals/{appeal_id}",
        "/api/v1/voices/appeals/{appeal_id}/messages",
        "/api/v1/voices/appeals/{appeal_id}/rate",
        "/api/v1/voices/appeals/{appeal_id}/reopen",
        "/api/v1/voices/appeals/{appeal_id}/withdraw",
        "/api/v1/voices/anonymous/appeals",
        "/api/v1/voices/anonymous/appeal",
        "/api/v1/voices/anonymous/messages",
        "/api/v1/voices/anonymous/rate",
        "/api/v1/voices/anonymous/reopen",
        "/api/v1/voices/anonymous/withdraw",
        "/api/v1/voices/handling/queue",
        "/api/v1/voices/handling/appeals/{appeal_id}",
        "/api/v1/voices/handling/appeals/{appeal_id}/acknowledge",
        "/api/v1/voices/handling/appeals/{appeal_id}/reply",
        "/api/v1/voices/handling/appeals/{appeal_id}/transfer",
        "/api/v1/voices/handling/appeals/{appeal_id}/close",
        "/api/v1/voices/hot",
        "/api/v1/voices/signals",
        "/api/v1/voices/signals/alerts/{alert_id}/seen",
        "/api/v1/voices/settings/rules",
        "/api/v1/voices/settings/rules/{rule_id}/deactivate",
        "/api/v1/voices/settings/deadlines",
        "/api/v1/workdays/calendar",
        "/api/v1/workdays/calendar/days",
        "/api/v1/workdays/calendar/days/remove",
        "/api/v1/workdays/calendar/years/{year}",
    }
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]


def test_status_filter_choices_match_the_model():
    from typing import get_args

    from unionhome.org.api import StatusFilter
    from unionhome.org.models import Member

    assert list(get_args(StatusFilter)) == [*Member.Status.values, "all"]
