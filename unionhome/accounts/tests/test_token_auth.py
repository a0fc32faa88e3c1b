"""``authenticate_for_token``: the API's login check, under the same lockout and second factor as the pages."""

import datetime
import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from unionhome.accounts import services
from unionhome.accounts.models import ApiToken
from unionhome.accounts.services import LoginRefused
from unionhome.accounts.tests.login_steps import GENERIC, post_login
from unionhome.accounts.views import locked_out

PASSWORD = factories.PASSWORD
LIMIT = settings.AXES_FAILURE_LIMIT


def api_request(address: str = "127.0.0.1"):
    return RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR=address)


def refused(login: str, password: str, otp_code: str | None = None, address: str = "127.0.0.1") -> LoginRefused:
    with pytest.raises(LoginRefused) as exc:
        services.authenticate_for_token(api_request(address), login=login, password=password, otp_code=otp_code)
    return exc.value


def wrong_code(user) -> str:
    return f"{(int(factories.totp_code(user)) + 500000) % 1000000:06d}"


def test_member_gets_a_token_by_employee_number_mobile_or_username(people):
    record = people["member_record"]
    for login in [record.employee_no, record.mobile, "member"]:
        user = services.authenticate_for_token(api_request(), login=login, password=PASSWORD)
        assert user == people["member"]
    raw, token = services.api_token_issue(user=user)
    assert ApiToken.objects.get(digest=ApiToken.digest_of(raw)) == token
    assert raw not in token.digest


@pytest.mark.parametrize(
    "login, password",
    [("member", "wrong-password-1"), ("nobody", PASSWORD), ("", PASSWORD), ("member", ""), ("9" * 65, PASSWORD)],
)
def test_refusals_share_the_generic_message(people, login, password):
    exc = refused(login, password)
    assert exc.code == LoginRefused.INVALID
    assert exc.status == 401
    assert exc.message == GENERIC


def test_a_disabled_account_gets_no_token(people):
    people["member"].is_active = False
    people["member"].save()
    exc = refused("member", PASSWORD)
    assert (exc.code, exc.message) == (LoginRefused.INVALID, GENERIC)


def test_failures_count_toward_the_same_lockout_as_the_login_page(client, people):
    for i in range(LIMIT - 1):
        refused(people["member_record"].mobile, f"wrong-{i}")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == ("member", LIMIT - 1)
    assert refused("member", "wrong-again").code == LoginRefused.LOCKED  # the failure that reaches the limit
    exc = refused("member", PASSWORD)  # now even the right password
    assert (exc.code, exc.status, exc.message) == (LoginRefused.LOCKED, 429, GENERIC)
    # …and the login page, from the same address, is locked too.
    response = post_login(client, "member", PASSWORD)
    assert response.status_code == 429


def test_a_lockout_from_the_login_page_refuses_tokens(client, people):
    for i in range(LIMIT):
        post_login(client, "member", f"wrong-{i}")
    assert refused("member", PASSWORD).code == LoginRefused.LOCKED
    assert services.authenticate_for_token(api_request("10.9.9.9"), login="member", password=PASSWORD)


def test_success_resets_the_failures(people):
    for i in range(LIMIT - 1):
        refused("member", f"wrong-{i}")
    services.authenticate_for_token(api_request(), login="member", password=PASSWORD)
    assert not AccessAttempt.objects.exists()


def test_cadre_needs_a_current_code(people):
    cadre = people["cadre"]
    exc = refused("cadre1", PASSWORD)
    assert (exc.code, exc.status) == (LoginRefused.SECOND_FACTOR_REQUIRED, 401)
    assert "six-digit code" in exc.message
    assert not AccessAttempt.objects.exists()  # the password was right

    exc = refused("cadre1", PASSWORD, otp_code=wrong_code(cadre))
    assert exc.code == LoginRefused.SECOND_FACTOR_WRONG
    assert exc.message == "The code is wrong or has expired. Try the current one."
    assert AccessAttempt.objects.get().failures_since_start == 1  # a wrong code is a failed login

    exc = refused("cadre1", PASSWORD, otp_code=factories.totp_code(cadre))  # straight after: throttled
    assert (exc.code, exc.status, exc.retry_after) == (LoginRefused.SECOND_FACTOR_THROTTLED, 429, 1)

    TOTPDevice.objects.filter(user=cadre).update(throttling_failure_timestamp=timezone.now() - datetime.timedelta(1))
    user = services.authenticate_for_token(
        api_request(), login="cadre1", password=PASSWORD, otp_code=factories.totp_code(cadre)
    )
    assert user == cadre
    assert not AccessAttempt.objects.exists()


def test_wrong_codes_lock_the_account_like_wrong_passwords(people):
    cadre = people["cadre"]
    for _ in range(LIMIT - 1):
        TOTPDevice.objects.filter(user=cadre).update(throttling_failure_timestamp=None, throttling_failure_count=0)
        assert refused("cadre1", PASSWORD, otp_code=wrong_code(cadre)).code == LoginRefused.SECOND_FACTOR_WRONG
    TOTPDevice.objects.filter(user=cadre).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert refused("cadre1", PASSWORD, otp_code=wrong_code(cadre)).code == LoginRefused.LOCKED
    assert refused("cadre1", PASSWORD, otp_code=factories.totp_code(cadre)).code == LoginRefused.LOCKED


def test_a_cadre_without_an_authenticator_must_enrol_on_the_web_first(union, db):
    factories.user("fresh", roles=(("chair", union["union"]),), totp=False)
    exc = refused("fresh", PASSWORD, otp_code="123456")
    assert exc.code == LoginRefused.SECOND_FACTOR_NOT_ENROLLED
    assert "Log in on the web once" in exc.message


def test_a_one_time_password_gets_no_token_until_changed(people):
    password = services.password_reset(actor=people["chair"], user=people["member"])
    exc = refused("member", password)
    assert (exc.code, exc.status) == (LoginRefused.PASSWORD_CHANGE_REQUIRED, 403)


def test_lockout_answer_is_json_on_the_api(people):
    response = locked_out(api_request())
    assert response.status_code == 429
    assert json.loads(response.content) == {"detail": GENERIC, "code": "locked"}
