"""``python -m bench.voices_scale [--members 1000000] [--appeals 2000000] ...``: the handler queue and the alert
dashboard at federation scale (issue 5).

Data (built once and kept: reruns measure the same database):

* PostgreSQL (the default, the target database): a server on the data directory ``var/bench/voices-pg/``
  (``bench.voices_pg``; ``initdb`` the first time), database ``voices_scale``: ``manage.py migrate``, then
  ``manage.py demo --members N`` (the federation of unions shaped like the reference union, with the
  Hardship Assistance Centre's data), then ``bench.voices_scale_data`` (the appeals over two years with
  their ``AppealCount``/``TopicCount`` rollups and some alerts; shares in its module doc) and
  ``VACUUM (ANALYZE)``. ``demo.json`` and ``appeals.json`` beside the data directory record what was
  built; a rerun with the same ``--members``/``--appeals``/``--seed`` builds nothing (``--rebuild``
  starts again). ``manage.py migrate`` runs every time (new migrations apply to the kept database).
* SQLite (``--database sqlite``, for the smoke test and comparison): the same into ``--sqlite-path``.

Then ``bench.voices_scale_viewers`` signs in the viewers (a department handler, a branch chair, the
union chair, the federation chair; cookie and API token each), ``manage.py serve --no-worker`` starts on a
free port (never 8000) with UNIONHOME_DEBUG=0, and sequential GETs on one keep-alive connection time:

* the handler queue ``/voices/queue/`` as each viewer: the first page, and a deep page reached by
  following the page's own "next" link ``--deep`` times (keyset paging); as the chairs also the queue
  filtered to overdue appeals (first page) and to every status, the history (first and deep page);
* the alert dashboard ``/voices/signals/`` as the branch, union and federation chairs;
* the API's equivalents: every GET operation under ``/api/v1/voices/`` whose path names the queue or the
  signals and takes no path parameter (found in ``/api/v1/openapi.json``), with the bearer token; the
  deep page through the cursor the answer gives.

A page that answers 404 (not written yet) is reported as not available. Target: p95 < 100 ms on
PostgreSQL. ``--explain`` prints the plans (``bench.explain``: ``EXPLAIN (ANALYZE, BUFFERS)``) of the
pages over the target, or of every page with ``--explain-all``. Prints a Markdown report
(``--results FILE``; ``--json FILE`` every figure).
"""

import argparse
import contextlib
import html
import http.client
import json
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.__main__ import PYTHON, ROOT, base_env, log, machine, percentile, production_server, run, settle_postgres

TARGET_MS = 100.0
DB_NAME = "voices_scale"
QUEUE = "/voices/queue/"
SIGNALS = "/voices/signals/"
QUEUE_VIEWERS = ("bench-dept-handler", "bench-branch-chair", "demo-chair", "bench-federation-chair")
# The queue as it opens (open appeals), overdue only, and every status (the history); chairs see all three.
QUEUE_PAGES = (
    ("queue", QUEUE),
    ("queue, overdue only", QUEUE + "?overdue=on"),
    ("queue, all statuses", QUEUE + "?status=all"),
)
SIGNAL_VIEWERS = ("bench-branch-chair", "demo-chair", "bench-federation-chair")
NEXT_LINK = re.compile(r'href="([^"]*(?:[?&]|&amp;)(?:cursor|after)=[^"]*)"')


@dataclass
class Timing:
    viewer: str
    label: str
    path: str
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    kib: float = 0.0
    n: int = 0
    status: str = "ok"  # ok, or why it was not timed


# --- the data ---------------------------------------------------------------------------------------


def _marker(path: Path) -> dict:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    return {}


