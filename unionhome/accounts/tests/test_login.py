"""Password login: by employee number, mobile or username; one generic error; bad input answered with 4xx."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

import unionhome.settings as project_settings
from tests import factories
from unionhome.accounts.backends import find_user
from unionhome.accounts.models import User
from unionhome.accounts.tests.login_steps import GENERIC, logged_in_user_id, post_login
from unionhome.audit.models import AuditEvent

PASSWORD = factories.PASSWORD


@pytest.mark.parametrize("how", ["employee_no", "mobile", "mobile_with_country_code", "username"])
def test_member_logs_in_by_employee_number_mobile_or_username(client, people, how):
    record = people["member_record"]
    login = {
        "employee_no": record.employee_no,
        "mobile": record.mobile,
        "mobile_with_country_code": f"+86 {record.mobile[:3]} {record.mobile[3:7]} {record.mobile[7:]}",
        "username": people["member"].username,
    }[how]
    response = post_login(client, login, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_user_id(client) == str(people["member"].pk)
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(actor=people["member"], action="accounts.logged_in").exists()


def test_passwords_are_stored_as_argon2(people):
    assert User.objects.get(pk=people["member"].pk).password.startswith("argon2$argon2id$")
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):  # the real parameters
        user = User.objects.create_user("argon-check", PASSWORD)
        stored = User.objects.get(pk=user.pk).password
        assert stored.startswith("argon2$argon2id$")
        assert "m=1024," not in stored  # not the quick test parameters
        assert User.objects.get(pk=user.pk).check_password(PASSWORD)
        assert not User.objects.get(pk=user.pk).check_password(PASSWORD + "x")


@pytest.mark.parametrize(
    "case",
    ["wrong_password", "unknown_login", "disabled_account", "empty_password_field", "unknown_mobile"],
)
def test_every_refusal_gives_the_same_generic_message(client, people, case):
    member = people["member"]
    if case == "disabled_account":
        User.objects.filter(pk=member.pk).update(is_active=False)
    login, password = {
        "wrong_password": (member.username, "not-the-password-1"),
        "unknown_login": ("nobody-here", PASSWORD),
        "disabled_account": (member.username, PASSWORD),
        "empty_password_field": (member.username, " "),
        "unknown_mobile": ("13900000000", PASSWORD),
    }[case]
    response = post_login(client, login, password)
    assert response.status_code == 200
    assert GENERIC in response.content.decode()
    assert logged_in_user_id(client) is None


def test_employee_number_shared_by_two_unions_finds_nobody(client, people):
    other_union = factories.unit(None, "化工厂工会", "union", code="X-CHEM")  # sorts after TC: paths stay put
    twin = factories.member(other_union, "赵六", employee_no=people["member_record"].employee_no)
    twin_user = factories.user("twin", member=twin)

    assert find_user(people["member_record"].employee_no) is None
    response = post_login(client, people["member_record"].employee_no, PASSWORD)
    assert GENERIC in response.content.decode()
    assert logged_in_user_id(client) is None
    # Unambiguous ids still work for both people.
    assert post_login(client, twin.mobile, PASSWORD).status_code == 302
    assert logged_in_user_id(client) == str(twin_user.pk)


def test_over_long_login_is_a_form_error_not_a_500(client, people):
    response = post_login(client, "9" * 65, PASSWORD)
    assert response.status_code == 200
    assert "Ensure this value has at most 64 characters (it has 65)." in response.content.decode()
    assert not AccessAttempt.objects.exists()  # never reached authentication


def test_over_long_password_and_null_bytes_are_form_errors(client, people):
    response = post_login(client, people["member"].username, "x" * 129)
    assert response.status_code == 200
    assert "at most 128 characters" in response.content.decode()
    response = post_login(client, "member\x00", PASSWORD)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert logged_in_user_id(client) is None


def test_missing_fields_are_form_errors(client, db):
    response = client.post("/accounts/login/", {})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2


def test_wrong_csrf_token_gives_the_friendly_403_page(new_client, people):
    browser = new_client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    response = browser.post(
        "/accounts/login/", {"login": "member", "password": PASSWORD, "csrfmiddlewaretoken": "forged" * 6}
    )
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
    assert logged_in_user_id(browser) is None


def test_real_csrf_token_is_accepted(new_client, people):
    browser = new_client(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    token = page.context["csrf_token"]
    response = browser.post("/accounts/login/", {"login": "member", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/accounts/me/", "/accounts/me/"),
        ("/org/members/?q=zs&status=active", "/org/members/?q=zs&status=active"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_is_honoured_only_for_safe_urls(client, people, next_url, expected):
    response = post_login(client, "member", PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.url == expected


def test_login_page_carries_next_into_the_form(client, db):
    response = client.get("/accounts/login/?next=/accounts/me/")
    assert 'name="next" value="/accounts/me/"' in response.content.decode()


def test_pages_send_anonymous_visitors_to_login(client, db):
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/accounts/me/")


def test_logout_needs_post_and_ends_the_session(client, people, login_as):
    login_as(people["member"])
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_user_id(client) == str(people["member"].pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    assert AuditEvent.objects.filter(actor=people["member"], action="accounts.logged_out").exists()
