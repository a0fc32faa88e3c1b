"""The scheduler (``unionhome.server.scheduler``): due jobs are enqueued once, whoever asks and however
often, and the real task worker then runs them; ``manage.py serve`` starts it beside the worker."""

import datetime
import io
import threading
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from unionhome.assistance.models import FollowUp
from unionhome.assistance.tests.test_follow_ups_services import delivered, first_follow_up
from unionhome.notify.models import Notification
from unionhome.server import scheduler
from unionhome.server.models import ScheduledJob

DAILY = "unionhome.assistance.tasks.assistance_daily"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


# --- When a job is due ---------------------------------------------------------------------------


def test_an_interval_job_is_due_once_per_period():
    job = scheduler.PeriodicJob("x", task=None, every=datetime.timedelta(hours=1))
    start = at(2026, 3, 1, 10, 0)
    assert job.is_due(None, start)
    assert not job.is_due(start, start + datetime.timedelta(minutes=59))
    assert job.is_due(start, start + datetime.timedelta(hours=1))


def test_a_daily_job_runs_once_a_day_from_its_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    job = scheduler.PeriodicJob("x", task=None, every=datetime.timedelta(days=1), at=datetime.time(7, 0))
    assert job.is_due(None, at(2026, 3, 1, 3, 0))  # never ran: at once
    ran = at(2026, 3, 1, 3, 0)
    assert not job.is_due(ran, at(2026, 3, 1, 6, 59))
    assert job.is_due(ran, at(2026, 3, 1, 7, 0))
    ran = at(2026, 3, 1, 7, 1)
    assert not job.is_due(ran, at(2026, 3, 1, 23, 59)) and not job.is_due(ran, at(2026, 3, 2, 6, 0))
    assert job.is_due(ran, at(2026, 3, 2, 7, 0))
    assert job.is_due(ran, at(2026, 3, 9, 12, 0))  # days missed while stopped: caught up once


def test_a_time_of_day_is_for_daily_jobs_only():
    with pytest.raises(ValueError):
        scheduler.PeriodicJob("x", task=None, every=datetime.timedelta(hours=6), at=datetime.time(7))
    with pytest.raises(ValueError):
        scheduler.PeriodicJob("x", task=None, every=datetime.timedelta(0))


def test_the_daily_sweep_is_registered():
    jobs = {job.name: job for job in scheduler.registered_jobs()}
    assert jobs["assistance.daily"].task.module_path == DAILY
    assert jobs["assistance.daily"].every == datetime.timedelta(days=1)
    assert "notify.minute" in jobs


# --- Enqueued once, then run by the worker ---------------------------------------------------------


def daily_results():
    return DBTaskResult.objects.filter(task_path=DAILY)


def test_run_schedule_once_enqueues_due_jobs_once_and_the_worker_runs_them(transactional_db, centre, run_tasks):
    follow_up = first_follow_up(delivered(centre, days_ago=35))
    out = io.StringIO()
    call_command("run_schedule", "--once", stdout=out)
    assert "assistance.daily" in out.getvalue()
    call_command("run_schedule", "--once", stdout=io.StringIO())  # a second process, or a restart
    assert daily_results().count() == 1
    row = ScheduledJob.objects.get(name="assistance.daily")
    assert row.last_enqueued_at is not None and row.last_task_id == str(daily_results().get().pk)

    run_tasks()

    result = daily_results().get()
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert result.return_value["follow_ups_remind"] == 1
    assert FollowUp.objects.get(pk=follow_up.pk).reminded_at is not None
    assert Notification.objects.filter(recipient=centre["officer_s1"], kind="assistance.follow_up.due").count() == 1
    # Once run, the next pass still does not enqueue the day again.
    call_command("run_schedule", "--once", stdout=io.StringIO())
    assert daily_results().count() == 1


def test_the_next_period_is_enqueued_again(transactional_db):
    # Half an hour after the day's 07:00 slot, whatever the time the test runs at: an hour later is the same day.
    first = timezone.localtime().replace(hour=7, minute=30, second=0, microsecond=0)
    assert "assistance.daily" in scheduler.enqueue_due(first)
    assert "assistance.daily" not in scheduler.enqueue_due(first + datetime.timedelta(hours=1))
    assert "assistance.daily" in scheduler.enqueue_due(first + datetime.timedelta(days=1, minutes=1))
    assert daily_results().count() == 2


def test_two_schedulers_at_the_same_moment_enqueue_once(transactional_db):
    now = timezone.now()
    start = threading.Barrier(4)
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    def one_scheduler():
        try:
            start.wait()
            outcomes.append(scheduler.enqueue_due(now))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(names.count("assistance.daily") for names in outcomes) == 1
    assert daily_results().count() == 1
    assert ScheduledJob.objects.filter(name="assistance.daily").count() == 1


def test_a_broken_job_does_not_stop_the_others(transactional_db, monkeypatch):
    class Broken:
        def enqueue(self):
            raise RuntimeError("queue unavailable")

    scheduler.registered_jobs()
    monkeypatch.setitem(
        scheduler._JOBS, "aaa.broken", scheduler.PeriodicJob("aaa.broken", Broken(), every=datetime.timedelta(hours=1))
    )
    assert "assistance.daily" in scheduler.enqueue_due()
    # Rolled back whole: tried again at the next pass.
    assert not ScheduledJob.objects.filter(name="aaa.broken", last_enqueued_at__isnull=False).exists()


def test_run_forever_stops_when_told(transactional_db):
    stop = threading.Event()
    stop.set()
    scheduler.run_forever(interval=0.01, stop=stop)  # returns at once
    passes = []
    stop = threading.Event()

    def counting(now=None):
        passes.append(now)
        if len(passes) == 2:
            stop.set()
        return []

    original = scheduler.enqueue_due
    scheduler.enqueue_due = counting
    try:
        scheduler.run_forever(interval=0.01, stop=stop)
    finally:
        scheduler.enqueue_due = original
    assert len(passes) == 2


# --- manage.py serve -----------------------------------------------------------------------------


class FakeProcess:
    started: list[list[str]] = []

    def __init__(self, args):
        FakeProcess.started.append(list(args))
        self.returncode = 0

    def poll(self):
        return 0

    def send_signal(self, signum):
        pass

    def wait(self, timeout=None):
        return 0


@pytest.mark.parametrize(
    ("flags", "expected"), [([], ["gunicorn", "db_worker", "run_schedule"]), (["--no-worker"], ["gunicorn"])]
)
def test_serve_starts_the_scheduler_beside_the_worker(db, monkeypatch, flags, expected):
    from unionhome.server.management.commands import serve

    FakeProcess.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.signal, "signal", lambda *a: None)
    call_command("serve", *flags, stdout=io.StringIO())
    names = []
    for args in FakeProcess.started:
        names.append("gunicorn" if "gunicorn" in args else args[2])
    assert names == expected