def build(env: dict, markers: Path, args, *, reset_db) -> dict:
    """Build what the markers do not already record; returns what was built (and how long it took)."""
    built: dict = {}
    demo_file, appeals_file = markers / "demo.json", markers / "appeals.json"
    demo = _marker(demo_file)
    if args.rebuild or (demo and demo.get("members") != args.members):
        reset_db()
        appeals_file.unlink(missing_ok=True)
        demo_file.unlink(missing_ok=True)
    log("migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    if not demo_file.exists():
        log(f"manage.py demo --members {args.members}")
        started = time.monotonic()
        run([PYTHON, "manage.py", "demo", "--members", str(args.members), "-v0"], env)
        demo = {"members": args.members, "seed": 2026, "seconds": round(time.monotonic() - started, 1)}
        demo_file.write_text(json.dumps(demo))
        log(f"  built in {demo['seconds']} s")
    built["demo"] = _marker(demo_file)
    appeals = _marker(appeals_file)
    if appeals.get("appeals") != args.appeals or appeals.get("seed") != args.seed:
        log(f"bench.voices_scale_data --appeals {args.appeals}")
        _clear_appeals(env)
        out = markers / "appeals.tmp.json"
        started = time.monotonic()
        run([PYTHON, "-m", "bench.voices_scale_data", "--appeals", str(args.appeals), "--seed", str(args.seed),
             "--out", str(out)], env)  # fmt: skip
        result = json.loads(out.read_text())
        result["process_seconds"] = round(time.monotonic() - started, 1)
        if "DATABASE_URL" in env:
            started = time.monotonic()
            settle_postgres(env["DATABASE_URL"])
            result["vacuum_seconds"] = round(time.monotonic() - started, 1)
        appeals_file.write_text(json.dumps(result))
        out.unlink(missing_ok=True)
        log(f"  {result}")
    built["appeals"] = _marker(appeals_file)
    return built


def _clear_appeals(env: dict) -> None:
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from unionhome.voices.models import Appeal, AppealCount, AppealVolume, TopicCount, TopicVolume, SignalAlert\n"
        "if connection.vendor == 'postgresql':\n"
        "    with connection.cursor() as c: c.execute('TRUNCATE voices_appeal, voices_appealcount, "
        "voices_topiccount, voices_appealvolume, voices_topicvolume, voices_signalalert CASCADE')\n"
        "else:\n"
        "    for m in (SignalAlert, TopicVolume, AppealVolume, TopicCount, AppealCount, Appeal):\n"
        "        m.objects.all().delete()\n"
    )
    run([PYTHON, "-c", code], env)


# --- the client -------------------------------------------------------------------------------------


def get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def time_get(port: int, path: str, headers: dict, requests: int, warmup: int, budget: float) -> tuple[list, int]:
    """Sequential GETs on one keep-alive connection; ms from sending to the last byte (after a warm-up)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    samples: list[float] = []
    size = 0
    began = time.monotonic()
    for i in range(warmup + requests):
        if i < warmup and time.monotonic() - began > budget / 6:
            continue
        if len(samples) >= 10 and time.monotonic() - began > budget:
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
            raise RuntimeError(f"GET {path}: HTTP {response.status}")
        if i >= warmup:
            samples.append(elapsed)
        size = len(body)
    conn.close()
    return samples, size


def page_headers(cookie: str) -> dict:
    return {"Cookie": cookie, "Accept-Language": "zh-hans", "Accept-Encoding": "identity"}


def api_headers(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json", "Accept-Encoding": "identity"}


def deep_page(port: int, path: str, headers: dict, hops: int) -> tuple[str | None, int]:
    """Follow the page's "next" link ``hops`` times: (the URL reached, hops made); None without paging."""
    current, made = path, 0
    for _ in range(hops):
        status, body = get(port, current, headers)
        if status != 200:
            break
        links = [html.unescape(h) for h in NEXT_LINK.findall(body.decode("utf-8", "replace"))]
        forward = [h for h in links if "before" not in h and "prev" not in h]
        if not forward:
            break
        current = urllib.parse.urljoin(current, forward[-1])
        made += 1
    return (current, made) if made else (None, 0)


def deep_api(port: int, path: str, headers: dict, hops: int, cursor_param: str | None) -> tuple[str | None, int]:
    """The API's deep page: follow the answer's next cursor ``hops`` times."""
    if not cursor_param:
        return None, 0
    current, made = path, 0
    for _ in range(hops):
        status, body = get(port, current, headers)
        if status != 200:
            break
        try:
            data = json.loads(body)
        except ValueError:
            break
        cursor = (
            next((v for k, v in data.items() if "next" in k and isinstance(v, str) and v), None)
            if isinstance(data, dict)
            else None
        )
        if not cursor:
            break
        sep = "&" if "?" in path else "?"
        current = f"{path}{sep}{cursor_param}={urllib.parse.quote(cursor)}"
        made += 1
    return (current, made) if made else (None, 0)


