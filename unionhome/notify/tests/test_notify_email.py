"""Notification email through a real SMTP server on the loopback interface (aiosmtpd), sent by the
real task worker after the sending transaction commits."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from unionhome.notify.models import Notification
from unionhome.notify.services import notification_emails_retry, notification_send

EMAIL_TASK = "unionhome.notify.tasks.email_notification"


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and a free port, with the site's mail settings pointing at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "unionhome@union.example"
    settings.UNIONHOME_SITE_URL = "https://union.example"
    settings.LANGUAGE_CODE = "en"
    yield inbox
    controller.stop()


@pytest.fixture
def person(transactional_db):
    return factories.user("zhang", email="zhang@union.example", display_name="张三")


def send(recipient, **fields) -> Notification:
    with transaction.atomic():
        return notification_send(
            recipient=recipient,
            kind=fields.pop("kind", "test"),
            title=fields.pop("title", "跟踪回访提醒：张三"),
            body=fields.pop("body", "请在本周内完成回访。"),
            url=fields.pop("url", "/assistance/follow-ups/1/"),
            **fields,
        )


def email_tasks():
    return DBTaskResult.objects.filter(task_path=EMAIL_TASK)


def test_a_notification_is_emailed_after_commit(smtp, person, run_tasks):
    notification = send(person)
    assert email_tasks().count() == 1 and smtp.messages == []  # queued, not sent inside the request
    run_tasks()
    assert [rcpt for rcpt, _ in smtp.messages] == [["zhang@union.example"]]
    message = smtp.messages[0][1]
    assert message["Subject"] == "跟踪回访提醒：张三"
    assert message["From"] == "unionhome@union.example" and message["To"] == "zhang@union.example"
    text = message.get_content()
    assert "请在本周内完成回访。" in text and "https://union.example/assistance/follow-ups/1/" in text
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    assert email_tasks().get().status == TaskResultStatus.SUCCESSFUL


def test_the_same_notification_is_emailed_once(smtp, person, run_tasks):
    from unionhome.notify.tasks import email_notification

    notification = send(person)
    email_notification.enqueue(notification.pk)  # a duplicate job, e.g. a retry racing the first
    run_tasks()
    assert len(smtp.messages) == 1


def test_no_address_no_email(smtp, transactional_db, run_tasks):
    quiet = factories.user("quiet")
    send(quiet)
    assert email_tasks().count() == 0
    run_tasks()
    assert smtp.messages == [] and Notification.objects.get(recipient=quiet).emailed_at is None


def test_a_rolled_back_notification_is_never_emailed(smtp, person, run_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipient=person, kind="test", title="x")
        raise RuntimeError("the service failed after sending")
    run_tasks()
    assert email_tasks().count() == 0 and smtp.messages == [] and not Notification.objects.exists()


def test_a_repeated_reminder_is_neither_stored_nor_emailed_twice(smtp, person, run_tasks):
    assert send(person, dedupe_key="follow_up:1:2026-03-01") is not None
    assert send(person, dedupe_key="follow_up:1:2026-03-01") is None
    run_tasks()
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1


def test_a_line_break_in_a_title_does_not_break_the_mail(smtp, person, run_tasks):
    send(person, title="第一行\n第二行")
    run_tasks()
    assert smtp.messages[0][1]["Subject"] == "第一行 第二行"


def test_mail_server_down_then_retried(settings, person, run_tasks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notification = send(person)
    run_tasks()
    assert email_tasks().get().status == TaskResultStatus.FAILED
    assert Notification.objects.get(pk=notification.pk).emailed_at is None  # released for a retry

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        assert notification_emails_retry(now=timezone.now()) == 0  # too early: the first try may be running
        assert notification_emails_retry(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
        run_tasks()
    finally:
        controller.stop()
    assert [rcpt for rcpt, _ in inbox.messages] == [["zhang@union.example"]]
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    assert notification_emails_retry(now=timezone.now() + datetime.timedelta(minutes=11)) == 0


def test_retry_leaves_old_notifications_alone(transactional_db, person):
    send(person)
    assert notification_emails_retry(now=timezone.now() + datetime.timedelta(days=2)) == 0
