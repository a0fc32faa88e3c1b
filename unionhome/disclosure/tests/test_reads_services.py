"""Read receipts (once per member, also under a race) and reminders to read (each once per notice and
member, through the task worker, and the daily sweep three days after publishing)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from tests.concurrency import run_together
from unionhome.access.policy import OutOfScope, PermissionRefused
from unionhome.disclosure import tasks
from unionhome.disclosure.models import Notice, NoticeRead
from unionhome.disclosure.services.notices import notice_withdraw
from unionhome.disclosure.services.reads import (
    dedupe_key,
    notice_mark_read,
    notice_remind_non_readers,
    notices_remind_sweep,
)
from unionhome.disclosure.tests.records import draft, published
from unionhome.notify.models import Notification
from unionhome.server import scheduler


def test_opening_records_one_read_with_the_members_unit(office):
    notice = published(office["office"], office["union"]["s1"])
    receipt, new = notice_mark_read(actor=office["worker"], notice=notice)
    assert new and receipt.unit_path == office["union"]["g11"].path and receipt.member == office["member_record"]
    again, new_again = notice_mark_read(actor=office["worker"], notice=notice)
    assert (again.pk, new_again) == (receipt.pk, False)
    assert NoticeRead.objects.count() == 1


def test_only_the_audience_reads_and_only_while_shown(office):
    notice = published(office["office"], office["union"]["s1"])
    for who in ("worker_s2", "cadre", "office"):  # another station; cadres without a member record
        with pytest.raises(OutOfScope):
            notice_mark_read(actor=office[who], notice=notice)
    future = draft(office["office"], office["union"]["s1"], publish_from=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(OutOfScope):
        notice_mark_read(actor=office["worker"], notice=future)
    notice_withdraw(actor=office["office"], notice=notice, reason="撤回")
    notice.refresh_from_db()
    with pytest.raises(OutOfScope):
        notice_mark_read(actor=office["worker"], notice=notice)
    assert not NoticeRead.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_reads_at_the_same_moment_record_one_receipt(office):
    notice = published(office["office"], office["union"]["s1"])
    results = run_together(lambda i: notice_mark_read(actor=office["worker"], notice=notice)[1])
    assert [kind for kind, _ in results] == ["ok"] * len(results), results
    assert sum(1 for _, new in results if new) == 1
    assert NoticeRead.objects.filter(notice=notice).count() == 1


# --- reminders -----------------------------------------------------------------------------------


def reminded(notice) -> set[int]:
    return set(
        Notification.objects.filter(
            kind="disclosure.notice.unread", url__endswith=f"/disclosure/{notice.pk}/"
        ).values_list("recipient_id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_reminders_go_once_to_non_readers_with_a_login(office, run_tasks):
    union = office["union"]
    notice = published(office["office"], union["union"])
    factories.member(union["g12"], "无账号")  # no login: nobody to remind
    retired = factories.member(union["g11"], "退休者", status="retired")
    factories.user("retired-user", member=retired)
    notice_mark_read(actor=office["worker_b"], notice=notice)
    notice_remind_non_readers(actor=office["office"], notice=notice)
    run_tasks()
    assert reminded(notice) == {office["worker"].pk, office["worker_s2"].pk}
    first = Notification.objects.get(recipient=office["worker"])
    assert first.dedupe_key == dedupe_key(notice.pk, office["member_record"].pk)
    # A second click, or the task run again, sends nothing twice.
    notice_remind_non_readers(actor=office["office"], notice=notice)
    tasks.remind_non_readers.enqueue(notice.pk, [union["union"].path])
    run_tasks()
    assert Notification.objects.filter(kind="disclosure.notice.unread").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_branch_cadre_reminds_only_their_branch(office, run_tasks):
    notice = published(office["office"], office["union"]["union"])
    assert notice_remind_non_readers(actor=office["cadre"], notice=notice) == [office["union"]["s1"].path]
    run_tasks()
    assert reminded(notice) == {office["worker"].pk, office["worker_b"].pk}


def test_reminding_needs_the_permission_and_the_scope(office):
    notice = published(office["office"], office["union"]["s2"])
    with pytest.raises(PermissionRefused):
        notice_remind_non_readers(actor=office["worker"], notice=notice)
    with pytest.raises(OutOfScope):
        notice_remind_non_readers(actor=office["cadre"], notice=notice)  # station 1's cadre, station 2's notice
    notice_withdraw(actor=office["office"], notice=notice, reason="撤回")
    notice.refresh_from_db()
    with pytest.raises(ValidationError):
        notice_remind_non_readers(actor=office["office"], notice=notice)


@pytest.mark.django_db(transaction=True)
def test_the_daily_sweep_reminds_once_three_days_after_publishing(office, run_tasks):
    union = office["union"]
    wages = published(office["office"], union["s1"], days_ago=3)
    decision = published(office["office"], union["union"], days_ago=5, category=Notice.Category.MAJOR_DECISIONS)
    fresh = published(office["office"], union["s1"], days_ago=1)
    safety = published(office["office"], union["s1"], days_ago=4, category=Notice.Category.SAFETY)
    notice_mark_read(actor=office["worker"], notice=wages)
    today = timezone.localdate()
    assert notices_remind_sweep(today=today) == 2
    assert reminded(wages) == {office["worker_b"].pk}
    assert reminded(decision) == {office["worker"].pk, office["worker_b"].pk, office["worker_s2"].pk}
    assert reminded(fresh) == set() and reminded(safety) == set()
    assert Notice.objects.get(pk=wages.pk).reminded_at is not None
    # The task, run again the same day or the next, reminds nobody again.
    tasks.disclosure_daily.enqueue(today.isoformat())
    tasks.disclosure_daily.enqueue((today + datetime.timedelta(days=1)).isoformat())
    run_tasks()
    assert Notification.objects.filter(kind="disclosure.notice.unread").count() == 4


def test_the_daily_sweep_is_scheduled():
    jobs = {job.name: job for job in scheduler.registered_jobs()}
    assert jobs["disclosure.daily"].task.module_path == "unionhome.disclosure.tasks.disclosure_daily"
    assert jobs["disclosure.daily"].every == datetime.timedelta(days=1)
