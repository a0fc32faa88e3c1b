"""django-axes lockout with our ``login`` credential: failures count per account, whichever id was typed."""

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from tests import factories
from unionhome.accounts.tests.login_steps import GENERIC, logged_in_user_id, post_login

PASSWORD = factories.PASSWORD
LIMIT = settings.AXES_FAILURE_LIMIT


def fail(client, login: str, times: int) -> list[int]:
    return [post_login(client, login, f"wrong-password-{i}").status_code for i in range(times)]


def test_after_the_limit_the_right_password_is_refused_with_the_same_message(client, people):
    statuses = fail(client, "member", LIMIT)
    assert statuses[:-1] == [200] * (LIMIT - 1)
    assert statuses[-1] == 429  # the failure that reaches the limit already answers "locked"
    response = post_login(client, "member", PASSWORD)
    assert response.status_code == 429
    assert GENERIC in response.content.decode()
    assert logged_in_user_id(client) is None


def test_axes_records_attempts_under_the_account_whichever_id_is_typed(client, people):
    record = people["member_record"]
    fail(client, record.employee_no, 2)
    fail(client, record.mobile, 1)
    fail(client, "member", 1)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "member"
    assert attempt.failures_since_start == 4
    assert attempt.ip_address == "127.0.0.1"
    # Switching ids gives no extra tries: the fifth failure, by employee number, locks the account.
    assert fail(client, record.employee_no, 1) == [429]
    assert post_login(client, record.mobile, PASSWORD).status_code == 429


def test_a_successful_login_resets_the_failures(client, new_client, people):
    record = people["member_record"]
    fail(client, record.employee_no, LIMIT - 1)
    assert post_login(client, record.mobile, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    other = new_client()
    assert fail(other, "member", LIMIT - 1) == [200] * (LIMIT - 1)
    assert post_login(other, "member", PASSWORD).status_code == 302


def test_unknown_logins_are_counted_and_locked_too(client, db):
    statuses = fail(client, "nobody-at-all", LIMIT)
    assert statuses[-1] == 429
    assert AccessAttempt.objects.get().username == "nobody-at-all"


def test_lockout_is_per_account_and_address(client, new_client, people):
    fail(client, "member", LIMIT)
    # Another account from the same address is not affected.
    assert post_login(client, "chair", PASSWORD).status_code == 302
    # The same account from another address is not locked (no denial of service by strangers).
    elsewhere = new_client(REMOTE_ADDR="10.1.2.3")
    assert post_login(elsewhere, "member", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client, people):
    fail(client, "member", LIMIT)
    assert post_login(client, "member", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * datetime.timedelta(hours=1))
    response = post_login(client, "member", PASSWORD)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(people["member"].pk)


def test_a_disabled_account_counts_failures_like_any_other(client, people):
    people["member"].is_active = False
    people["member"].save()
    statuses = fail(client, "member", LIMIT)
    assert statuses[-1] == 429
