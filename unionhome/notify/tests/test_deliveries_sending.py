"""Sending deliveries with the real task worker to real local servers (SMTP, WeCom, DingTalk): after
commit, once, with retries and backoff, failing with a reason an admin reads, and never twice after a
crash. See ``services/sending.py`` for the rules tested here."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories
from tests.concurrency import run_together
from unionhome.notify.channels.email import message_id
from unionhome.notify.models import Delivery, Notification
from unionhome.notify.services import notification_send
from unionhome.notify.services.sending import deliveries_sweep, delivery_attempt, delivery_resend
from unionhome.notify.tests.records import deliver_tasks, person, send, time_passes

Status = Delivery.Status


@pytest.fixture(autouse=True)
def _settings(settings, transactional_db):
    settings.LANGUAGE_CODE = "en"
    settings.UNIONHOME_NOTIFY_BACKOFF_SECONDS = 60
    settings.UNIONHOME_NOTIFY_MAX_ATTEMPTS = 3


def only() -> Delivery:
    return Delivery.objects.get()


# --- Email -----------------------------------------------------------------------------------------------


def test_an_email_goes_out_after_commit_with_its_message_id(smtp_server, run_tasks):
    zhang = person(email="zhang@union.example")
    send(zhang)
    delivery = only()
    assert (delivery.status, delivery.channel, deliver_tasks().count()) == (Status.QUEUED, "email", 1)
    assert smtp_server.messages == []  # queued, not sent inside the request
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 1, "")
    assert delivery.sent_at is not None
    [(rcpt, message)] = smtp_server.messages
    assert rcpt == ["zhang@union.example"] and message["Subject"] == "新的职工诉求：食堂饭菜价格"
    assert message["Message-ID"] == message_id(delivery.idempotency_key)
    assert "https://union.example/voices/queue/" in message.get_content()


def test_no_address_no_delivery_and_a_rolled_back_notification_sends_nothing(smtp_server, run_tasks):
    send(person("quiet"))
    zhang = person(email="zhang@union.example")
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipient=zhang, kind="voices.x", title="x")
        raise RuntimeError("the service failed after sending")
    run_tasks()
    assert not Delivery.objects.exists() and deliver_tasks().count() == 0 and smtp_server.messages == []


def test_a_451_is_retried_and_a_550_fails_at_once(smtp_server, run_tasks):
    send(person(email="zhang@union.example"))
    smtp_server.fail_with("451 4.3.0 Mailbox busy")
    run_tasks()
    delivery = only()
    assert delivery.status == Status.QUEUED and "451" in delivery.last_error
    time_passes()
    run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2) and len(smtp_server.messages) == 1

    send(person("li", email="li@union.example"))
    smtp_server.fail_with("550 5.1.1 No such mailbox")
    run_tasks()
    refused = Delivery.objects.get(recipient__username="li")
    assert (refused.status, refused.attempts) == (Status.FAILED, 1)
    assert "550" in refused.last_error and "No such mailbox" in refused.last_error


def test_a_mail_server_down_then_back(smtp_server, run_tasks):
    smtp_server.stop()
    send(person(email="zhang@union.example"))
    run_tasks()
    delivery = only()
    assert delivery.status == Status.QUEUED and "Could not reach the mail server" in delivery.last_error
    smtp_server.start()
    time_passes()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(smtp_server.messages) == 1


# --- Robots: retries, backoff, giving up -----------------------------------------------------------------


def attempt_now(run_tasks) -> tuple[Delivery, float]:
    """Run the worker; return the delivery and how long until its next attempt (seconds)."""
    started = timezone.now()
    run_tasks()
    delivery = only()
    wait = (delivery.next_attempt_at - started).total_seconds() if delivery.next_attempt_at else 0.0
    return delivery, wait


def test_retries_with_exponential_backoff_then_sent(webhook_server, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    webhook_server.fail_next("500", "timeout")

    first, wait = attempt_now(run_tasks)
    assert (first.status, first.attempts) == (Status.QUEUED, 1) and "answered HTTP 500" in first.last_error
    assert 29 <= wait <= 61  # 60 s × 2**0, times a jitter factor in [0.5, 1]
    run_tasks()  # not due yet: the worker leaves it
    assert only().attempts == 1

    time_passes()
    second, wait = attempt_now(run_tasks)
    assert (second.status, second.attempts) == (Status.QUEUED, 2)
    assert "did not answer within 1 seconds" in second.last_error
    assert 59 <= wait <= 121  # 60 s × 2**1, with jitter

    time_passes()
    third, _ = attempt_now(run_tasks)
    assert (third.status, third.attempts, third.last_error) == (Status.SENT, 3, "")
    assert len(webhook_server.messages) == 1


def test_the_platforms_error_code_is_retried_until_the_last_attempt(webhook_server, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    webhook_server.fail_next("errcode", "errcode", "errcode")
    for _ in range(3):
        run_tasks()
        time_passes()
    delivery = only()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 3)
    assert "Gave up after 3 attempts" in delivery.last_error and "errcode 45009" in delivery.last_error
    assert webhook_server.messages == []


def robot_person(webhook_server, platform: str):
    url = webhook_server.wecom_url() if platform == "wecom" else webhook_server.dingtalk_url()
    return person(**{platform: url})


@pytest.mark.parametrize(
    ("platform", "code", "errmsg"),
    [
        ("wecom", 93000, "invalid webhook url"),
        ("dingtalk", 300001, "token is not exist"),
        ("dingtalk", 310000, "keywords not in content"),
    ],
)
def test_an_error_code_that_cannot_succeed_fails_after_one_attempt(webhook_server, run_tasks, platform, code, errmsg):
    send(robot_person(webhook_server, platform))
    webhook_server.fail_next(f"errcode:{code}")  # once only: a second attempt would get through
    for _ in range(2):
        run_tasks()
        time_passes()
    delivery = only()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 1, None)
    assert delivery.last_error == (
        f"The platform refused the message and will refuse it again: errcode {code}, {errmsg}."
    )
    assert webhook_server.state.requests == 1 and webhook_server.messages == []


@pytest.mark.parametrize(
    ("platform", "code"), [("wecom", 45009), ("wecom", -1), ("dingtalk", 130101), ("dingtalk", -1)]
)
def test_a_rate_limit_or_a_busy_platform_is_retried_later(webhook_server, run_tasks, platform, code):
    send(robot_person(webhook_server, platform))
    webhook_server.fail_next(f"errcode:{code}")

    first, wait = attempt_now(run_tasks)
    assert (first.status, first.attempts) == (Status.QUEUED, 1)
    assert first.last_error.startswith(f"The platform refused the message: errcode {code}, ")
    assert 29 <= wait <= 61  # the first backoff, as for any temporary failure

    time_passes()
    second, _ = attempt_now(run_tasks)
    assert (second.status, second.attempts, second.last_error) == (Status.SENT, 2, "")
    assert len(webhook_server.messages) == 1


def test_unreachable_robot_fails_with_the_reason_and_nothing_else_is_affected(webhook_server, smtp_server, run_tasks):
    webhook_server.stop()
    send(person(wecom=webhook_server.wecom_url()))
    send(person("li", email="li@union.example"))
    for _ in range(3):
        run_tasks()
        time_passes()
    robot = Delivery.objects.get(channel="wecom")
    assert (robot.status, robot.attempts) == (Status.FAILED, 3)
    assert "Gave up after 3 attempts" in robot.last_error and "connection refused" in robot.last_error
    email = Delivery.objects.get(channel="email")
    assert (email.status, email.attempts) == (Status.SENT, 1) and len(smtp_server.messages) == 1


def test_dingtalk_signed_markdown(webhook_server, run_tasks):
    url = webhook_server.dingtalk_url("tok-1", secret="SECabc123")
    send(person(dingtalk=url, secret="SECabc123"), title="合同续签提醒", body="请查看。")
    run_tasks()
    [received] = webhook_server.messages
    assert received.platform == "dingtalk" and received.signed
    assert received.payload["markdown"]["title"] == "合同续签提醒"
    assert "请查看。" in received.payload["markdown"]["text"]
    assert only().status == Status.SENT


def test_a_wrong_dingtalk_secret_is_the_platforms_error(webhook_server, run_tasks):
    url = webhook_server.dingtalk_url("tok-2", secret="SECright")
    send(person(dingtalk=url, secret="SECwrong"))
    run_tasks()
    time_passes()
    run_tasks()
    delivery = only()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)  # a wrong secret stays wrong
    assert "errcode 310000, sign not match" in delivery.last_error and webhook_server.messages == []


def test_a_webhook_no_longer_allowed_is_not_called(webhook_server, settings, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    settings.UNIONHOME_NOTIFY_WEBHOOK_HOSTS = []
    run_tasks()
    delivery = only()
    assert delivery.status == Status.FAILED and "not allowed" in delivery.last_error
    assert webhook_server.state.requests == 0


def test_a_removed_channel_is_cancelled(smtp_server, run_tasks):
    zhang = person(email="zhang@union.example")
    send(zhang)
    zhang.email = ""
    zhang.save()
    run_tasks()
    assert only().status == Status.CANCELLED and "removed their email" in only().last_error
    assert smtp_server.messages == []


# --- Exactly once ------------------------------------------------------------------------------------------


def test_a_task_run_twice_sends_once(webhook_server, run_tasks):
    from unionhome.notify.tasks import deliver

    send(person(wecom=webhook_server.wecom_url()))
    deliver.enqueue(only().pk)
    run_tasks()
    assert len(webhook_server.messages) == 1 and only().attempts == 1


def test_racing_workers_send_once(webhook_server):
    send(person(wecom=webhook_server.wecom_url()))
    pk = only().pk
    results = run_together(lambda i: delivery_attempt(delivery_id=pk), count=4)
    assert sorted(value for _, value in results) == ["sent", "skipped", "skipped", "skipped"]
    assert len(webhook_server.messages) == 1 and only().attempts == 1


def claimed_long_ago(delivery: Delivery, *, call_started: bool) -> None:
    """What a worker that stopped (killed, power cut) leaves behind."""
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=long_ago, call_started_at=long_ago if call_started else None
    )
    deliver_tasks().delete()


def test_a_crash_before_the_call_is_retried_once(webhook_server, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    claimed_long_ago(only(), call_started=False)
    assert deliveries_sweep()["requeued"] == 1
    run_tasks()
    assert deliveries_sweep() == {"requeued": 0, "uncertain": 0, "lost": 0}
    run_tasks()
    assert len(webhook_server.messages) == 1
    assert (only().status, only().attempts) == (Status.SENT, 2)


def test_a_crash_during_the_call_is_never_sent_again_by_itself(webhook_server, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    claimed_long_ago(only(), call_started=True)
    assert deliveries_sweep()["uncertain"] == 1
    run_tasks()
    time_passes()
    deliveries_sweep(now=timezone.now() + datetime.timedelta(hours=1))
    run_tasks()
    delivery = only()
    assert delivery.status == Status.UNCERTAIN and "may or may not have arrived" in delivery.last_error
    assert webhook_server.messages == []
    # An admin checked with the recipient (nothing arrived) and sends it again by hand: once.
    admin = factories.user("admin", roles=(("platform_admin", factories.unit(None, "工会", "union")),))
    Delivery.objects.filter(pk=delivery.pk).update(union_path=admin.role_assignments.get().unit.path)
    delivery_resend(actor=admin, delivery=delivery)
    run_tasks()
    deliveries_sweep(now=timezone.now() + datetime.timedelta(hours=1))
    run_tasks()
    assert len(webhook_server.messages) == 1 and only().status == Status.SENT


def test_a_recent_claim_is_left_alone(webhook_server):
    send(person(wecom=webhook_server.wecom_url()))
    Delivery.objects.update(status=Status.SENDING, claimed_at=timezone.now(), call_started_at=timezone.now())
    assert deliveries_sweep() == {"requeued": 0, "uncertain": 0, "lost": 0}
    assert only().status == Status.SENDING


def test_a_lost_task_is_queued_again_once(webhook_server, run_tasks):
    send(person(wecom=webhook_server.wecom_url()))
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert deliveries_sweep(now=later)["lost"] == 0  # its task is still waiting: no duplicate
    deliver_tasks().delete()  # the worker's database row is gone (restored backup, manual cleanup…)
    assert deliveries_sweep()["lost"] == 0  # not overdue yet
    assert deliveries_sweep(now=later)["lost"] == 1
    run_tasks()
    assert len(webhook_server.messages) == 1 and only().status == Status.SENT


def test_a_repeated_reminder_is_stored_and_delivered_once(smtp_server, run_tasks):
    zhang = person(email="zhang@union.example")
    assert send(zhang, dedupe_key="appeal:1:due") is not None
    assert send(zhang, dedupe_key="appeal:1:due") is None
    run_tasks()
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 1 and len(smtp_server.messages) == 1


def test_the_minute_sweep_is_scheduled_and_the_hourly_email_retry_is_gone():
    from unionhome.server.scheduler import registered_jobs

    names = {job.name for job in registered_jobs()}
    assert "notify.minute" in names and "notify.email_retry" not in names
    [job] = [j for j in registered_jobs() if j.name == "notify.minute"]
    assert job.every == datetime.timedelta(minutes=1)