def api_operations(port: int, token: str) -> list[tuple[str, str | None]]:
    """(path, cursor parameter) of the GET operations under /api/v1/voices/ about the queue or signals."""
    status, body = get(port, "/api/v1/openapi.json", api_headers(token))
    if status != 200:
        return []
    found = []
    for path, operations in json.loads(body).get("paths", {}).items():
        get_op = operations.get("get")
        if not get_op or "{" in path or not path.startswith("/api/v1/voices/"):
            continue
        if "anonymous" in path or not any(word in path for word in ("queue", "signal")):
            continue
        names = {p.get("name") for p in get_op.get("parameters", []) if p.get("in") == "query"}
        found.append((path, next((n for n in ("cursor", "after") if n in names), None)))
    return found


# --- measuring ----------------------------------------------------------------------------------------


def measure(port: int, viewers: dict, args) -> list[Timing]:
    timings: list[Timing] = []

    def timed(viewer: str, label: str, path: str | None, headers: dict, why: str = "") -> None:
        t = Timing(viewer, label, path or "")
        if path is None:
            t.status = why
        else:
            status, _body = get(port, path, headers)
            if status != 200:
                t.status = f"HTTP {status}" + (" (not written yet?)" if status == 404 else "")
            else:
                samples, size = time_get(port, path, headers, args.requests, args.warmup, args.page_budget)
                t.p50, t.p95, t.p99 = statistics.median(samples), percentile(samples, 95), percentile(samples, 99)
                t.kib, t.n = size / 1024, len(samples)
        timings.append(t)
        shown = f"p50 {t.p50:6.1f}  p95 {t.p95:6.1f}  p99 {t.p99:6.1f} ms  {t.kib:5.0f} KiB  n={t.n}"
        log(f"  {viewer:<24} {label:<28} {shown if t.status == 'ok' else t.status}")

    for viewer in QUEUE_VIEWERS:
        h = page_headers(viewers[viewer]["cookie"])
        for label, path in QUEUE_PAGES if viewer != "bench-dept-handler" else QUEUE_PAGES[:1]:
            timed(viewer, f"{label}: first page", path, h)
            deep, hops = deep_page(port, path, h, args.deep) if timings[-1].status == "ok" else (None, 0)
            if label != "queue, overdue only":
                timed(viewer, f"{label}: page {hops + 1} (keyset)", deep, h, "no next page")
    for viewer in SIGNAL_VIEWERS:
        timed(viewer, "alert dashboard", SIGNALS, page_headers(viewers[viewer]["cookie"]))
    operations = api_operations(port, viewers[QUEUE_VIEWERS[-1]]["token"])
    if not operations:
        log("  no API operation for the queue or the signals under /api/v1/voices/ yet")
    for path, cursor_param in operations:
        for viewer in QUEUE_VIEWERS if "queue" in path else SIGNAL_VIEWERS:
            h = api_headers(viewers[viewer]["token"])
            timed(viewer, f"API {path}", path, h)
            if "queue" in path and timings[-1].status == "ok":
                deep, hops = deep_api(port, path, h, args.deep, cursor_param)
                timed(viewer, f"API {path} page {hops + 1}", deep, h, "no next cursor")
    return timings


def explain(env: dict, timings: list[Timing], everything: bool) -> str:
    chosen = [t for t in timings if t.status == "ok" and (everything or t.p95 > TARGET_MS) and "API" not in t.label]
    out = []
    for viewer in dict.fromkeys(t.viewer for t in chosen):
        paths = [t.path for t in chosen if t.viewer == viewer]
        out.append(run([PYTHON, "-m", "bench.explain", "--user", viewer, *paths], env, capture=True))
    return "\n".join(out)


# --- the report -------------------------------------------------------------------------------------


