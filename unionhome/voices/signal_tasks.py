"""The daily first-signal job, run by the task worker and scheduled here (``voices/apps.py`` imports this
module; the scheduler's autodiscovery only finds ``tasks`` modules).

``voices_signals_daily`` raises this week's and last week's first-signal alerts (``services.signals``);
it is idempotent, so a rerun the same day raises and sends nothing twice.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, schedule
from unionhome.voices.services.signals import signals_raise

DAILY_AT = datetime.time(7, 40)


@task()
def voices_signals_daily(today: str | None = None) -> dict[str, int]:
    """Raise the first-signal alerts for ``today`` (ISO date; the local date when not given)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return signals_raise(today=day)


schedule(PeriodicJob("voices.signals", voices_signals_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
