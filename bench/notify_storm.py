"""``python -m bench.notify_storm [--databases sqlite,postgresql] [--count 10000] ...``: a notification storm (issue 5).

Per database kind, a fresh database (``manage.py migrate``; PostgreSQL is a throw-away server like the
other benchmarks'), then for each scenario:

1. a local group robot on 127.0.0.1 (``bench.voices_webhook``) that answers as WeCom's does and counts
   each message by the unique marker in its title (with ``--fail-rate``, that share of requests is
   answered 500: not delivered);
2. real task workers, ``manage.py db_worker --interval 1`` (as ``manage.py serve`` starts them), one or
   two processes, started before the storm and left running;
3. ``python -m bench.voices_notify_data``: ``--users`` recipients whose preferences send to a WeCom robot
   (four in five) or a signed DingTalk robot (one in five), then ``--count`` notifications through
   ``notify.services.notification_send``, 100 per transaction;
4. wait until the robot has every marker (or ``--timeout``), then ``--grace`` s (3) more for late duplicates; stop the
   workers (SIGTERM) after reading their peak RSS (``VmHWM`` in /proc, and RSS sampled every 0.2 s).

Figures: delivered exactly once (per marker: zero missing, zero doubled), throughput (messages a second
from the first ``notification_send`` to the last message the robot accepted), the workers' peak memory,
the 500 answers the robot gave (each one a retry the workers had to make) and the deliveries' final
states and attempts from the database. Scenarios: ``--workers`` (default 1 and 2) with a healthy robot,
then ``--fail-workers`` workers against a robot failing ``--fail-rate`` of requests, with the retry
backoff shortened to ``--backoff`` seconds (production: 30 s doubling to an hour; set through
``bench.voices_notify_settings``, the settings every process of this benchmark uses).
Prints a Markdown report (``--results FILE`` writes it, ``--json FILE`` every figure).
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.__main__ import PYTHON, ROOT, Postgres, base_env, log, run, sqlite_database
from bench.voices_webhook import Robot

SETTINGS = "bench.voices_notify_settings"


def rss_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process in KiB, from /proc/PID/status (0, 0 once it is gone)."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


class Workers:
    """``n`` ``manage.py db_worker`` processes, their RSS sampled every 0.2 s."""

    def __init__(self, n: int, env: dict, workdir: Path) -> None:
        self.env, self.n, self.workdir = env, n, workdir
        self.procs: list[subprocess.Popen] = []
        self.samples: dict[int, list[int]] = {}
        self.peak_hwm: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "Workers":
        for i in range(self.n):
            errors = open(self.workdir / f"worker-{i}.log", "a")  # noqa: SIM115 (closed with the process)
            self.procs.append(
                subprocess.Popen(
                    [PYTHON, "manage.py", "db_worker", "--interval", "1", "--worker-id", f"bench-{i}"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=errors,
                    stderr=errors,
                    start_new_session=True,
                )  # fmt: skip
            )
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            for p in self.procs:
                rss, hwm = rss_kib(p.pid)
                if rss:
                    self.samples.setdefault(p.pid, []).append(rss)
                    self.peak_hwm[p.pid] = max(self.peak_hwm.get(p.pid, 0), hwm)
            self._stop.wait(0.2)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            _rss, hwm = rss_kib(p.pid)
            self.peak_hwm[p.pid] = max(self.peak_hwm.get(p.pid, 0), hwm)
        self._stop.set()
        self._thread.join()
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def memory(self) -> dict:
        per = [
            {"peak_rss_mb": self.peak_hwm.get(p.pid, 0) / 1024,
             "sampled_max_mb": max(self.samples.get(p.pid, [0])) / 1024,
             "first_sample_mb": (self.samples.get(p.pid) or [0])[0] / 1024}
            for p in self.procs
        ]  # fmt: skip
        return {"workers": per, "peak_rss_mb": max((w["peak_rss_mb"] for w in per), default=0.0)}


def deliveries(env: dict, markers_from: str, markers_to: str) -> dict:
    """The deliveries of this scenario's notifications, from the database: states and attempts."""
    code = (
        "import json, django; django.setup()\n"
        "from django.db.models import Count, Max, Sum\n"
        "from unionhome.notify.models import Delivery\n"
        f"qs = Delivery.objects.filter(title__gte={markers_from!r}, title__lte={markers_to!r} + '~')\n"
        "print(json.dumps({'states': dict(qs.values_list('status').annotate(n=Count('id')).order_by()),\n"
        "                  'attempts': qs.aggregate(total=Sum('attempts'), most=Max('attempts')),\n"
        "                  'channels': dict(qs.values_list('channel').annotate(n=Count('id')).order_by())}))\n"
    )
    try:
        return json.loads(run([PYTHON, "-c", code], env, capture=True).strip().splitlines()[-1])
    except (RuntimeError, ValueError, IndexError) as exc:
        return {"error": str(exc)[-300:]}


