"""Settings of the notification storm (``bench.notify_storm``): the project's settings, plus

* ``UNIONHOME_NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]``: the local robot's host (as in tests; empty in
  production, where only the platforms' own hosts are called);
* the retry backoff from ``BENCH_NOTIFY_BACKOFF_SECONDS`` / ``BENCH_NOTIFY_BACKOFF_MAX_SECONDS`` when set:
  the failure scenario shortens it (production: 30 s doubling up to an hour) so that a run takes minutes,
  not hours. The number of attempts stays the production default unless ``BENCH_NOTIFY_MAX_ATTEMPTS``.
"""

import os

from unionhome.settings import *  # noqa: F403

UNIONHOME_NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
if os.environ.get("BENCH_NOTIFY_BACKOFF_SECONDS"):
    UNIONHOME_NOTIFY_BACKOFF_SECONDS = float(os.environ["BENCH_NOTIFY_BACKOFF_SECONDS"])
if os.environ.get("BENCH_NOTIFY_BACKOFF_MAX_SECONDS"):
    UNIONHOME_NOTIFY_BACKOFF_MAX_SECONDS = float(os.environ["BENCH_NOTIFY_BACKOFF_MAX_SECONDS"])
if os.environ.get("BENCH_NOTIFY_MAX_ATTEMPTS"):
    UNIONHOME_NOTIFY_MAX_ATTEMPTS = int(os.environ["BENCH_NOTIFY_MAX_ATTEMPTS"])
