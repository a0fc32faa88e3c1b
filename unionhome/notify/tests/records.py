"""Helpers for notify tests: people with channels, sending inside a transaction, letting time pass."""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from unionhome.notify.models import Delivery, Notification, Preferences
from unionhome.notify.services import notification_send


def person(username: str = "zhang", *, email: str = "", wecom: str = "", dingtalk: str = "", secret: str = "", **extra):
    user = factories.user(username, email=email, display_name=extra.pop("display_name", "张三"), **extra)
    if wecom or dingtalk:
        Preferences.objects.create(user=user, wecom_webhook=wecom, dingtalk_webhook=dingtalk, dingtalk_secret=secret)
    return user


def send(recipient, **fields) -> Notification | None:
    """``notification_send`` in its own committed transaction, as a service would call it."""
    with transaction.atomic():
        return notification_send(
            recipient=recipient,
            kind=fields.pop("kind", "voices.appeal.routed"),
            title=fields.pop("title", "新的职工诉求：食堂饭菜价格"),
            body=fields.pop("body", "请在1个工作日内受理。"),
            url=fields.pop("url", "/voices/queue/"),
            **fields,
        )


def time_passes() -> None:
    """The clock moves on: every delivery and task waiting for a later moment is due now."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Delivery.objects.filter(status=Delivery.Status.QUEUED).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=past)


def deliver_tasks():
    return DBTaskResult.objects.filter(task_path="unionhome.notify.tasks.deliver")
