"""Background work of notifications, run by the task worker (django-tasks).

``deliver`` makes one attempt at one delivery (``services.sending.delivery_attempt``); a later attempt is
the same task queued with ``run_after``. ``notify_minute`` runs every minute (scheduled below): it finds
interrupted claims and lost tasks (``deliveries_sweep``) and makes the daily digests whose hour has come
(``digests_build``). Sending happens nowhere else."""

import datetime

from django_tasks import task

from unionhome.server.scheduler import PeriodicJob, schedule


@task()
def deliver(delivery_id: int) -> str:
    """One attempt at a delivery; the outcome is recorded on the delivery."""
    from unionhome.notify.services.sending import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@task()
def notify_minute() -> dict[str, int]:
    """The minute sweep: interrupted claims, lost tasks, daily digests."""
    from unionhome.notify.services.digests import digests_build
    from unionhome.notify.services.sending import deliveries_sweep

    counts = deliveries_sweep()
    counts["digests"] = digests_build()
    return counts


schedule(PeriodicJob("notify.minute", notify_minute, every=datetime.timedelta(minutes=1)))
