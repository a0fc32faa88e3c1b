"""``python -m bench [--sizes 1000,1000000] [--databases sqlite,postgresql] [--suites org,assistance]``: page latency.

For each database and size: a fresh database, ``manage.py migrate``, ``manage.py demo --members N``
(timed), on PostgreSQL ``VACUUM (ANALYZE)`` (unless ``--no-vacuum``), sessions for the viewers
(``bench.sessions``), ``manage.py serve --no-worker`` on a free port with UNIONHOME_DEBUG=0, then
sequential HTTP requests (after a warm-up) to each page of the chosen suites, reporting p50 and p95:

* ``org`` (issue 2): the member directory, a name-prefix search, a pinyin-initials search and the org
  tree, as the union chair and the federation chair; target p95 under 50 ms and at most 2x growth from
  the smallest size;
* ``assistance`` (issue 3): the centre's cadre queue pages and the home page (its work queue) as the
  union's assistance officer and a federation-level officer and chair, the branch/year report (target
  p95 under 100 ms), the union and federation yearly reports (under 1 s), and a member's own pages
  (held to 100 ms too).

Then the 100k-row Excel import, if ``bench/roster_import.py`` exists. Prints Markdown tables;
``--results FILE`` also writes them with the machine's description. ``--existing`` times the pages
against the database the environment names (DATABASE_URL or UNIONHOME_SQLITE_PATH), after
``migrate``, without building it: for re-measuring a page after a fix.
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
ORG_PAGES = (
    ("directory", "/org/members/"),
    ("search 张", "/org/members/?q=" + urllib.parse.quote("张")),
    ("initials zs", "/org/members/?q=zs"),
    ("org tree", "/org/tree/"),
)
TARGET_P95_MS = 50.0  # org pages (issue 2)
MAX_GROWTH = 2.0  # org pages: p95 growth from the smallest size
QUEUE_TARGET_MS = 100.0  # issue 3: cadre queue pages and the branch/year report
UNION_REPORT_TARGET_MS = 1000.0  # issue 3: the union-wide yearly report
SUITES = ("org", "assistance")
# The cadre queue pages (issue 3), each opened by every queue viewer.
QUEUE_PAGES = (
    ("files awaiting review", "/assistance/files/?state=submitted"),
    ("files list", "/assistance/files/"),
    ("help awaiting approval", "/assistance/help/?show=approval"),
    ("follow-ups overdue", "/assistance/follow-ups/?state=overdue"),
    ("visits due", "/assistance/visits/?status=due"),
    ("visit calendar", "/assistance/visits/calendar/"),
    ("education aid", "/assistance/aid/"),
    ("home (work queue)", "/"),
)
QUEUE_VIEWERS = ("demo-officer", "bench-federation-officer", "bench-federation-chair")
MEMBER_PAGES = (
    ("my files", "/assistance/files/mine/"),
    ("my help", "/assistance/help/mine/"),
    ("my ratings", "/satisfaction/"),
)


@dataclass(frozen=True)
class Page:
    suite: str
    viewer: str
    label: str
    path: str
    target_ms: float
    growth_rule: bool = False  # org pages: also at most MAX_GROWTH x the smallest size's p95


def pages_for(suites: list[str], sessions: dict) -> list[Page]:
    """The pages to time, for the viewers and units that this data set has."""
    viewers, units, year = sessions["viewers"], sessions["units"], sessions["year"]
    pages: list[Page] = []
    if "org" in suites:
        for viewer in ("demo-chair", "bench-federation-chair"):
            if viewer in viewers:
                pages += [Page("org", viewer, label, path, TARGET_P95_MS, True) for label, path in ORG_PAGES]
    if "assistance" in suites:
        for viewer in QUEUE_VIEWERS:
            if viewer in viewers:
                pages += [Page("assistance", viewer, label, path, QUEUE_TARGET_MS) for label, path in QUEUE_PAGES]

        def report_url(unit: str) -> str:
            return f"/assistance/reports/?unit={units[unit]}&year={year}"

        if units.get("branch"):
            for viewer in ("demo-cadre", "demo-officer"):
                if viewer in viewers:
                    pages.append(
                        Page("assistance", viewer, "report: branch/year", report_url("branch"), QUEUE_TARGET_MS)
                    )
        if units.get("union") and "demo-officer" in viewers:
            pages.append(
                Page("assistance", "demo-officer", "report: union/year", report_url("union"), UNION_REPORT_TARGET_MS)
            )
        if units.get("root") and "bench-federation-chair" in viewers:
            pages.append(
                Page(
                    "assistance",
                    "bench-federation-chair",
                    "report: federation/year",
                    report_url("root"),
                    UNION_REPORT_TARGET_MS,
                )
            )
        if "demo-member" in viewers:
            pages += [Page("assistance", "demo-member", label, path, QUEUE_TARGET_MS) for label, path in MEMBER_PAGES]
    return pages


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
    target_ms: float = TARGET_P95_MS
    growth_rule: bool = True
    path: str = ""
    suite: str = "org"


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
    suites: list[str],
    build: bool = True,
    vacuum: bool = True,
) -> None:
    env = {**base_env(), **db_env, "UNIONHOME_STATIC_ROOT": str(workdir / "static")}
    log(f"[{scenario.database} {scenario.size:,}] migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    if build:
        log(f"[{scenario.database} {scenario.size:,}] manage.py demo --members {scenario.size}")
        started = time.monotonic()
        run([PYTHON, "manage.py", "demo", "--members", str(scenario.size), "-v0"], env)
        scenario.build_seconds = time.monotonic() - started
        log(f"[{scenario.database} {scenario.size:,}] built in {scenario.build_seconds:.1f} s")
        if vacuum and "DATABASE_URL" in db_env:
            settle_postgres(db_env["DATABASE_URL"])
    sessions = json.loads(run([PYTHON, "-m", "bench.sessions"], env, capture=True).strip().splitlines()[-1])
    viewers = sessions["viewers"]
    pages = pages_for(suites, sessions)
    with production_server(env, workdir) as port:
        for page in pages:
            info = viewers[page.viewer]
            samples, size = time_page(port, page.path, info["cookie"], requests, warmup, budget)
            timing = Timing(
                scenario.database,
                scenario.size,
                page.viewer,
                info["members_in_scope"],
                page.label,
                statistics.median(samples),
                percentile(samples, 95),
                size / 1024,
                len(samples),
                page.target_ms,
                page.growth_rule,
                page.path,
                page.suite,
            )
            scenario.timings.append(timing)
            log(
                f"[{scenario.database} {scenario.size:,}] {page.viewer:<24} {page.label:<24} "
                f"p50 {timing.p50:7.1f} ms  p95 {timing.p95:7.1f} ms  {timing.kib:6.0f} KiB  n={timing.n}"
            )
    if explain:
        slow = [t for t in scenario.timings if t.p95 > t.target_ms]
        for viewer in sorted({t.viewer for t in slow}):
            paths = [t.path for t in slow if t.viewer == viewer]
            print(run([PYTHON, "-m", "bench.explain", "--user", viewer, *paths], env, capture=True))


def settle_postgres(url: str) -> None:
    """``VACUUM (ANALYZE)`` the freshly loaded database: the state autovacuum leaves a settled database in
    (visibility map set, statistics fresh), instead of autovacuum waking up on the bulk load while pages
    are being timed."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log(f"  VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s")


