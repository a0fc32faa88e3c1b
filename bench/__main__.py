"""``python -m bench [--sizes 1000,100000,1000000] [--databases sqlite,postgresql]``: page latency tables.

For each database and size: a fresh database, ``manage.py migrate``, ``manage.py demo --members N``
(timed), sessions for the viewers (``bench.sessions``), ``manage.py serve --no-worker`` on a free
port with UNIONHOME_DEBUG=0, then sequential HTTP requests (after a warm-up) to the member
directory, a name-prefix search, a pinyin-initials search and the org tree, reporting p50 and p95.
Then the 100k-row Excel import, if ``bench/roster_import.py`` exists. Prints Markdown tables;
``--results FILE`` also writes them with the machine's description.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGES = (
    ("directory", "/org/members/"),
    ("search 张", "/org/members/?q=" + urllib.parse.quote("张")),
    ("initials zs", "/org/members/?q=zs"),
    ("org tree", "/org/tree/"),
)
TARGET_P95_MS = 50.0
MAX_GROWTH = 2.0


@dataclass
class Timing:
    database: str
    size: int
    viewer: str
    scope: int
    page: str
    p50: float
    p95: float
    kib: float
    n: int


@dataclass
class Scenario:
    database: str
    size: int
    build_seconds: float = 0.0
    db_mb: float = 0.0
    timings: list[Timing] = field(default_factory=list)
    error: str = ""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UNIONHOME_SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "unionhome.settings",
            "UNIONHOME_PROFILE": "development",  # plain HTTP on 127.0.0.1
            "UNIONHOME_DEBUG": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout if capture else ""


# --- databases ------------------------------------------------------------------------------------


class Postgres:
    """One throw-away server for the whole run (tests/postgres.py), a fresh database per data set."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.url = ""

    def __enter__(self) -> "Postgres":
        sys.path.insert(0, str(ROOT))
        from tests.postgres import temporary_postgres

        self.url = self._stack.enter_context(temporary_postgres())
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _admin(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self._url_for("postgres"), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def _url_for(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    @contextlib.contextmanager
    def database(self, name: str) -> Iterator[dict[str, str]]:
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            # Production uses Django's connection pool on PostgreSQL (settings: UNIONHOME_DB_POOL).
            yield {"DATABASE_URL": self._url_for(name), "UNIONHOME_DB_POOL": "1"}
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def size_mb(self, name: str) -> float:
        return self._admin(f"SELECT pg_database_size('{name}')")[0][0] / 2**20

    def version(self) -> str:
        return self._admin("SHOW server_version")[0][0]


@contextlib.contextmanager
def sqlite_database(workdir: Path, name: str) -> Iterator[dict[str, str]]:
    path = workdir / f"{name}.sqlite3"
    try:
        yield {"UNIONHOME_SQLITE_PATH": str(path)}
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the server and the client --------------------------------------------------------------------


@contextlib.contextmanager
def production_server(env: dict[str, str], workdir: Path) -> Iterator[int]:
    port = free_port()
    errors = open(workdir / f"serve-{port}.log", "w+")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--no-worker", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # gunicorn's access log
        stderr=errors,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"the server stopped (exit {proc.returncode}):\n{errors.read()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 90 s") from None
                time.sleep(0.3)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        errors.close()


def time_page(port: int, path: str, cookie: str, requests: int, warmup: int, budget: float) -> tuple[list[float], int]:
    """Sequential GETs on one keep-alive connection; milliseconds from sending to the last byte.

    A page slower than the time ``budget`` (seconds) allows stops early, after at least 10 timed requests.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie, "Accept-Language": "zh-hans", "Accept-Encoding": "identity"}
    samples: list[float] = []
    size = 0
    started_all = time.monotonic()
    for i in range(warmup + requests):
        if i < warmup and time.monotonic() - started_all > budget / 6:
            continue  # a slow page: enough warm-up
        if len(samples) >= 10 and time.monotonic() - started_all > budget:
            break
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {response.getheader('Location') or ''}")
        if i >= warmup:
            samples.append(elapsed)
        size = len(body)
    conn.close()
    return samples, size


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- one data set ---------------------------------------------------------------------------------


def run_scenario(
    scenario: Scenario,
    db_env: dict[str, str],
    workdir: Path,
    requests: int,
    warmup: int,
    budget: float,
    explain: bool,
) -> None:
    env = {**base_env(), **db_env, "UNIONHOME_STATIC_ROOT": str(workdir / "static")}
    log(f"[{scenario.database} {scenario.size:,}] migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    log(f"[{scenario.database} {scenario.size:,}] manage.py demo --members {scenario.size}")
    started = time.monotonic()
    run([PYTHON, "manage.py", "demo", "--members", str(scenario.size), "-v0"], env)
    scenario.build_seconds = time.monotonic() - started
    log(f"[{scenario.database} {scenario.size:,}] built in {scenario.build_seconds:.1f} s")
    viewers = json.loads(run([PYTHON, "-m", "bench.sessions"], env, capture=True).strip().splitlines()[-1])
    with production_server(env, workdir) as port:
        for viewer, info in viewers.items():
            for page, path in PAGES:
                samples, size = time_page(port, path, info["cookie"], requests, warmup, budget)
                timing = Timing(
                    scenario.database,
                    scenario.size,
                    viewer,
                    info["members_in_scope"],
                    page,
                    statistics.median(samples),
                    percentile(samples, 95),
                    size / 1024,
                    len(samples),
                )
                scenario.timings.append(timing)
                log(
                    f"[{scenario.database} {scenario.size:,}] {viewer:<22} {page:<12} "
                    f"p50 {timing.p50:7.1f} ms  p95 {timing.p95:7.1f} ms  {timing.kib:6.0f} KiB  n={timing.n}"
                )
    if explain:
        slow = [t for t in scenario.timings if t.p95 > TARGET_P95_MS]
        for viewer in sorted({t.viewer for t in slow}):
            paths = [dict(PAGES)[t.page] for t in slow if t.viewer == viewer]
            print(run([PYTHON, "-m", "bench.explain", "--user", viewer, *paths], env, capture=True))


def run_import(rows: int, database_url: str | None) -> dict:
    """bench/roster_import.py makes its own fresh database (a temporary SQLite file, or one on this server)."""
    out = run([PYTHON, "-m", "bench.import_timing", str(rows), database_url or ""], base_env(), capture=True)
    return json.loads(out.strip().splitlines()[-1])


# --- reporting ------------------------------------------------------------------------------------


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
        "- server: `manage.py serve --no-worker` (gunicorn gthread, 2 workers × 8 threads), UNIONHOME_DEBUG=0, "
        "development profile (plain HTTP); PostgreSQL with Django's connection pool (UNIONHOME_DB_POOL=1)",
        "- client: http.client, one keep-alive connection, sequential GETs; nearest-rank p95",
        "- load average (1 min) during the run: "
        + ", ".join(f"{one:.1f}" for one, _, _ in load)
        + (f"; benchmark processes at niceness {niceness}" if niceness else ""),
    ]
    return lines


def report(
    scenarios: list[Scenario],
    imports: dict[str, dict],
    args_line: str,
    pg_version: str | None,
    load: list[tuple[float, float, float]],
    niceness: int,
) -> str:
    out = [f"Command: `{args_line}`", "", *machine(pg_version, load, niceness), ""]
    out += ["| database | members | viewer (members in scope) | page | p50 ms | p95 ms | KiB | n | target |"]
    out += ["|---|---:|---|---|---:|---:|---:|---:|---|"]
    smallest: dict[tuple[str, str, str], float] = {}
    for s in scenarios:
        for t in s.timings:
            smallest.setdefault((t.database, t.viewer, t.page), t.p95)
    for s in scenarios:
        if s.error:
            out.append(f"| {s.database} | {s.size:,} | failed: {s.error.splitlines()[0][:120]} | | | | | | |")
        for t in s.timings:
            base = smallest[(t.database, t.viewer, t.page)]
            growth = t.p95 / base if base else 1.0
            verdict = "ok" if t.p95 <= TARGET_P95_MS and growth <= MAX_GROWTH else "MISSED"
            out.append(
                f"| {t.database} | {t.size:,} | {t.viewer} ({t.scope:,}) | {t.page} | {t.p50:.1f} | {t.p95:.1f} "
                f"| {t.kib:.0f} | {t.n} | {verdict} (×{growth:.1f}) |"
            )
    out += ["", "| database | members | build (manage.py demo) | database size |", "|---|---:|---:|---:|"]
    for s in scenarios:
        out.append(f"| {s.database} | {s.size:,} | {s.build_seconds:.1f} s | {s.db_mb:.0f} MB |")
    out += ["", "Excel roster import:"]
    for database, result in imports.items():
        if not result.get("available"):
            out.append(f"- {database}: not available (bench/roster_import.py is missing)")
        elif "error" in result:
            out.append(f"- {database}: failed: {result['error']}")
        else:
            out.append(
                f"- {database}: {result['rows']:,} rows in {float(result['seconds']):.1f} s, "
                f"peak RSS {float(result['peak_rss_mb']):.0f} MB"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000", help="comma-separated member counts")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument(
        "--page-budget", type=float, default=90.0, help="seconds per page before a slow page stops early"
    )
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows for the Excel import (0: skip)")
    parser.add_argument("--explain", action="store_true", help="print the plans of pages that miss the target")
    parser.add_argument("--results", help="also write the Markdown report to this file")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the benchmark (server included) at this niceness, e.g. -10 on a shared machine (needs root)",
    )
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    args_line = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])

    scenarios: list[Scenario] = []
    imports: dict[str, dict] = {}
    pg_version = None
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="unionhome-bench-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        pg = None
        if "postgresql" in databases:
            sys.path.insert(0, str(ROOT))
            from tests.postgres import find_binaries

            if find_binaries() is None:
                log("!!! PostgreSQL binaries are absent: PostgreSQL is skipped")
                databases.remove("postgresql")
            else:
                pg = stack.enter_context(Postgres())
                pg_version = pg.version()
        for database in databases:
            for size in sizes:
                scenario = Scenario(database, size)
                scenarios.append(scenario)
                name = f"bench_{size}"
                db = pg.database(name) if database == "postgresql" else sqlite_database(workdir, name)
                try:
                    with db as db_env:
                        run_scenario(
                            scenario, db_env, workdir, args.requests, args.warmup, args.page_budget, args.explain
                        )
                        scenario.db_mb = (
                            pg.size_mb(name)
                            if database == "postgresql"
                            else sum(p.stat().st_size for p in workdir.glob(f"{name}.sqlite3*")) / 2**20
                        )
                except (RuntimeError, OSError) as exc:
                    scenario.error = str(exc)
                    log(f"[{database} {size:,}] FAILED: {exc}")
                load.append(os.getloadavg())
            if args.import_rows:
                log(f"[{database}] Excel import of {args.import_rows:,} rows")
                try:
                    imports[database] = run_import(args.import_rows, pg.url if database == "postgresql" else None)
                except (RuntimeError, OSError, ValueError) as exc:
                    imports[database] = {"available": True, "error": str(exc).strip().splitlines()[-1][:300]}
                log(f"[{database}] import: {imports[database]}")
        text = report(scenarios, imports, args_line, pg_version, load, args.nice)
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    return 1 if any(s.error for s in scenarios) else 0


if __name__ == "__main__":
    sys.exit(main())
