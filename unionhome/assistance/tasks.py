"""Background work of the centre: the daily sweep, run by the task worker and scheduled by
``unionhome.server.scheduler`` (no cron needed).

``DAILY_SWEEPS`` lists the sweeps by dotted path; each is called as ``sweep(today=<date>)`` and
returns something JSON-friendly (a count). To add one (publicity periods ending, visits falling
overdue), append its path here: nothing else to register. One failing sweep does not stop the
others; the task fails afterwards, naming it, so the failure shows in the task results.
"""

import datetime
import logging

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, schedule

logger = logging.getLogger(__name__)

DAILY_SWEEPS: list[str] = [
    "unionhome.assistance.services.follow_ups.follow_ups_remind",
    "unionhome.assistance.services.follow_ups.follow_ups_escalate",
    "unionhome.assistance.services.files.files_publicity_sweep",
]

# The sweep runs once a day, in the morning (local time), so reminders arrive at the start of work.
DAILY_AT = datetime.time(7, 0)


class SweepFailed(Exception):
    """One or more daily sweeps raised; the others ran."""


@task()
def assistance_daily(today: str | None = None) -> dict[str, object]:
    """Run every daily sweep for ``today`` (ISO date; the local date when not given)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    results: dict[str, object] = {}
    failed: list[str] = []
    for path in DAILY_SWEEPS:
        name = path.rsplit(".", 1)[-1]
        try:
            results[name] = import_string(path)(today=day)
        except Exception:
            logger.exception("Daily sweep %s failed for %s", path, day)
            failed.append(name)
    if failed:
        raise SweepFailed(f"daily sweeps failed: {', '.join(failed)} (others: {results})")
    return results


schedule(PeriodicJob("assistance.daily", assistance_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