def unfinished(env: dict, lo: str, hi: str) -> int:
    """Deliveries of the scenario's notifications still queued or being sent (straight SQL, no Django)."""
    sql = "SELECT COUNT(*) FROM notify_delivery WHERE title >= {p} AND title <= {p} AND status IN ('queued', 'sending')"
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return conn.execute(sql.format(p="%s"), (lo, hi + "~")).fetchone()[0]
    import sqlite3

    with contextlib.closing(sqlite3.connect(env["UNIONHOME_SQLITE_PATH"], timeout=30)) as conn:
        return conn.execute(sql.format(p="?"), (lo, hi + "~")).fetchone()[0]


def scenario(env: dict, workdir: Path, *, workers: int, fail_rate: float, args, first: int) -> dict:
    robot = Robot(fail_rate=fail_rate, seed=first + 7)
    url = robot.start()
    out: dict = {"workers": workers, "fail_rate": fail_rate, "count": args.count}
    try:
        with Workers(workers, env, workdir) as pool:
            time.sleep(1)  # the workers are starting (the sender takes longer to start; workers poll every 1 s)
            sent_file = workdir / f"sent-{first}.json"
            started = time.time()
            run([PYTHON, "-m", "bench.voices_notify_data", "--robot", url, "--count", str(args.count),
                 "--users", str(args.users), "--first", str(first), "--out", str(sent_file)], env)  # fmt: skip
            sent = json.loads(sent_file.read_text())
            out["enqueue_seconds"] = sent["last_enqueue"] - sent["first_enqueue"]
            out["sender_process_seconds"] = time.time() - started
            deadline = time.monotonic() + args.timeout
            lo, hi = sent["markers"][0], sent["markers"][-1]
            checked = 0.0
            while robot.received() < args.count and time.monotonic() < deadline and pool.alive():
                time.sleep(0.2)
                if time.monotonic() - checked > 2:  # every delivery finished, some failed after the last attempt?
                    checked = time.monotonic()
                    if unfinished(env, lo, hi) == 0:
                        break
            out["timed_out"] = robot.received() < args.count and unfinished(env, lo, hi) > 0
            out["workers_alive"] = pool.alive()
            time.sleep(args.grace)  # late duplicates would arrive now
        out["memory"] = pool.memory()
        out["check"] = robot.summary(sent["markers"])
        out["last_receipt"] = robot.last_at
        out["seconds"] = robot.last_at - sent["first_enqueue"] if robot.last_at else 0.0
        out["per_second"] = out["check"]["distinct"] / out["seconds"] if out["seconds"] else 0.0
        out["deliveries"] = deliveries(env, sent["markers"][0], sent["markers"][-1])
    finally:
        robot.stop()
    return out


