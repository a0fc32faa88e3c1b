"""Background work of the centre: the daily sweep, run by the task worker and scheduled by
``unionhome.server.scheduler`` (no cron needed).

``DAILY_SWEEPS`` lists the sweeps by dotted path; each is called as ``sweep(today=<date>)`` and
returns something JSON-friendly (a count). To add one (publicity periods ending, visits falling
overdue), append its path here: nothing else to register. One failing sweep does not stop the
others; the task fails afterwards, naming it, so the failure shows in the task results.
"""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, run_sweeps, schedule

DAILY_SWEEPS: list[str] = [
    "unionhome.assistance.services.follow_ups.follow_ups_remind",
    "unionhome.assistance.services.follow_ups.follow_ups_escalate",
    "unionhome.assistance.services.files.files_publicity_sweep",
    "unionhome.assistance.services.visit_reminders.visits_remind",
]

# The sweep runs once a day, in the morning (local time), so reminders arrive at the start of work.
DAILY_AT = datetime.time(7, 0)


@task()
def assistance_daily(today: str | None = None) -> dict[str, object]:
    """Run every daily sweep for ``today`` (ISO date; the local date when not given)."""
    return run_sweeps(DAILY_SWEEPS, today)


schedule(PeriodicJob("assistance.daily", assistance_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
