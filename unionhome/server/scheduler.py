"""A small scheduler: periodic background jobs without cron.

An app registers a job in its ``tasks.py`` (found by autodiscovery)::

    schedule(PeriodicJob("assistance.daily", assistance_daily, every=timedelta(days=1), at=time(7, 0)))

``manage.py run_schedule`` (started by ``manage.py serve`` beside the task worker) wakes up once a
minute and puts each job whose period has come on the django-tasks queue; the worker runs it.
``manage.py run_schedule --once`` does one pass and exits (for a system timer, or by hand).

The last enqueue of each job is a row in the database (``server.ScheduledJob``). A pass locks the
job's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions let one writer in
at a time), decides, enqueues and moves the row on in one transaction: the task row and the schedule
row commit together or not at all. So two scheduler processes, or one that restarts, never enqueue
the same period twice, and a period missed while nothing ran is caught up once, not once per missed
period.

A job is due when it never ran, or ``every`` has passed since its last enqueue. A daily job with
``at`` is due once per local day from that time on (it also runs at once the very first time).
"""

import datetime
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 60
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task
    every: datetime.timedelta
    at: datetime.time | None = None
    args: tuple = field(default=())

    def __post_init__(self) -> None:
        if self.every <= datetime.timedelta(0):
            raise ValueError(f"{self.name}: the period must be positive")
        if self.at is not None and self.every != ONE_DAY:
            raise ValueError(f"{self.name}: a time of day ('at') is for daily jobs only")

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime | None:
        """For a daily job with ``at``: the latest moment at or before ``now`` it was meant to run."""
        if self.at is None:
            return None
        local = timezone.localtime(now)
        slot = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return slot if slot <= local else slot - ONE_DAY

    def is_due(self, last: datetime.datetime | None, now: datetime.datetime) -> bool:
        if last is None:
            return True
        slot = self.latest_slot(now)
        if slot is not None:
            return last < slot
        return now - last >= self.every


_JOBS: dict[str, PeriodicJob] = {}
_discovered = False


def schedule(job: PeriodicJob) -> PeriodicJob:
    """Register (or replace) a periodic job by name."""
    _JOBS[job.name] = job
    return job


def unschedule(name: str) -> None:
    _JOBS.pop(name, None)


def registered_jobs() -> list[PeriodicJob]:
    """Every registered job, after importing each installed app's ``tasks`` module once."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return sorted(_JOBS.values(), key=lambda job: job.name)


class SweepFailed(Exception):
    """One or more daily sweeps raised; the others ran."""


def run_sweeps(paths: list[str], today: str | None = None) -> dict[str, object]:
    """Run each sweep (a dotted path, called as ``sweep(today=<date>)``) for ``today`` (ISO date; the
    local date when not given), as an app's daily task does. One failing sweep does not stop the others;
    afterwards ``SweepFailed`` names the failed ones, so the failure shows in the task results."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    results: dict[str, object] = {}
    failed: list[str] = []
    for path in paths:
        name = path.rsplit(".", 1)[-1]
        try:
            results[name] = import_string(path)(today=day)
        except Exception:
            logger.exception("Daily sweep %s failed for %s", path, day)
            failed.append(name)
    if failed:
        raise SweepFailed(f"daily sweeps failed: {', '.join(failed)} (others: {results})")
    return results


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """One pass: enqueue every job whose period has come; returns the names of those enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        try:
            if _enqueue_if_due(job, now):
                enqueued.append(job.name)
        except Exception:  # one broken job must not stop the others, nor the loop
            logger.exception("Could not enqueue the scheduled job %s", job.name)
    return enqueued


@transaction.atomic
def _enqueue_if_due(job: PeriodicJob, now: datetime.datetime) -> bool:
    from unionhome.server.models import ScheduledJob

    ScheduledJob.objects.get_or_create(name=job.name)
    row = ScheduledJob.objects.select_for_update().get(name=job.name)
    if not job.is_due(row.last_enqueued_at, now):
        return False
    result = job.task.enqueue(*job.args)
    row.last_enqueued_at = now
    row.last_task_id = str(result.id)[:64]
    row.save(update_fields=["last_enqueued_at", "last_task_id"])
    logger.info("Enqueued scheduled job %s (task %s)", job.name, result.id)
    return True


def run_forever(*, interval: float = DEFAULT_INTERVAL_SECONDS, stop: threading.Event | None = None) -> None:
    """Enqueue due jobs every ``interval`` seconds until ``stop`` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        enqueue_due()
        close_old_connections()
        stop.wait(interval)
