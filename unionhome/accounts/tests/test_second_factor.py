"""TOTP second factor for cadre and admin roles: enrolment, verification, throttling, the wall until verified."""

import base64
import datetime
import re
import time
from urllib.parse import quote

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from unionhome.accounts import services
from unionhome.accounts.tests.login_steps import logged_in_user_id, post_login
from unionhome.audit.models import AuditEvent

PASSWORD = factories.PASSWORD
SECOND_FACTOR = "/accounts/second-factor/"


def code_for_secret(secret: str, offset_steps: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30 * offset_steps
    return f"{totp.token():06d}"


def wrong_code(user) -> str:
    right = factories.totp_code(user)
    return f"{(int(right) + 500000) % 1000000:06d}"


def test_cadre_goes_to_second_factor_after_password_and_reaches_nothing_else(client, people):
    cadre = people["cadre"]
    response = post_login(client, "cadre1", PASSWORD, next_url="/org/members/")
    assert response.status_code == 302
    assert response.url == f"{SECOND_FACTOR}?next={quote('/org/members/', safe='')}"
    assert logged_in_user_id(client) == str(cadre.pk)  # the password step is done…
    for path in ["/", "/org/members/", "/org/tree/", "/audit/", "/accounts/me/", "/accounts/me/download/"]:
        blocked = client.get(path)  # …but every page sends back to the second factor
        assert blocked.status_code == 302, path
        assert blocked.url.startswith(SECOND_FACTOR), path
    page = client.get(SECOND_FACTOR + "?next=/org/members/")
    assert page.status_code == 200
    assert "Enter the six-digit code from your authenticator app." in page.content.decode()
    assert "totp-secret" not in page.content.decode()  # an enrolled cadre is not shown the secret again

    response = client.post(SECOND_FACTOR, {"token": factories.totp_code(cadre), "next": "/org/members/"})
    assert response.status_code == 302
    assert response.url == "/org/members/"
    assert client.get("/org/members/").status_code == 200
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(actor=cadre, action="accounts.second_factor_passed").exists()


def test_admin_and_chair_need_the_second_factor_too(client, new_client, people):
    for username in ["admin", "chair", "auditor"]:
        browser = new_client()
        response = post_login(browser, username, PASSWORD)
        assert response.url.startswith(SECOND_FACTOR), username


def test_a_member_needs_no_second_factor(client, people):
    response = post_login(client, "member", PASSWORD)
    assert response.url == "/"
    assert client.get("/").status_code == 200
    assert client.get(SECOND_FACTOR).status_code == 302  # nothing to do there


def test_first_login_of_a_cadre_enrols_an_authenticator(client, people, union):
    newcomer = factories.user("newcadre", roles=(("branch_cadre", union["s2"]),), totp=False)
    response = post_login(client, "newcadre", PASSWORD)
    assert response.url.startswith(SECOND_FACTOR)
    page = client.get(response.url)
    html = page.content.decode()
    assert "<svg" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert base64.b32decode(secret) == device.bin_key
    assert client.get(response.url).content.decode().count(secret) >= 1  # the same secret until confirmed

    bad = client.post(SECOND_FACTOR, {"token": code_for_secret(secret, offset_steps=10)})
    assert "The code is wrong or has expired. Try the current one." in bad.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)

    done = client.post(SECOND_FACTOR, {"token": code_for_secret(secret)})
    assert done.status_code == 302
    assert done.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/org/members/").status_code == 200
    assert AuditEvent.objects.filter(actor=newcomer, action="accounts.second_factor_enrolled").exists()


def test_wrong_or_expired_code_gives_a_clear_error(client, people):
    post_login(client, "cadre1", PASSWORD)
    device = TOTPDevice.objects.get(user=people["cadre"])
    expired = TOTP(device.bin_key)
    expired.time = time.time() - 300
    response = client.post(SECOND_FACTOR, {"token": f"{expired.token():06d}"})
    assert response.status_code == 200
    assert "The code is wrong or has expired. Try the current one." in response.content.decode()
    assert client.get("/").url.startswith(SECOND_FACTOR)


@pytest.mark.parametrize("token", ["abcdef", "12345", "1234567", "", "１２３４５", "12345６7"])
def test_malformed_codes_are_form_errors(client, people, token):
    post_login(client, "cadre1", PASSWORD)
    response = client.post(SECOND_FACTOR, {"token": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the six digits shown in your authenticator app." in html or "This field is required." in html


def test_full_width_digits_and_spaces_are_accepted(client, people):
    post_login(client, "cadre1", PASSWORD)
    code = factories.totp_code(people["cadre"])
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    response = client.post(SECOND_FACTOR, {"token": f"{full_width[:3]} {full_width[3:]}"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_repeated_wrong_codes_lock_the_second_factor_for_a_while(client, people):
    cadre = people["cadre"]
    post_login(client, "cadre1", PASSWORD)
    first = client.post(SECOND_FACTOR, {"token": wrong_code(cadre)})
    assert "The code is wrong or has expired." in first.content.decode()
    # Straight after a wrong code even the right one must wait: the wait doubles with each failure.
    throttled = client.post(SECOND_FACTOR, {"token": factories.totp_code(cadre)})
    assert throttled.status_code == 429
    assert "Too many wrong codes. Wait 1 second, then enter the current code." in throttled.content.decode()
    assert client.get("/").url.startswith(SECOND_FACTOR)

    device = TOTPDevice.objects.get(user=cadre)
    for _ in range(4):  # four more failures, each after its wait has passed
        device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(hours=1)
        device.save()
        client.post(SECOND_FACTOR, {"token": wrong_code(cadre)})
        device.refresh_from_db()
    assert device.throttling_failure_count == 5
    throttled = client.post(SECOND_FACTOR, {"token": factories.totp_code(cadre)})
    assert "Too many wrong codes. Wait 16 seconds" in throttled.content.decode()

    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=17)
    device.save()
    response = client.post(SECOND_FACTOR, {"token": factories.totp_code(cadre)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_unsafe_next_is_ignored_after_the_second_factor(client, people):
    post_login(client, "cadre1", PASSWORD, next_url="https://evil.example/")
    response = client.post(
        SECOND_FACTOR, {"token": factories.totp_code(people["cadre"]), "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_second_factor_page_needs_a_password_login_first(client, db):
    response = client.get(SECOND_FACTOR)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_new_cadre_with_a_one_time_password_enrols_first_then_chooses_a_password(client, people, union):
    newcomer = factories.user("new-chair", roles=(("chair", union["union"]),), totp=False)
    password = services.password_reset(actor=people["admin"], user=newcomer)
    response = post_login(client, "new-chair", password)
    assert response.url.startswith(SECOND_FACTOR)
    assert client.get("/accounts/password/").url.startswith(SECOND_FACTOR)  # the second factor comes first
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', client.get(SECOND_FACTOR).content.decode()).group(1)
    response = client.post(SECOND_FACTOR, {"token": code_for_secret(secret)})
    assert response.url == "/accounts/password/"
    assert client.get("/").url == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password": "chair-own-phrase-2026",
            "new_password_again": "chair-own-phrase-2026",
        },
    )
    assert response.url == "/"
    assert client.get("/").status_code == 200  # still verified after the session key changed
