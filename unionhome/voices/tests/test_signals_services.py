"""The first-signal job (raise alerts once, notify, idempotent, race-safe) and marking an alert seen."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from tests import factories
from unionhome.audit.models import AuditEvent
from unionhome.notify.models import Notification
from unionhome.voices.models import AppealCount, SignalAlert
from unionhome.voices.services.signals import recipients_of, signal_mark_seen, signals_raise
from unionhome.voices.signal_tasks import voices_signals_daily
from unionhome.voices.tests.records import appeal_of
from unionhome.voices.tests.signal_records import THIS_WEEK, TODAY, WEEK, weekly_counts

HISTORY = [1, 0, 2, 1, 1, 0, 1, 2]  # eight weeks, mean 1: the bound is 3


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_a_spike_raises_one_alert_and_tells_the_branch_and_the_union(voices):
    s1, s2 = voices["union"]["s1"], voices["union"]["s2"]
    weekly_counts(s1, "canteen", [*HISTORY, 3])
    weekly_counts(s2, "canteen", [*HISTORY, 2])  # below the bound
    weekly_counts(s1, "safety", [3, 3, 3, 3, 3, 3, 3, 3, 4])  # usual
    assert signals_raise(today=TODAY) == {"raised": 1, "updated": 0}
    alert = SignalAlert.objects.get()
    assert (alert.branch, alert.unit_path, alert.category, alert.week_start, alert.count, alert.baseline) == (
        s1,
        s1.path,
        "canteen",
        THIS_WEEK,
        3,
        1.0,
    )
    sent = Notification.objects.filter(kind="voices.signal.raised").order_by("recipient_id")
    assert {n.recipient for n in sent} == {voices["cadre"], voices["chair"]}
    assert "Canteen" in sent[0].title and "第一检验站分工会" in sent[0].title
    assert sent[0].url == f"/voices/signals/?unit={s1.pk}#alert-{alert.pk}"
    assert AuditEvent.objects.filter(action="voices.signal.raised", object_id=str(alert.pk)).count() == 1


def test_the_job_is_idempotent_and_updates_the_count(voices):
    s1 = voices["union"]["s1"]
    weekly_counts(s1, "canteen", [*HISTORY, 4])
    signals_raise(today=TODAY)
    signals_raise(today=TODAY)
    assert SignalAlert.objects.count() == 1
    assert Notification.objects.filter(kind="voices.signal.raised").count() == 2
    appeal_of(voices["member_record"], category="canteen", submitted_at=factories_moment(TODAY), counted=True)
    assert signals_raise(today=TODAY) == {"raised": 0, "updated": 1}
    assert SignalAlert.objects.get().count == 5
    assert Notification.objects.filter(kind="voices.signal.raised").count() == 2


def factories_moment(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_last_weeks_late_spike_is_raised_on_monday(voices):
    s1 = voices["union"]["s1"]
    weekly_counts(s1, "wages", [*HISTORY, 5, 0], last_week=THIS_WEEK + WEEK)
    monday = THIS_WEEK + WEEK
    assert signals_raise(today=monday)["raised"] == 1
    assert SignalAlert.objects.get().week_start == THIS_WEEK


def test_the_week_is_monday_to_sunday_local_time(voices, settings):
    s1 = voices["union"]["s1"]
    sunday_night = factories_moment(THIS_WEEK - datetime.timedelta(days=1)).replace(hour=23, minute=30)
    for _ in range(3):
        appeal_of(voices["member_record"], category="dormitory", submitted_at=sunday_night, counted=True)
    assert AppealCount.objects.get().day == THIS_WEEK - datetime.timedelta(days=1)
    signals_raise(today=TODAY)
    assert SignalAlert.objects.get().week_start == THIS_WEEK - WEEK
    assert s1.pk == SignalAlert.objects.get().branch_id


def test_a_new_branch_with_three_appeals_is_flagged_and_two_are_not(voices):
    weekly_counts(voices["union"]["s2"], "commuting", [2])
    assert signals_raise(today=TODAY)["raised"] == 0
    AppealCount.objects.update(count=3)
    assert signals_raise(today=TODAY)["raised"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_the_job(voices, run_tasks):
    weekly_counts(voices["union"]["s1"], "canteen", [*HISTORY, 6])
    voices_signals_daily.enqueue(TODAY.isoformat())
    run_tasks()
    assert SignalAlert.objects.count() == 1


def test_recipients_are_the_supervisors_and_the_unions_watchers(voices):
    union = voices["union"]
    vice = factories.user("vice", roles=(("vice_chair", union["union"]),))
    assert recipients_of(union["s1"]) == sorted([voices["cadre"], voices["chair"], vice], key=lambda u: u.pk)
    assert voices["admin"] not in recipients_of(union["s2"]) and voices["cadre"] not in recipients_of(union["s2"])


def test_the_job_reads_the_counts_in_one_query(voices, django_assert_max_num_queries):
    signals_raise(today=TODAY)  # nothing to raise
    for i in range(30):
        branch = factories.unit(voices["union"]["union"], f"第{i}站", "branch", code=f"X{i:02d}")
        weekly_counts(branch, "other", [1, 1, 1, 1, 1, 1, 1, 1, 2])
    with django_assert_max_num_queries(2):
        assert signals_raise(today=TODAY)["raised"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_raise_and_notify_once(union, people):
    weekly_counts(union["s1"], "canteen", [*HISTORY, 7])
    weekly_counts(union["s2"], "safety", [*HISTORY, 8])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(signals_raise(today=TODAY)["raised"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 2 and SignalAlert.objects.count() == 2
    assert Notification.objects.filter(kind="voices.signal.raised").count() == 4  # 2 alerts × (cadre, chair)


def test_mark_seen(voices):
    weekly_counts(voices["union"]["s1"], "canteen", [*HISTORY, 5])
    signals_raise(today=TODAY)
    alert = SignalAlert.objects.get()
    seen = signal_mark_seen(actor=voices["cadre"], alert=alert)
    assert (seen.seen_by, seen.seen_at is not None) == (voices["cadre"], True)
    again = signal_mark_seen(actor=voices["chair"], alert=alert)
    assert again.seen_by == voices["cadre"] and again.seen_at == seen.seen_at
    assert AuditEvent.objects.filter(action="voices.signal.seen").count() == 1


@pytest.mark.parametrize("who", ["cadre2", "member", "admin", "auditor"])
def test_mark_seen_is_refused_outside_the_permission(voices, who):
    weekly_counts(voices["union"]["s1"], "canteen", [*HISTORY, 5])
    signals_raise(today=TODAY)
    alert = SignalAlert.objects.get()
    with pytest.raises(PermissionDenied):
        signal_mark_seen(actor=voices[who], alert=alert)
    alert.refresh_from_db()
    assert alert.seen_at is None and not AuditEvent.objects.filter(action="voices.signal.seen").exists()