def report(args_line: str, built: dict, viewers: dict, timings: list[Timing], database: str, pg: str | None,
           load: list) -> str:  # fmt: skip
    lines = [f"Command: `{args_line}`", "", *machine(pg, load, args_nice()), ""]
    demo, appeals = built.get("demo", {}), built.get("appeals", {})
    lines.append(
        f"Data ({database}): {demo.get('members', 0):,} members (`manage.py demo`, {demo.get('seconds', '?')} s), "
        f"{appeals.get('appeals', 0):,} appeals ({appeals.get('appeals_seconds', '?')} s written, "
        f"{appeals.get('seconds', '?')} s with rollups), {appeals.get('appeal_counts', 0):,} AppealCount, "
        f"{appeals.get('topic_counts', 0):,} TopicCount, {appeals.get('appeal_volumes', 0):,} AppealVolume, "
        f"{appeals.get('topic_volumes', 0):,} TopicVolume, {appeals.get('alerts', 0):,} alerts; built "
        f"{appeals.get('built_at', '?')[:16]}."
    )
    lines += ["", "| viewer (appeals in scope / open / escalated to its unit) | page | p50 ms | p95 ms | p99 ms | KiB "
              "| n | target p95 < 100 ms |", "|---|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for t in timings:
        v = viewers.get(t.viewer, {})
        who = f"{t.viewer} ({v.get('appeals_in_scope', 0):,} / {v.get('open_in_scope', 0):,} / " \
              f"{v.get('escalated_to_unit', 0):,})"  # fmt: skip
        if t.status != "ok":
            lines.append(f"| {who} | {t.label} | | | | | | not timed: {t.status} |")
            continue
        verdict = "met" if t.p95 < TARGET_MS else "**MISSED**"
        lines.append(
            f"| {who} | {t.label} | {t.p50:.1f} | {t.p95:.1f} | {t.p99:.1f} | {t.kib:.0f} | {t.n} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


_NICE = [0]


def args_nice() -> int:
    return _NICE[0]


# --- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.voices_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--appeals", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--pg-dir", default=str(ROOT / "var" / "bench" / "voices-pg"), help="kept data directory")
    parser.add_argument("--sqlite-path", default=str(ROOT / "var" / "bench" / "voices-scale.sqlite3"))
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if it is kept")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the data, measure nothing")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--page-budget", type=float, default=60.0, help="seconds per page before stopping early")
    parser.add_argument("--deep", type=int, default=20, help="next links followed for the deep page")
    parser.add_argument("--explain", action="store_true", help="plans of the pages over the target")
    parser.add_argument("--explain-all", action="store_true", help="plans of every page")
    parser.add_argument("--results")
    parser.add_argument("--json")
    parser.add_argument("--nice", type=int, default=0)
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
        _NICE[0] = args.nice
    args_line = "python -m bench.voices_scale " + " ".join(argv if argv is not None else sys.argv[1:])
    load = [os.getloadavg()]
    pg_version = None
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="unionhome-voices-")))
        if args.database == "postgresql":
            from bench.voices_pg import admin, database_url, kept_postgres

            markers = Path(args.pg_dir)
            server = stack.enter_context(kept_postgres(markers))
            pg_version = admin(server, "SHOW server_version")[0][0]

            def reset_db() -> None:
                admin(server, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
                admin(server, f'CREATE DATABASE "{DB_NAME}"')

            if not admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):
                reset_db()
            db_env = {"DATABASE_URL": database_url(server, DB_NAME), "UNIONHOME_DB_POOL": "1"}
        else:
            sqlite = Path(args.sqlite_path)
            sqlite.parent.mkdir(parents=True, exist_ok=True)
            markers = sqlite.parent / (sqlite.name + ".built")
            markers.mkdir(exist_ok=True)

            def reset_db() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{sqlite}{suffix}").unlink(missing_ok=True)

            db_env = {"UNIONHOME_SQLITE_PATH": str(sqlite)}
        env = {**base_env(), **db_env, "UNIONHOME_STATIC_ROOT": str(workdir / "static")}
        built = build(env, markers, args, reset_db=reset_db)
        load.append(os.getloadavg())
        if args.build_only:
            print(json.dumps(built))
            return 0
        viewers = json.loads(
            run([PYTHON, "-m", "bench.voices_scale_viewers"], env, capture=True).strip().splitlines()[-1]
        )["viewers"]
        with production_server(env, workdir) as port:
            timings = measure(port, viewers, args)
        load.append(os.getloadavg())
        plans = explain(env, timings, args.explain_all) if (args.explain or args.explain_all) else ""
    text = report(args_line, built, viewers, timings, args.database, pg_version, load)
    print(text)
    if plans:
        print(plans)
    if args.results:
        Path(args.results).write_text(text + ("\n" + plans if plans else ""), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "built": built,
                    "viewers": {
                        name: {k: v for k, v in info.items() if k not in ("cookie", "token")}
                        for name, info in viewers.items()
                    },
                    "timings": [asdict(t) for t in timings],
                },
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
