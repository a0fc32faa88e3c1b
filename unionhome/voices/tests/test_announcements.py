"""What the submitter of an anonymous appeal does reaches the handlers by the hourly sweep, once the hour
is over, and all of an hour's actions at the same moment: no notification carries the minute."""

import datetime

from django.utils import timezone

from unionhome.notify.models import Notification
from unionhome.voices.models import AppealEvent
from unionhome.voices.services.announcements import anonymous_actions_announce
from unionhome.voices.tests.records import appeal_of

TEN_PAST = datetime.timedelta(minutes=10)


def _events(appeal, *kinds, at):
    for kind in kinds:
        AppealEvent.objects.create(appeal=appeal, kind=kind, at=at, note="理由")


def test_an_hours_actions_are_announced_after_it_once_each(voices):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=3)
    appeal = appeal_of(voices["union"]["g11"], category="wages", submitted_at=hour)
    _events(appeal, AppealEvent.Kind.SUBMITTED, AppealEvent.Kind.ROUTED, AppealEvent.Kind.FOLLOWED_UP, at=hour)

    assert anonymous_actions_announce(now=hour + TEN_PAST) == 0  # the hour is not over
    assert anonymous_actions_announce(now=hour + datetime.timedelta(minutes=59)) == 0
    assert anonymous_actions_announce(now=hour + datetime.timedelta(hours=1, minutes=1)) == 2
    assert anonymous_actions_announce(now=hour + datetime.timedelta(hours=2)) == 0  # never twice

    told = Notification.objects.filter(recipient=voices["cadre"]).order_by("kind")
    assert [n.kind for n in told] == ["voices.appeal.followed_up", "voices.appeal.routed"]
    assert all(n.url == f"/voices/handle/{appeal.pk}/" for n in told)
    assert "张三" not in "".join(n.title + n.body for n in told)


def test_named_appeals_and_old_events_are_not_announced_by_the_sweep(voices):
    now = timezone.now()
    named = appeal_of(voices["member_record"], submitted_at=now - datetime.timedelta(hours=2))
    _events(named, AppealEvent.Kind.SUBMITTED, at=now - datetime.timedelta(hours=2))
    old = appeal_of(voices["union"]["g11"], submitted_at=now - datetime.timedelta(days=3))
    _events(old, AppealEvent.Kind.SUBMITTED, at=now - datetime.timedelta(days=3))

    assert anonymous_actions_announce(now=now) == 0
    assert not Notification.objects.exists()


def test_withdrawal_reaches_the_department_without_the_reason(voices):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=2)
    appeal = appeal_of(voices["union"]["g11"], category="canteen", submitted_at=hour)
    _events(appeal, AppealEvent.Kind.WITHDRAWN, at=hour)

    assert anonymous_actions_announce(now=hour + datetime.timedelta(hours=1, minutes=30)) == 1
    told = Notification.objects.get()
    assert told.recipient == voices["canteen_handler"] and appeal.reference in told.title
    assert "理由" not in told.title + told.body  # read on the handling page: notifications may leave the site


def test_the_branchs_group_robot_hears_of_new_and_escalated_appeals(
    transactional_db, voices, webhook_server, run_tasks, settings, tmp_path
):
    from unionhome.notify.services.robots import robot_save
    from unionhome.voices.models import Appeal
    from unionhome.voices.services.escalation import appeals_escalate
    from unionhome.voices.tests.appeal_helpers import send

    settings.UNIONHOME_PRIVATE_ROOT = tmp_path / "private"
    robot_save(
        actor=voices["chair"],
        unit=voices["union"]["s1"],
        name="一站分工会群",
        platform="wecom",
        webhook=webhook_server.wecom_url("s1-robot"),
        groups=["voices"],
    )
    named, _ = send(voices["member"], category="welfare", title="宿舍热水不够")
    anonymous, code = send(voices["member"], category="welfare", title="班组长克扣加班费", anonymous=True)
    run_tasks()
    heard = [m.payload["markdown"]["content"] for m in webhook_server.messages if m.key == "s1-robot"]
    assert len(heard) == 1 and named.reference in heard[0]  # the anonymous one waits for the hourly sweep
    assert "张三" not in heard[0] and "宿舍热水不够" not in heard[0]  # a chat: the reference, never the subject

    anonymous_actions_announce(now=anonymous.submitted_at + datetime.timedelta(hours=1, minutes=5))
    run_tasks()
    heard = [m.payload["markdown"]["content"] for m in webhook_server.messages if m.key == "s1-robot"]
    assert len(heard) == 2 and anonymous.reference in heard[1]
    assert "班组长克扣加班费" not in heard[1] and code not in heard[1]

    Appeal.objects.filter(pk=named.pk).update(acknowledge_due=timezone.now() - datetime.timedelta(minutes=1))
    assert appeals_escalate(now=timezone.now()) >= 1
    run_tasks()
    heard = [m.payload["markdown"]["content"] for m in webhook_server.messages if m.key == "s1-robot"]
    assert len(heard) == 3 and named.reference in heard[2]
