"""Enqueue the periodic background jobs when their time comes (see ``unionhome.server.scheduler``)."""

import signal
import threading

from django.core.management.base import BaseCommand

from unionhome.server import scheduler


class Command(BaseCommand):
    help = "Put periodic jobs on the task queue when they fall due: once a minute, or one pass with --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=scheduler.DEFAULT_INTERVAL_SECONDS,
            help="seconds between passes (default 60)",
        )

    def handle(self, *args, once, interval, **options):
        if once:
            names = scheduler.enqueue_due()
            self.stdout.write(f"enqueued: {', '.join(names)}" if names else "nothing due")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        scheduler.run_forever(interval=interval, stop=stop)
