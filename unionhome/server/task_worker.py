"""The django-tasks database worker, built the same way wherever it runs in-process (tests, benchmarks)."""

from django_tasks_db.management.commands.db_worker import Worker


def task_worker(*, worker_id: str, batch: bool, interval: float = 0.1) -> Worker:
    """A worker for every queue; with ``batch`` its ``run()`` returns once the queue is empty."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
