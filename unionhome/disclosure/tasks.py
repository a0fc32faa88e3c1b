"""Background work of disclosure: reminders to read, sent by the task worker.

``remind_non_readers`` is queued by a cadre's "remind non-readers" (``services.reads``);
``disclosure_daily`` is the daily sweep, scheduled here like ``assistance.tasks.assistance_daily``
(``server.scheduler`` finds every app's ``tasks`` module): it reminds the audience of notices on major
decisions and on wages and welfare once, three days after they were published.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from unionhome.disclosure.services.reads import non_readers_remind, notices_remind_sweep
from unionhome.server.scheduler import PeriodicJob, schedule

DAILY_AT = datetime.time(7, 30)


@task()
def remind_non_readers(notice_id: int, roots: list[str]) -> int:
    """Remind the members under ``roots`` who have not read the notice (each once per notice)."""
    return non_readers_remind(notice_id=notice_id, roots=roots)


@task()
def disclosure_daily(today: str | None = None) -> dict[str, int]:
    """The daily sweep for ``today`` (ISO date; the local date when not given)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return {"notices_reminded": notices_remind_sweep(today=day)}


schedule(PeriodicJob("disclosure.daily", disclosure_daily, every=datetime.timedelta(days=1), at=DAILY_AT))
