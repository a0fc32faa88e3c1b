"""Background work of workers' voices, run by the task worker and scheduled by ``server.scheduler``.

``voices_hourly`` is the appeals sweep (``services.escalation.appeals_sweep``): reminders before and at
each deadline, and escalation of late appeals up the org tree; then the announcement of what the
submitters of anonymous appeals did in the hours that have passed (``services.announcements``). It is
idempotent: a second run in the same hour sends and changes nothing. The first-signal alert job lives
in ``voices/signal_tasks.py``.
"""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, schedule


@task()
def voices_hourly(now: str | None = None) -> dict[str, int]:
    """Run the appeals sweep at ``now`` (ISO moment; the current time when not given)."""
    from unionhome.voices.services.announcements import anonymous_actions_announce
    from unionhome.voices.services.escalation import appeals_sweep

    moment = datetime.datetime.fromisoformat(now) if now else None
    done = appeals_sweep(now=moment)
    done["announced"] = anonymous_actions_announce(now=moment)
    return done


schedule(PeriodicJob("voices.hourly", voices_hourly, every=datetime.timedelta(hours=1)))
