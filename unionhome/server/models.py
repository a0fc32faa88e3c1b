"""What the scheduler remembers between runs and across processes (see ``scheduler.py``)."""

from django.db import models


class ScheduledJob(models.Model):
    """The last time a periodic job was put on the task queue. One row per job name.

    The scheduler locks the row while it decides, so two scheduler processes (or one restarted)
    never enqueue the same period twice."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
