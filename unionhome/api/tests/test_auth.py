"""POST /auth/token, bearer authentication and GET /me."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from unionhome.accounts import services
from unionhome.accounts.models import ApiToken, User
from unionhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def issue(api, login, password=factories.PASSWORD, **extra):
    return api.post("/auth/token", {"login": login, "password": password, **extra})


# --- issuing tokens ------------------------------------------------------------------------------


def test_member_gets_a_token_by_employee_number_and_uses_it(api, people):
    response = issue(api, people["member_record"].employee_no)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert response["Cache-Control"] == "no-store"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires - timezone.now() > datetime.timedelta(hours=settings.UNIONHOME_API_TOKEN_HOURS - 1)
    # only the digest is stored
    stored = ApiToken.objects.get(user=people["member"])
    assert stored.digest == ApiToken.digest_of(body["token"]) and body["token"] not in stored.digest
    assert AuditEvent.objects.filter(action="accounts.api_token_issued", actor=people["member"]).count() == 1

    me = api.get("/me", body["token"])
    assert me.status_code == 200
    assert me.json()["account"]["username"] == "member"


def test_token_by_mobile_and_by_username(api, people):
    assert issue(api, people["member_record"].mobile).status_code == 200
    assert issue(api, "member").status_code == 200


def test_wrong_password_is_401_with_the_generic_message(api, people):
    response = issue(api, "member", "wrong-password-123")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The login or password is wrong, or the account is locked. Try again later.",
        "code": "invalid",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ApiToken.objects.exists()


def test_unknown_login_looks_like_a_wrong_password(api, people):
    unknown = issue(api, "nobody-here")
    wrong = issue(api, "member", "wrong-password-123")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_disabled_account_is_refused_like_a_wrong_password(api, people):
    services.account_set_active(actor=people["chair"], user=people["member"], active=False)
    response = issue(api, "member")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid"
    assert not ApiToken.objects.filter(user=people["member"]).exists()


def test_cadre_needs_a_totp_code(api, people):
    response = issue(api, "cadre1")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    assert "authenticator" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_cadre_with_a_wrong_totp_code_is_refused(api, people):
    good = factories.totp_code(people["cadre"])
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = issue(api, "cadre1", totp=wrong)
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_wrong"
    assert not ApiToken.objects.exists()


def test_quick_retries_after_a_wrong_code_are_throttled_with_retry_after(api, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    good = factories.totp_code(people["cadre"])
    issue(api, "cadre1", totp=f"{(int(good) + 1) % 1_000_000:06d}")
    response = issue(api, "cadre1", totp=good)
    assert response.status_code == 429
    assert response.json()["code"] == "second_factor_throttled"
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_cadre_with_the_current_totp_code_gets_a_token(api, people):
    response = issue(api, "cadre1", totp=factories.totp_code(people["cadre"]))
    assert response.status_code == 200, response.content
    assert api.get("/org/units", response.json()["token"]).status_code == 200


def test_cadre_who_never_enrolled_an_authenticator_is_told_to_use_the_web(api, union):
    factories.user("fresh", roles=(("branch_cadre", union["s1"]),), totp=False)
    response = issue(api, "fresh", totp="123456")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_not_enrolled"


def test_member_without_second_factor_may_send_no_code(api, people):
    assert issue(api, "member", totp=None).status_code == 200


def test_repeated_failures_lock_the_login_with_429_json(api, people):
    codes = [issue(api, "member", f"wrong-password-{i}").status_code for i in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert codes[-1] == 429
    # now even the right password is refused, with the same generic message, as JSON
    locked = issue(api, "member")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert locked.json() == {
        "detail": "The login or password is wrong, or the account is locked. Try again later.",
        "code": "locked",
    }
    assert not ApiToken.objects.exists()


def test_lockout_is_shared_with_the_login_page(api, people, client):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"login": "member", "password": f"wrong-password-{i}"})
    assert issue(api, "member").status_code == 429


def test_wrong_totp_codes_count_toward_the_lockout(api, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # isolate axes from django-otp's own throttling
    good = factories.totp_code(people["cadre"])
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    statuses = [issue(api, "cadre1", totp=wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    assert issue(api, "cadre1", totp=factories.totp_code(people["cadre"])).status_code == 429


def test_token_endpoint_is_not_blocked_by_csrf(people):
    """Bearer clients have no CSRF cookie; the token endpoint must still answer them."""
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/token",
        data={"login": "member", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200


# --- using tokens --------------------------------------------------------------------------------


def test_no_token_is_401(api, people):
    response = api.get("/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic bWVtYmVyOng=", "Bearer " + "x" * 500])
def test_bad_authorization_headers_are_401(api, people, header):
    response = api.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "token_invalid"}


def test_a_logged_in_browser_session_does_not_open_the_api(login_as, people):
    """The API accepts bearer tokens only, so a session cookie cannot be ridden by another site."""
    client = login_as(people["chair"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/members").status_code == 401


def test_expired_token_is_refused(api, people, token_for):
    raw = token_for(people["member"])
    ApiToken.objects.filter(user=people["member"]).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = api.get("/me", raw)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_token_stops_working_after_a_password_change(api, people, token_for):
    raw = token_for(people["member"])
    assert api.get("/me", raw).status_code == 200
    services.password_change(
        actor=people["member"],
        old_password=factories.PASSWORD,
        new_password="a-brand-new-passphrase-77",
        keep_session_key=None,
    )
    response = api.get("/me", raw)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_token_stops_working_when_the_account_is_disabled(api, people, token_for):
    raw = token_for(people["member"])
    services.account_set_active(actor=people["chair"], user=people["member"], active=False)
    assert api.get("/me", raw).status_code == 401


def test_token_of_an_inactive_user_is_refused_even_if_left_behind(api, people, token_for):
    raw = token_for(people["member"])
    User.objects.filter(pk=people["member"].pk).update(is_active=False)
    assert api.get("/me", raw).status_code == 401


def test_token_of_a_user_who_must_change_a_one_time_password_is_refused(api, people, token_for):
    raw = token_for(people["member"])
    User.objects.filter(pk=people["member"].pk).update(must_change_password=True)
    assert api.get("/me", raw).status_code == 401
    User.objects.filter(pk=people["member"].pk).update(must_change_password=False)
    assert issue(api, "member").status_code == 200
    User.objects.filter(pk=people["member"].pk).update(must_change_password=True)
    response = issue(api, "member")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_last_used_is_written_at_most_once_a_minute(api, people, token_for):
    raw = token_for(people["member"])
    token = ApiToken.objects.get(user=people["member"])
    assert token.last_used_at is None
    api.get("/me", raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/me", raw)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/me", raw)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=2)


# --- /me -----------------------------------------------------------------------------------------


def test_me_shows_own_member_record_unmasked(api, people, token_for):
    body = api.get("/me", token_for(people["member"])).json()
    record = people["member_record"]
    assert body["account"] == {
        "id": people["member"].pk,
        "username": "member",
        "display_name": "member",
        "second_factor_required": False,
    }
    assert body["member"]["id"] == record.pk
    assert body["member"]["mobile"] == record.mobile
    assert body["member"]["id_number"] == record.id_number
    assert body["member"]["masked"] is False
    assert body["member"]["status_history"][0]["new_status"] == "active"
    assert body["roles"] == []


def test_me_of_a_cadre_lists_roles_and_no_member(api, people, token_for, union):
    body = api.get("/me", token_for(people["cadre"])).json()
    assert body["member"] is None
    assert body["account"]["second_factor_required"] is True
    assert body["roles"] == [
        {
            "role": "branch_cadre",
            "label": "Branch union cadre",
            "unit_id": union["s1"].pk,
            "unit_code": "S01",
            "unit_name": "第一检验站分工会",
        }
    ]
