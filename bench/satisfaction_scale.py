"""``python -m bench.satisfaction_scale [--explain] [--cold] [--duckdb]``: the satisfaction index and its dashboard
at federation scale (issue 6), on the kept PostgreSQL of ``bench.voices_scale``.

Data: the kept database ``voices_scale`` in ``var/bench/voices-pg/`` (1M members, 2M appeals; built by
``python -m bench.voices_scale --build-only``), ``manage.py migrate``, then once (marker ``satisfaction.json``
beside the data directory; ``--rebuild-satisfaction`` is not offered: the ratings are added, not replaced)
``manage.py demo --satisfaction-only --ratings 5000000 --responses 1000000`` (``unionhome/demo/
satisfaction_scale.py``: what is real and what is synthetic is in its module doc).

Viewers (``bench.voices_scale_viewers``): the federation chair, a union chair (demo-chair, 技术中心工会), a
branch chair (第一检验站分工会), signed in with a cookie and an API token. ``manage.py serve --no-worker`` on a
free port (never 8000), UNIONHOME_DEBUG=0; sequential GETs on one keep-alive connection after a warm-up:
p50/p95/p99. Per viewer and period (this month, last quarter, this year): ``/api/v1/satisfaction/index``,
``/index/units``, ``/index/cadres``, ``/index/comments`` and the page ``/satisfaction/index/``; per viewer
``/index/trend`` (12 months, 8 quarters, 2 years) and ``/alerts``; as the federation chair and the union chair
the results of their survey (``/api/v1/satisfaction/surveys/manage/{id}/results``) when it answers.

``--cold``: for each of the federation chair's figures of this year, its trends and its surveys, PostgreSQL
is stopped, the OS page cache dropped (``/proc/sys/vm/drop_caches``, as root), PostgreSQL and a fresh server
started, and the first request timed (then a second one). ``--duckdb``: ``bench.satisfaction_duckdb`` (the same
aggregates by hand over a Parquet export). Targets: p95 < 300 ms warm, < 1 s cold. ``--explain`` prints the
plans of the pages that miss (``bench.explain`` signs in with a session, so not the API's).
"""

import argparse
import contextlib
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.__main__ import PYTHON, ROOT, base_env, log, machine, percentile, production_server, run
from bench.voices_scale import Timing, api_headers, get, page_headers, time_get

TARGET_MS, COLD_TARGET_MS = 300.0, 1000.0
SLOW_MS = 3000.0  # a first answer slower than this is timed three times only
DB_NAME = "voices_scale"
VIEWERS = ("bench-federation-chair", "demo-chair", "bench-branch-chair")
API = "/api/v1/satisfaction"


def periods(today: datetime.date) -> list[str]:
    quarter = (today.month - 1) // 3
    last_q = f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"
    return [f"{today:%Y-%m}", last_q, str(today.year)]


def targets(today: datetime.date, surveys: dict) -> list[tuple[str, str, str, bool]]:
    """(viewer, label, path, is_api) of everything timed."""
    out = []
    for viewer in VIEWERS:
        for p in periods(today):
            for what in ("index", "index/units", "index/cadres", "index/comments"):
                out.append((viewer, f"API {what} {p}", f"{API}/{what}?period={p}", True))
            out.append((viewer, f"page {p}", f"/satisfaction/index/?period={p}", False))
        for kind, n in (("month", 12), ("quarter", 8), ("year", 2)):
            out.append((viewer, f"API index/trend {n} {kind}s", f"{API}/index/trend?kind={kind}&periods={n}", True))
        out.append((viewer, "API alerts", f"{API}/alerts", True))
        for survey in surveys.get(viewer, []):
            base = f"{API}/surveys/manage/{survey['survey']}/results"
            who = f"{survey['responses']:,} responses{', anonymous' if survey['anonymous'] else ''}"
            out.append((viewer, f"API survey results ({who})", base, True))
            out.append((viewer, f"API survey breakdown ({who})", base + "/breakdown", True))
    return out


