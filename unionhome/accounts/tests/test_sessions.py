"""Idle and absolute session timeouts; a password change or a disabled account ends sessions and API tokens."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from tests import factories
from unionhome.accounts import services
from unionhome.accounts.middleware import LOGIN_TIME_KEY
from unionhome.accounts.models import ApiToken, User, UserSession
from unionhome.accounts.tests.login_steps import GENERIC, logged_in_user_id, post_login
from unionhome.audit.models import AuditEvent

PASSWORD = factories.PASSWORD
NEW_PASSWORD = "quiet-river-lantern-42"
ENDED = "Your session ended. Please log in again."


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def assert_sent_to_login(response, next_path: str | None = "/"):
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?expired=1")
    if next_path:
        assert response.url.endswith(f"next={next_path.replace('/', '%2F')}")


@override_settings(SESSION_COOKIE_AGE=120)
def test_activity_renews_the_idle_expiry(client, people):
    post_login(client, "member", PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert client.get("/").status_code == 200
    remaining = (stored_session(client).expire_date - timezone.now()).total_seconds()
    assert 110 < remaining <= 120


@override_settings(SESSION_COOKIE_AGE=120)
def test_an_idle_session_expires_and_the_user_is_told(client, people):
    post_login(client, "member", PASSWORD)
    assert client.get("/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/")
    assert_sent_to_login(response, "/")
    page = client.get(response.url)
    assert ENDED in page.content.decode()
    assert logged_in_user_id(client) is None


@override_settings(UNIONHOME_SESSION_ABSOLUTE_SECONDS=3600)
def test_a_session_ends_at_the_absolute_limit_whatever_the_activity(client, people):
    post_login(client, "member", PASSWORD)
    session = client.session
    assert time.time() - session[LOGIN_TIME_KEY] < 60  # stamped at login
    session[LOGIN_TIME_KEY] = time.time() - 3500
    session.save()
    assert client.get("/accounts/me/").status_code == 200  # active and young enough
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - 3601
    session.save()
    old_key = session.session_key
    response = client.get("/accounts/me/")
    assert_sent_to_login(response, "/accounts/me/")
    assert not Session.objects.filter(session_key=old_key).exists()
    assert ENDED in client.get(response.url).content.decode()
    assert client.get("/").status_code == 302


def test_a_post_with_an_expired_session_goes_to_login(client, people):
    post_login(client, "member", PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).delete()
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/accounts/login/?expired=1"
    assert User.objects.get(pk=people["member"].pk).check_password(PASSWORD)  # nothing was changed


def test_an_htmx_request_with_an_expired_session_is_redirected_as_a_whole_page(client, people):
    post_login(client, "member", PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).delete()
    response = client.get("/accounts/me/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?expired=1")


def test_the_login_page_itself_works_with_a_stale_cookie(client, people):
    post_login(client, "member", PASSWORD)
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert client.get("/accounts/login/").status_code == 200
    assert post_login(client, "member", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_a_password_change_ends_every_other_session_and_all_api_tokens(client, new_client, people):
    member = people["member"]
    a = client
    b = new_client()
    post_login(a, "member", PASSWORD)
    post_login(b, people["member_record"].mobile, PASSWORD)
    services.api_token_issue(user=member)
    assert b.get("/").status_code == 200

    response = a.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "Your password was changed. Your other sessions have ended." in a.get(response.url).content.decode()
    assert a.get("/").status_code == 200  # A stays
    assert_sent_to_login(b.get("/"), "/")  # B is out
    assert not ApiToken.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(actor=member, action="accounts.password_changed").exists()
    assert GENERIC in post_login(new_client(), "member", PASSWORD).content.decode()

    # A's session got a new key on the change and is still tracked: a second change ends a newer session C.
    c = new_client()
    assert post_login(c, "member", NEW_PASSWORD).status_code == 302
    assert UserSession.objects.filter(user=member, session_key=a.session.session_key).exists()
    a.post(
        "/accounts/password/",
        {
            "old_password": NEW_PASSWORD,
            "new_password": "another-long-phrase-77",
            "new_password_again": "another-long-phrase-77",
        },
    )
    assert a.get("/").status_code == 200
    assert c.get("/").status_code == 302
    assert set(UserSession.objects.filter(user=member).values_list("session_key", flat=True)) == {a.session.session_key}


@pytest.mark.parametrize(
    "new, again, message",
    [
        ("short1", "short1", "This password is too short. It must contain at least 10 characters."),
        ("1234567890123", "1234567890123", "This password is entirely numeric."),
        ("password1234", "password1234", "This password is too common."),
        ("member1234", "member1234", "The password is too similar to the username."),
        ("quiet-river-lantern-42", "quiet-river-lantern-43", "The two new passwords differ."),
        (PASSWORD, PASSWORD, "Choose a password different from the current one."),
    ],
)
def test_password_rules_give_clear_messages(client, people, new, again, message):
    post_login(client, "member", PASSWORD)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": new, "new_password_again": again}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=people["member"].pk).check_password(PASSWORD)


def test_a_wrong_current_password_is_refused(client, people):
    post_login(client, "member", PASSWORD)
    response = client.post(
        "/accounts/password/",
        {"old_password": "not-my-password", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert "The current password is wrong." in response.content.decode()


@pytest.mark.parametrize(
    "new, chinese",
    [("short1", "密码长度太短。密码必须包含至少 10 个字符。"), ("1234567890123", "密码只包含数字。")],
)
def test_password_messages_are_translated(client, people, new, chinese):
    post_login(client, "member", PASSWORD)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": new, "new_password_again": new}
    )
    html = response.content.decode()
    assert chinese in html
    assert "This password" not in html


def test_disabling_an_account_ends_all_its_sessions_at_once(client, new_client, people, login_as):
    member = people["member"]
    phone, desk = new_client(), new_client()
    post_login(phone, "member", PASSWORD)
    post_login(desk, people["member_record"].employee_no, PASSWORD)
    services.api_token_issue(user=member)
    services.account_set_active(actor=people["chair"], user=member, active=False)
    assert_sent_to_login(phone.get("/"), "/")
    assert_sent_to_login(desk.get("/"), "/")
    assert not UserSession.objects.filter(user=member).exists()
    assert not ApiToken.objects.filter(user=member).exists()
    assert GENERIC in post_login(new_client(), "member", PASSWORD).content.decode()
    # Re-enabled, the account logs in again.
    services.account_set_active(actor=people["chair"], user=member, active=True)
    assert post_login(new_client(), "member", PASSWORD).status_code == 302
