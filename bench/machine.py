"""The facts about the machine a benchmark report starts with: CPU, RAM, OS, Python, SQLite and PostgreSQL
versions, the gunicorn shape ``manage.py serve`` takes here (``server_shape``), the client, and the load
average during the run. Shared by every ``bench`` report."""

import contextlib
import datetime
import os
import platform
import sqlite3
from pathlib import Path


def server_shape() -> str:
    """The gunicorn shape ``manage.py serve`` takes on this machine (its defaults, or the environment's)."""
    workers = os.environ.get("UNIONHOME_WEB_WORKERS") or min(8, 2 * (os.cpu_count() or 1))
    threads = os.environ.get("UNIONHOME_WEB_THREADS") or 4
    return f"{workers} workers × {threads} threads"


def machine(pg_version: str | None, load: list[tuple[float, float, float]], niceness: int) -> list[str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        ram = f"{kib / 2**20:.1f} GiB"
    lines = [
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {cpu}, {os.cpu_count()} logical CPUs (nproc); RAM {ram}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
        + (f", PostgreSQL {pg_version}" if pg_version else ""),
        f"- server: `manage.py serve --no-worker` (gunicorn gthread, {server_shape()}), UNIONHOME_DEBUG=0, "
        "development profile (plain HTTP); PostgreSQL with Django's connection pool (UNIONHOME_DB_POOL=1)",
        "- client: http.client, one keep-alive connection, sequential GETs; nearest-rank p95",
        "- load average (1 min) during the run: "
        + ", ".join(f"{one:.1f}" for one, _, _ in load)
        + (f"; benchmark processes at niceness {niceness}" if niceness else ""),
    ]
    return lines