def run_import(rows: int, database_url: str | None) -> dict:
    """bench/roster_import.py makes its own fresh database (a temporary SQLite file, or one on this server)."""
    out = run([PYTHON, "-m", "bench.import_timing", str(rows), database_url or ""], base_env(), capture=True)
    return json.loads(out.strip().splitlines()[-1])


# --- reporting ------------------------------------------------------------------------------------


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


def verdict(t: Timing, base: float) -> str:
    growth = t.p95 / base if base else 1.0
    met = t.p95 <= t.target_ms and (not t.growth_rule or growth <= MAX_GROWTH)
    text = "ok" if met else "MISSED"
    return f"{text} (×{growth:.1f})" if t.growth_rule else f"{text} (< {t.target_ms:.0f} ms)"


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
            out.append(
                f"| {t.database} | {t.size:,} | {t.viewer} ({t.scope:,}) | {t.page} | {t.p50:.1f} | {t.p95:.1f} "
                f"| {t.kib:.0f} | {t.n} | {verdict(t, base)} |"
            )
    built = [s for s in scenarios if s.build_seconds]
    if built:
        out += ["", "| database | members | build (manage.py demo) | database size |", "|---|---:|---:|---:|"]
    for s in built:
        out.append(f"| {s.database} | {s.size:,} | {s.build_seconds:.1f} s | {s.db_mb:.0f} MB |")
    if imports:
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
        "--suites", default=",".join(SUITES), help="comma-separated: org (issue 2 pages), assistance (issue 3 pages)"
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="PostgreSQL: time the pages right after the load, without VACUUM (ANALYZE) first",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="time the database named by DATABASE_URL or UNIONHOME_SQLITE_PATH (after migrate), building nothing; "
        "--sizes then only labels the rows",
    )
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
    suites = [x.strip() for x in args.suites.split(",") if x.strip()]
    if set(suites) - set(SUITES) or not suites:
        parser.error(f"--suites: choose from {', '.join(SUITES)}")
    if args.existing:
        return run_existing(args, sizes, suites)
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
                            scenario,
                            db_env,
                            workdir,
                            args.requests,
                            args.warmup,
                            args.page_budget,
                            args.explain,
                            suites,
                            vacuum=not args.no_vacuum,
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


def run_existing(args: argparse.Namespace, sizes: list[int], suites: list[str]) -> int:
    """Time the pages of the database the environment names, without building it."""
    if os.environ.get("DATABASE_URL"):
        database, db_env = "postgresql", {"DATABASE_URL": os.environ["DATABASE_URL"]}
        db_env["UNIONHOME_DB_POOL"] = os.environ.get("UNIONHOME_DB_POOL", "1")
    elif os.environ.get("UNIONHOME_SQLITE_PATH"):
        database, db_env = "sqlite", {"UNIONHOME_SQLITE_PATH": os.environ["UNIONHOME_SQLITE_PATH"]}
    else:
        log("--existing needs DATABASE_URL or UNIONHOME_SQLITE_PATH")
        return 2
    args_line = "python -m bench " + " ".join(sys.argv[1:])
    scenario = Scenario(database, sizes[-1] if sizes else 0)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="unionhome-bench-") as tmp:
        try:
            run_scenario(
                scenario,
                db_env,
                Path(tmp),
                args.requests,
                args.warmup,
                args.page_budget,
                args.explain,
                suites,
                build=False,
            )
        except (RuntimeError, OSError) as exc:
            scenario.error = str(exc)
            log(f"[{database}] FAILED: {exc}")
    load.append(os.getloadavg())
    text = report([scenario], {}, args_line, None, load, args.nice)
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    return 1 if scenario.error else 0


if __name__ == "__main__":
    sys.exit(main())