def measure(port: int, viewers: dict, chosen: list, args) -> list[Timing]:
    timings = []
    for viewer, label, path, is_api in chosen:
        v = viewers[viewer]
        headers = api_headers(v["token"]) if is_api else page_headers(v["cookie"])
        t = Timing(viewer, label, path)
        started = time.perf_counter()
        status, body = get(port, path, headers)
        first = (time.perf_counter() - started) * 1000
        if status != 200:
            t.status = f"HTTP {status}" + (" (not written yet?)" if status == 404 else "")
        else:
            if first > SLOW_MS:  # seconds per request: three samples (this one and two more) say enough
                samples, size = [first], len(body)
                for _ in range(2):
                    started = time.perf_counter()
                    get(port, path, headers)
                    samples.append((time.perf_counter() - started) * 1000)
            else:
                samples, size = time_get(port, path, headers, args.requests, args.warmup, args.page_budget)
            t.p50, t.p95, t.p99 = statistics.median(samples), percentile(samples, 95), percentile(samples, 99)
            t.kib, t.n = size / 1024, len(samples)
        timings.append(t)
        shown = f"p50 {t.p50:7.1f}  p95 {t.p95:7.1f}  p99 {t.p99:7.1f} ms  {t.kib:5.0f} KiB  n={t.n}"
        log(f"  {viewer:<24} {label:<44} {shown if t.status == 'ok' else t.status}")
    return timings


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def cold(env_of, viewers: dict, chosen: list, workdir: Path) -> list[dict]:
    """Each target's first request after restarting PostgreSQL (and dropping the page cache) and the server."""
    out = []
    for viewer, label, path, is_api in chosen:
        with env_of() as (env, dropped):
            v = viewers[viewer]
            headers = api_headers(v["token"]) if is_api else page_headers(v["cookie"])
            with production_server(env, workdir) as port:
                get(port, "/accounts/login/", {})  # the server is up: this request touches no satisfaction data
                started = time.perf_counter()
                status, body = get(port, path, headers)
                ms = (time.perf_counter() - started) * 1000
                second_started = time.perf_counter()
                get(port, path, headers)
                second = (time.perf_counter() - second_started) * 1000
        out.append({"viewer": viewer, "label": label, "path": path, "status": status, "ms": ms, "second_ms": second,
                    "kib": len(body) / 1024, "page_cache_dropped": dropped})  # fmt: skip
        log(f"  cold {viewer:<24} {label:<44} HTTP {status} {ms:8.1f} ms (then {second:.1f} ms)")
    return out


