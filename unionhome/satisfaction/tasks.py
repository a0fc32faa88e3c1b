"""Background work of satisfaction: the daily sweep, run by the task worker and scheduled by
``unionhome.server.scheduler`` (registered below; the scheduler finds it by autodiscovery).

``DAILY_SWEEPS`` lists the sweeps by dotted path, run by ``server.scheduler.run_sweeps``: each is called as
``sweep(today=<date>)``. The first-signal alerts (``alerts.satisfaction_alerts_raise``) are idempotent, so a
rerun the same day raises and sends nothing twice.
"""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, run_sweeps, schedule

DAILY_SWEEPS: list[str] = [
    "unionhome.satisfaction.alerts.satisfaction_alerts_raise",
    "unionhome.satisfaction.requests.rating_requests_catch_up",
]

DAILY_AT = datetime.time(7, 50)


@task()
def satisfaction_daily(today: str | None = None) -> dict[str, object]:
    """Run every daily satisfaction sweep for ``today`` (ISO date; the local date when not given)."""
    return run_sweeps(DAILY_SWEEPS, today)


schedule(PeriodicJob("satisfaction.daily", satisfaction_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