def run_database(kind: str, db_env: dict, workdir: Path, args) -> dict:
    env = {**base_env(), **db_env, "DJANGO_SETTINGS_MODULE": SETTINGS}
    if args.backoff:
        env["BENCH_NOTIFY_BACKOFF_SECONDS"] = str(args.backoff)
        env["BENCH_NOTIFY_BACKOFF_MAX_SECONDS"] = str(args.backoff * 8)
    out: dict = {"database": kind, "scenarios": []}
    log(f"[{kind}] migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    plan = [(n, 0.0) for n in args.workers] + ([(args.fail_workers, args.fail_rate)] if args.fail_rate else [])
    for i, (workers, fail_rate) in enumerate(plan):
        log(f"[{kind}] {args.count:,} notifications, {workers} worker(s), robot failing {fail_rate:.0%}")
        result = scenario(env, workdir, workers=workers, fail_rate=fail_rate, args=args, first=i * 100_000)
        out["scenarios"].append(result)
        c = result["check"]
        log(
            f"[{kind}]   {c['distinct']:,} of {c['expected']:,} delivered, missing {c['missing']}, doubled "
            f"{c['doubled']}, 500s {c['refused_500']}; {result['per_second']:.0f} msg/s over "
            f"{result['seconds']:.1f} s; worker peak RSS {result['memory']['peak_rss_mb']:.0f} MB; "
            f"deliveries {result['deliveries']}"
        )
    return out


def report(results: list[dict], args_line: str, pg_version: str | None, load: list) -> str:
    from bench.__main__ import machine

    lines = [f"Command: `{args_line}`", "", *machine(pg_version, load, 0)[:4], ""]
    lines += [
        "| database | workers | robot fails | delivered once / sent | missing | doubled | 500 answers (retries) "
        "| deliveries (states) | attempts (total / most) | seconds | msg/s | enqueue s | worker peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['database']} | failed: {r['error'][:200]} |" + " |" * 11)
            continue
        for s in r["scenarios"]:
            c, d = s["check"], s["deliveries"]
            once = c["distinct"] - c["doubled"]
            attempts = d.get("attempts") or {}
            states = ", ".join(f"{k} {v:,}" for k, v in sorted((d.get("states") or {}).items())) or d.get("error", "")
            lines.append(
                f"| {r['database']} | {s['workers']} | {s['fail_rate']:.0%} | {once:,} / {c['expected']:,} "
                f"| {c['missing']} | {c['doubled']} | {c['refused_500']:,} | {states} "
                f"| {attempts.get('total') or 0:,} / {attempts.get('most') or 0} | {s['seconds']:.1f} "
                f"| {s['per_second']:.0f} | {s['enqueue_seconds']:.1f} | {s['memory']['peak_rss_mb']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notify_storm", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--count", type=int, default=10_000, help="notifications per scenario")
    parser.add_argument("--users", type=int, default=100, help="recipients (round-robin)")
    parser.add_argument("--workers", default="1,2", help="worker processes, one healthy scenario each ('': none)")
    parser.add_argument("--fail-rate", type=float, default=0.2, help="the failure scenario's share of 500s (0: skip)")
    parser.add_argument("--fail-workers", type=int, default=2)
    parser.add_argument("--backoff", type=float, default=1.0, help="retry backoff base in seconds (0: production's)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every message")
    parser.add_argument(
        "--grace", type=float, default=3.0, help="seconds to wait after the last message for late copies"
    )
    parser.add_argument("--results", help="also write the Markdown report to this file")
    parser.add_argument("--json", help="also write every figure as JSON to this file")
    parser.add_argument("--nice", type=int, default=0)
    parser.add_argument("--sqlite-template", help="SQLite: start from a copy of this migrated database (tests)")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    args.workers = [int(x) for x in args.workers.split(",") if x]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args_line = "python -m bench.notify_storm " + " ".join(argv if argv is not None else sys.argv[1:])
    results, load, pg_version = [], [os.getloadavg()], None
    with tempfile.TemporaryDirectory(prefix="unionhome-notify-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        pg = None
        if "postgresql" in databases:
            pg = stack.enter_context(Postgres())
            pg_version = pg.version()
        for kind in databases:
            try:
                db = pg.database("notify_storm") if kind == "postgresql" else sqlite_database(workdir, "notify_storm")
                with db as db_env:
                    if kind == "sqlite" and args.sqlite_template:  # a migrated database to start from
                        shutil.copyfile(args.sqlite_template, db_env["UNIONHOME_SQLITE_PATH"])
                    results.append(run_database(kind, db_env, workdir, args))
            except (RuntimeError, OSError) as exc:
                results.append({"database": kind, "error": str(exc)[-500:]})
                log(f"[{kind}] FAILED: {exc}")
            load.append(os.getloadavg())
    text = report(results, args_line, pg_version, load)
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, default=str, indent=1), encoding="utf-8")
    failed = any("error" in r or not all(s["check"]["ok"] for s in r["scenarios"]) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
