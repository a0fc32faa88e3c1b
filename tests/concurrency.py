"""Real concurrency for tests: threads, each with its own database connection and transaction, released
at the same moment."""

import threading

from django.db import connection
from django.utils import translation

THREADS = 8


def run_together(work, count: int = THREADS) -> list[tuple[str, object]]:
    """Run ``work(i)`` in ``count`` threads released at once; each result is ("ok", value) or ("error", exc).

    Each thread speaks English, like the test that starts it (the language is per thread)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("none", None)] * count

    def worker(i: int) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                results[i] = ("ok", work(i))
        except Exception as exc:  # noqa: BLE001 - reported to the test that called
            results[i] = ("error", exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results
