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
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Used here, and imported from ``bench.__main__`` by other bench modules: keep them importable from here.
from bench.commands import PYTHON, ROOT, base_env, free_port, log, run  # noqa: F401
from bench.databases import Postgres, settle_postgres, sqlite_database  # noqa: F401
from bench.machine import machine, server_shape  # noqa: F401
from bench.page_report import percentile, report, verdict  # noqa: F401
from bench.pages import (  # noqa: F401
    MAX_GROWTH,
    MEMBER_PAGES,
    ORG_PAGES,
    QUEUE_PAGES,
    QUEUE_TARGET_MS,
    QUEUE_VIEWERS,
    SUITES,
    TARGET_P95_MS,
    UNION_REPORT_TARGET_MS,
    Page,
    Scenario,
    Timing,
    pages_for,
)
from bench.server import production_server, time_page  # noqa: F401

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


def run_import(rows: int, database_url: str | None) -> dict:
    """bench/roster_import.py makes its own fresh database (a temporary SQLite file, or one on this server)."""
    out = run([PYTHON, "-m", "bench.import_timing", str(rows), database_url or ""], base_env(), capture=True)
    return json.loads(out.strip().splitlines()[-1])


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