def build(env: dict, markers: Path, args) -> dict:
    log("migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    marker = markers / "satisfaction.json"
    if not marker.exists():
        log(f"manage.py demo --satisfaction-only --ratings {args.ratings} --responses {args.responses}")
        started = time.monotonic()
        code = (
            "import django, json, sys; django.setup()\n"
            "from unionhome.demo.satisfaction_scale import satisfaction_scale_build\n"
            f"r = satisfaction_scale_build(ratings={args.ratings}, responses={args.responses}, seed={args.seed}, "
            "progress=lambda t: print(t, file=sys.stderr, flush=True))\n"
            "print(json.dumps(r, default=str))\n"
        )
        result = json.loads(run([PYTHON, "-c", code], env, capture=True).strip().splitlines()[-1])
        result["process_seconds"] = round(time.monotonic() - started, 1)
        marker.write_text(json.dumps(result))
    return json.loads(marker.read_text())


def surveys_of(built: dict) -> dict:
    """The surveys each viewer runs: the federation's two for its chair, the reference union's for demo-chair."""
    found = built.get("surveys", {}).get("surveys", [])
    return {"bench-federation-chair": [s for s in found if "技术中心" not in s["title"] and "检验站" not in s["title"]],
            "demo-chair": [s for s in found if "技术中心" in s["title"]]}  # fmt: skip


def report(built: dict, timings: list[Timing], colds: list[dict], pg: str, load: list, nice: int) -> str:
    lines = [*machine(pg, load, nice), ""]
    written = built.get("rating_sources", {}).get("written", {})
    lines.append(f"Data: ratings added {json.dumps(written)} in {built.get('ratings_seconds')} s; tallies "
                 f"{json.dumps(built.get('tallies'))} in {built.get('tallies_seconds')} s; surveys "
                 f"{built.get('surveys', {}).get('responses', 0):,} responses, "
                 f"{built.get('surveys', {}).get('answers', 0):,} answers in "
                 f"{built.get('surveys_seconds')} s.")  # fmt: skip
    lines += ["", "| viewer | what | p50 ms | p95 ms | p99 ms | KiB | n | p95 < 300 ms |",
              "|---|---|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for t in timings:
        if t.status != "ok":
            lines.append(f"| {t.viewer} | {t.label} | | | | | | not timed: {t.status} |")
            continue
        verdict = "met" if t.p95 < TARGET_MS else "**MISSED**"
        lines.append(f"| {t.viewer} | {t.label} | {t.p50:.1f} | {t.p95:.1f} | {t.p99:.1f} | {t.kib:.0f} | {t.n} "
                     f"| {verdict} |")  # fmt: skip
    if colds:
        lines += ["", "| cold: viewer | what | first request ms | second ms | < 1 s |", "|---|---|---:|---:|---|"]
        for c in colds:
            verdict = "met" if c["ms"] < COLD_TARGET_MS and c["status"] == 200 else "**MISSED**"
            lines.append(f"| {c['viewer']} | {c['label']} | {c['ms']:.1f} | {c['second_ms']:.1f} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.satisfaction_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--pg-dir", default=str(ROOT / "var" / "bench" / "voices-pg"))
    parser.add_argument("--ratings", type=int, default=5_000_000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--page-budget", type=float, default=20.0)
    parser.add_argument("--only", help="time only the targets whose label contains this")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--cold-viewer", action="append", help="whose figures are timed cold (default: the first)")
    parser.add_argument("--cold-only", action="store_true", help="no warm timings")
    parser.add_argument("--duckdb", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--results")
    parser.add_argument("--json")
    parser.add_argument("--nice", type=int, default=0)
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    from bench.voices_pg import admin, database_url, kept_postgres

    markers = Path(args.pg_dir)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="unionhome-satisfaction-") as tmp:
        workdir = Path(tmp)
        static = {"UNIONHOME_STATIC_ROOT": str(workdir / "static"), "UNIONHOME_DB_POOL": "1"}
        with kept_postgres(markers) as server:
            pg = admin(server, "SHOW server_version")[0][0]
            env = {**base_env(), "DATABASE_URL": database_url(server, DB_NAME), **static}
            built = build(env, markers, args)
            if args.build_only:
                print(json.dumps(built))
                return 0
            viewers = json.loads(
                run([PYTHON, "-m", "bench.voices_scale_viewers"], env, capture=True).strip().splitlines()[-1]
            )["viewers"]
            chosen = [
                t for t in targets(datetime.date.today(), surveys_of(built)) if not args.only or args.only in t[1]
            ]
            timings = []
            if not args.cold_only:
                with production_server(env, workdir) as port:
                    timings = measure(port, viewers, chosen, args)
            load.append(os.getloadavg())
            plans = ""
            if args.explain:
                # bench.explain signs in with a session: the pages only (the API wants a bearer token)
                slow = [t for t in timings if t.status == "ok" and t.p95 >= TARGET_MS and "API" not in t.label]
                for viewer in dict.fromkeys(t.viewer for t in slow):
                    paths = [t.path for t in slow if t.viewer == viewer]
                    plans += run([PYTHON, "-m", "bench.explain", "--user", viewer, *paths], env, capture=True)
            duck = {}
            if args.duckdb:
                duck = json.loads(run([PYTHON, "-m", "bench.satisfaction_duckdb", "--json-only"], env,
                                      capture=True).strip().splitlines()[-1])  # fmt: skip
        colds = []
        if args.cold:
            year = str(datetime.date.today().year)
            cold_viewers = args.cold_viewer or [VIEWERS[0]]
            cold_targets = [t for t in chosen if t[0] in cold_viewers and (t[1].endswith(f" {year}") or "trend" in t[1]
                                                                           or "survey" in t[1])]  # fmt: skip

            @contextlib.contextmanager
            def env_of():
                dropped = drop_caches()
                with kept_postgres(markers) as server:
                    yield {**base_env(), "DATABASE_URL": database_url(server, DB_NAME), **static}, dropped

            colds = cold(env_of, viewers, cold_targets, workdir)
    load.append(os.getloadavg())
    text = report(built, timings, colds, pg, load, args.nice)
    print(text + (("\n" + plans) if plans else ""))
    if args.results:
        Path(args.results).write_text(text + ("\n" + plans if plans else ""), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"built": built, "timings": [asdict(t) for t in timings],
                                               "cold": colds, "duckdb": duck}, default=str))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
