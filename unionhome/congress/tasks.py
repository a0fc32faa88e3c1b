"""Background work of the congress: the daily sweep, run by the task worker and scheduled by
``unionhome.server.scheduler`` (registered below; the scheduler finds it by autodiscovery).

``DAILY_SWEEPS`` lists the sweeps by dotted path, run by ``server.scheduler.run_sweeps``: each is called as
``sweep(today=<date>)`` and returns a count (or a dict of counts). Another concept adds its sweep by
appending its path here. Every sweep is idempotent (dedupe keys on notifications, history rows, state
changes), so a re-run the same day sends nothing twice.
"""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, run_sweeps, schedule

DAILY_SWEEPS: list[str] = [
    "unionhome.congress.services.proposal_handling.proposals_remind",
    "unionhome.congress.services.proposal_handling.proposals_escalate",
    "unionhome.congress.services.proposal_handling.proposals_rating_timeout",
    "unionhome.congress.services.tracking.tracking_sweep",
]

DAILY_AT = datetime.time(7, 10)


@task()
def congress_daily(today: str | None = None) -> dict[str, object]:
    """Run every daily congress sweep for ``today`` (ISO date; the local date when not given)."""
    return run_sweeps(DAILY_SWEEPS, today)


schedule(PeriodicJob("congress.daily", congress_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
