"""``python -m bench.vote_storm [--databases sqlite,postgresql] [--representatives 3000] ...``: vote storms (issue 4).

Against the production server (``manage.py serve --no-worker``, gunicorn) over HTTP, on a fresh database
per database kind (``manage.py migrate``, then ``bench.vote_storm_data``: a union, a congress term with
N seated representatives who can log in, a session in progress with everyone checked in, votes ready):

1. login storm: ``--logins`` representatives log in through the real form (GET the page for the CSRF
   token, POST the password) at times spread over ``--login-seconds``; target p95 of the POST < 1 s;
2. window: every representative opens the vote page at a time spread over the window, thinks 2 to 8 s,
   sends the form: one ballot each within ``--window-seconds``;
3. burst: ``--burst-voters`` voters keep the vote page open (it is loaded first, as after the chair
   opens the vote) and poll its live fragment at the interval the page asks for, while
   ``--burst-clients`` clients send their ballots, one a second each, for ``--burst-seconds``; targets
   p95 < 300 ms, p99 < 1 s, no error, none lost, none doubled; then the chair closes the vote and the
   time until the result shows on the vote page is measured (target 2 s);
4. sustained: ballots back to back from ``--sustained`` concurrent clients (one run per level), and
   beside them the floor: the same two rows per ballot, one transaction each, written with raw sqlite3
   or psycopg (one connection, and ``--processes`` connections in parallel).

Every client has a fixed list of requests (no fixed duration). Every voting scenario ends with the check
ballots stored == ballots accepted == participations, the same voters, and the tally right (from the
ballots and in the result the close published). Prints a Markdown report (``--results FILE`` writes it).
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.__main__ import (
    PYTHON,
    Postgres,
    base_env,
    log,
    production_server,
    run,
    settle_postgres,
    sqlite_database,
)
from bench.vote_storm_clients import CSRF_FIELD, RESULT_SHOWN, Http, choice_for, own_csrf_secret, run_job
from bench.vote_storm_floor import db_state, floor
from bench.vote_storm_report import report, stats


def cpu_seconds(port: int) -> dict[str, float]:
    """CPU seconds so far, from /proc: the machine (busy and total), this server's gunicorn processes and
    the database server's processes (PostgreSQL; SQLite runs inside the server)."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    server = database = 0
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        with contextlib.suppress(OSError, IndexError, ValueError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used = int(stat[11]) + int(stat[12])
            if b"gunicorn" in cmdline and f"127.0.0.1:{port}".encode() in cmdline:
                server += used
            elif cmdline.startswith(b"postgres"):
                database += used
    return {
        "busy": (sum(fields) - idle) / tick,
        "total": sum(fields) / tick,
        "server": server / tick,
        "database": database / tick,
    }


@contextlib.contextmanager
def cpu_used(port: int, into: dict):
    """Record into ``into["cpu"]`` the cores busy on the machine, in the server and in the database while
    the block ran (the clients report their own CPU time)."""
    before = cpu_seconds(port)
    wall = time.monotonic()
    yield
    after = cpu_seconds(port)
    elapsed = time.monotonic() - wall
    into["cpu"] = {
        "seconds": elapsed,
        "cores": os.cpu_count(),
        **{f"{k}_cores": (after[k] - before[k]) / elapsed for k in ("busy", "server", "database")},
    }


def _sample_between(port: int, start: float, end: float, into: dict) -> None:
    """``cpu_used`` from wall-clock time ``start`` to ``end``."""
    time.sleep(max(0.0, start - time.time()))
    cm = cpu_used(port, into)
    cm.__enter__()
    time.sleep(max(0.0, end - time.time()))
    cm.__exit__(None, None, None)


def jobs(specs: list[dict]) -> list[dict]:
    """Run each job spec in its own process; their results, in any order."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=run_job, args=(spec, results)) for spec in specs]
    for p in procs:
        p.start()
    out = [results.get() for _ in procs]
    for p in procs:
        p.join()
    return out


def merge(results: list[dict]) -> dict:
    merged: dict = {"latencies": {}, "errors": [], "error_count": 0, "accepted": {}, "repeats": 0, "retries": 0}
    merged["lateness"], merged["first_send"], merged["last_done"], merged["client_cpu"] = [], 0.0, 0.0, 0.0
    for r in results:
        merged["client_cpu"] += r.get("cpu", 0.0)
        for kind, values in r["latencies"].items():
            merged["latencies"].setdefault(kind, []).extend(values)
        merged["errors"] += r["errors"]
        for key in ("error_count", "repeats", "retries"):
            merged[key] += r[key]
        merged["accepted"].update(r["accepted"])
        merged["lateness"] += r["lateness"]
        if r["first_send"]:
            merged["first_send"] = min(merged["first_send"] or r["first_send"], r["first_send"])
        merged["last_done"] = max(merged["last_done"], r["last_done"])
    return merged


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


class Chair:
    """The chair's browser: opens and closes votes through the vote page's forms."""

    def __init__(self, port: int, session: str, watcher: str) -> None:
        self.http, self.port = Http(port), port
        self.cookies = {"sessionid": session}
        self.watcher = {"sessionid": watcher}

    def _post(self, vote: int, action: str) -> None:
        status, _r, page, _ms = self.http.request("GET", f"/congress/votes/{vote}/", self.cookies)
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"the chair's vote page: HTTP {status}")
        body = {"csrfmiddlewaretoken": token.group(1).decode()}
        status, response, _c, _ms = self.http.request("POST", f"/congress/votes/{vote}/{action}/", self.cookies, body)
        if status != 302:
            raise RuntimeError(f"{action}: HTTP {status}")

    def open(self, vote: int) -> None:
        self._post(vote, "open")

    def close(self, vote: int, expected: int) -> dict:
        """Close, then reload the vote page as a voter until it shows the result with ``expected`` ballots."""
        started = time.perf_counter()
        self._post(vote, "close")
        closed = (time.perf_counter() - started) * 1000
        watcher = Http(self.port)
        for _ in range(400):
            status, _r, page, _ms = watcher.request("GET", f"/congress/votes/{vote}/", self.watcher)
            shown = RESULT_SHOWN.search(page)
            if status == 200 and shown is not None:
                return {
                    "close_ms": closed,
                    "result_ms": (time.perf_counter() - started) * 1000,
                    "shown": int(shown.group(1)),
                    "ok": int(shown.group(1)) == expected,
                }
            time.sleep(0.05)
        return {"close_ms": closed, "result_ms": float("inf"), "shown": -1, "ok": False}


def check(db: dict, vote: dict, accepted: dict[str, int]) -> dict:
    """Ballots stored == accepted == participations, the same voters, the tally right (ballots and result)."""
    state = db_state(db, vote["id"])
    expected = Counter(accepted.values())
    index = {option: i for i, option in enumerate(vote["options"])}
    tally = Counter(index[option] for option in state["ballot_options"])
    published = {index[o["id"]]: o["count"] for o in state["result"].get("options", [])}
    same_voters = set(state["participants"]) == set(accepted)
    result = {
        "accepted": len(accepted),
        "participations": len(state["participants"]),
        "ballots": len(state["ballot_options"]),
        "counted": state["participation_count"],
        "lost": len(set(accepted) - set(state["participants"])),
        "unexpected": len(set(state["participants"]) - set(accepted)),
        "doubled": len(state["participants"]) - len(set(state["participants"])),
        "tally": [tally.get(i, 0) for i in range(3)],
        "expected_tally": [expected.get(i, 0) for i in range(3)],
        "published_tally": [published.get(i, 0) for i in range(3)],
    }
    result["ok"] = (
        result["accepted"] == result["participations"] == result["ballots"] == result["counted"]
        and same_voters
        and result["doubled"] == 0
        and result["tally"] == result["expected_tally"] == result["published_tally"]
    )
    return result


# --- the scenarios ----------------------------------------------------------------------------------


def login_storm(port: int, data: dict, args) -> dict:
    rng = random.Random(1)
    logins = [login for login, _session in data["reps"][: args.logins]]
    start = time.time() + 2
    spread = max(args.login_seconds - 5, 1)  # the last one starts 5 s before the end: it has time to finish
    when = [(start + rng.uniform(0, spread), login) for login in logins]
    specs = [
        {"kind": "login", "port": port, "password": data["password"], "threads": 16, "logins": part}
        for part in split(when, args.processes)
    ]
    result = merge(jobs(specs))
    result["scheduled_start"] = start
    result["wanted"] = len(logins)
    return result


def window(port: int, data: dict, vote: dict, args) -> dict:
    rng = random.Random(2)
    start = time.time() + 2
    voters = []
    for i, (login, session) in enumerate(data["reps"]):
        think = rng.uniform(2, 8)
        arrive = start + rng.uniform(0, max(args.window_seconds - 8 - 3, 1))
        voters.append({"login": login, "session": session, "choice": choice_for(i), "arrive": arrive, "think": think})
    specs = [
        {"kind": "window", "port": port, "vote": vote["id"], "options": vote["options"], "threads": 16, "voters": part}
        for part in split(voters, args.processes)
    ]
    result = merge(jobs(specs))
    result["scheduled_start"] = start
    return result


def burst(port: int, data: dict, vote: dict, args, cpu: dict) -> dict:
    """Open the vote page for every voter, start their polling, then the burst of ballots."""
    reps = data["reps"][: args.burst_voters]
    voters = [{"login": login, "session": session, "choice": choice_for(i)} for i, (login, session) in enumerate(reps)]
    opened = merge(
        jobs(
            [
                {"kind": "open_pages", "port": port, "vote": vote["id"], "threads": 16, "voters": part}
                for part in split(voters, args.processes)
            ]
        )
    )
    pages = opened.pop("accepted")
    opened["opened"] = len(pages)
    for voter in voters:
        voter["cookies"], voter["token"], voter["key"] = pages.get(voter["login"], [{}, "", ""])
    ready = [v for v in voters if v["token"]]
    rng = random.Random(3)
    t0 = time.time() + 2
    burst_start = t0 + 6  # the polling has settled into its rhythm
    stop_at = burst_start + args.burst_seconds + 1
    polling = []
    if args.poll:
        for voter in ready:
            polling.append(
                {"login": voter["login"], "cookies": dict(voter["cookies"]), "first_poll": t0 + rng.uniform(0, 3)}
            )
    clients = split(ready, args.burst_clients)
    per_process = split(clients, args.processes)
    specs = [
        {
            "kind": "burst",
            "port": port,
            "vote": vote["id"],
            "options": vote["options"],
            "clients": part,
            "start": burst_start,
            "spacing": args.burst_seconds / max(len(c) for c in clients),
        }
        for part in per_process
    ]
    poll_specs = [
        {
            "kind": "poll",
            "port": port,
            "vote": vote["id"],
            "threads": 40,
            "voters": part,
            "measure_from": burst_start,
            "stop_at": stop_at,
        }
        for part in split(polling, 2)
        if part
    ]
    sampler = threading.Thread(target=_sample_between, args=(port, burst_start, stop_at, cpu), daemon=True)
    sampler.start()
    results = jobs(specs + poll_specs)
    sampler.join()
    ballots = merge([r for r in results if r["kind"] == "burst"])
    polls = merge([r for r in results if r["kind"] == "poll"])
    return {"opened": opened, "ballots": ballots, "polls": polls, "burst_start": burst_start, "stop_at": stop_at}


def sustained(port: int, data: dict, vote: dict, concurrency: int, args) -> dict:
    voters = []
    for i, (login, session) in enumerate(data["reps"]):
        secret = own_csrf_secret()
        voters.append(
            {
                "login": login,
                "choice": choice_for(i),
                "token": secret,
                "cookies": {"sessionid": session, "csrftoken": secret},
            }
        )
    clients = split(voters, concurrency)
    start = time.time() + 2
    specs = [
        {
            "kind": "sustained",
            "port": port,
            "vote": vote["id"],
            "options": vote["options"],
            "clients": part,
            "start": start,
        }
        for part in split(clients, min(args.processes, concurrency))
    ]
    result = merge(jobs(specs))
    elapsed = result["last_done"] - result["first_send"]
    result["concurrency"] = concurrency
    result["seconds"] = elapsed
    result["per_second"] = len(result["accepted"]) / elapsed if elapsed else 0.0
    return result


def run_database(kind: str, db_env: dict, db: dict, workdir: Path, args) -> dict:
    env = {**base_env(), **db_env, "UNIONHOME_STATIC_ROOT": str(workdir / "static")}
    out: dict = {"database": kind}
    log(f"[{kind}] migrate")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    data_file = workdir / f"{kind}-data.json"
    started = time.monotonic()
    run([PYTHON, "-m", "bench.vote_storm_data", "--representatives", str(args.representatives), "--votes", "8",
         "--out", str(data_file)], env)  # fmt: skip
    out["build_seconds"] = time.monotonic() - started
    data = json.loads(data_file.read_text())
    out["build_inside"] = data["build_seconds"]
    log(f"[{kind}] built {args.representatives:,} representatives in {out['build_seconds']:.1f} s")
    if kind == "postgresql":
        settle_postgres(db["url"])
    votes = data["votes"]
    with production_server(env, workdir) as port:
        chair = Chair(port, data["chair"], data["reps"][0][1])
        if "login" in args.scenarios:
            log(f"[{kind}] login storm: {args.logins:,} logins over {args.login_seconds} s")
            with cpu_used(port, cpu := {}):
                out["login"] = login_storm(port, data, args)
            out["login"].update(cpu)
            log(f"[{kind}]   {summary(out['login'], 'login POST')}")
        if "window" in args.scenarios:
            vote = votes[0]
            chair.open(vote["id"])
            log(f"[{kind}] window: {len(data['reps']):,} ballots within {args.window_seconds} s")
            with cpu_used(port, cpu := {}):
                out["window"] = window(port, data, vote, args)
            out["window"].update(cpu)
            log(f"[{kind}]   {summary(out['window'], 'ballot POST')}")
            out["window"]["close"] = chair.close(vote["id"], len(out["window"]["accepted"]))
            out["window"]["check"] = check(db, vote, out["window"]["accepted"])
            log(f"[{kind}]   close {out['window']['close']}  check {out['window']['check']}")
        if "burst" in args.scenarios:
            vote = votes[1]
            chair.open(vote["id"])
            log(f"[{kind}] burst: {args.burst_voters:,} ballots from {args.burst_clients} clients, polling={args.poll}")
            out["burst"] = burst(port, data, vote, args, cpu := {})
            out["burst"].update(cpu)
            log(f"[{kind}]   pages {summary(out['burst']['opened'], 'vote page GET')}")
            log(f"[{kind}]   ballots {summary(out['burst']['ballots'], 'ballot POST')}")
            log(f"[{kind}]   polls {summary(out['burst']['polls'], 'live poll')}")
            out["burst"]["close"] = chair.close(vote["id"], len(out["burst"]["ballots"]["accepted"]))
            out["burst"]["check"] = check(db, vote, out["burst"]["ballots"]["accepted"])
            log(f"[{kind}]   close {out['burst']['close']}  check {out['burst']['check']}")
        if "sustained" in args.scenarios:
            out["sustained"] = []
            for n, concurrency in enumerate(args.sustained):
                vote = votes[2 + n]
                chair.open(vote["id"])
                with cpu_used(port, cpu := {}):
                    result = sustained(port, data, vote, concurrency, args)
                result.update(cpu)
                result["close"] = chair.close(vote["id"], len(result["accepted"]))
                result["check"] = check(db, vote, result["accepted"])
                out["sustained"].append(result)
                log(f"[{kind}] sustained x{concurrency}: {result['per_second']:.0f} ballots/s "
                    f"{summary(result, 'ballot POST')} check ok={result['check'].get('ok')}")  # fmt: skip
    if "sustained" in args.scenarios:
        reps = _rep_ids(db)
        out["floor"] = []
        for n, connections in enumerate(sorted({1, args.processes})):
            vote = votes[6 + n]
            out["floor"].append(floor(db, vote["id"], vote["options"][0], reps, connections))
            log(f"[{kind}] floor x{connections}: {out['floor'][-1]['per_second']:.0f} ballots/s")
    return out


def _rep_ids(db: dict) -> list[int]:
    from bench.vote_storm_floor import representative_ids

    return representative_ids(db)


def summary(result: dict, kind: str) -> str:
    s = stats(result["latencies"].get(kind, []))
    if not s["n"]:
        return f"{kind}: none; errors {result['error_count']} {result['errors'][:2]}"
    span = result["last_done"] - result["first_send"]
    return (
        f"{kind}: n={s['n']} p50 {s['p50']:.0f} p95 {s['p95']:.0f} p99 {s['p99']:.0f} max {s['max']:.0f} ms; "
        f"errors {result['error_count']} {result['errors'][:2]}; retries {result['retries']}; span {span:.1f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.vote_storm", description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--representatives", type=int, default=3000)
    parser.add_argument("--logins", type=int, default=2000)
    parser.add_argument("--login-seconds", type=float, default=60)
    parser.add_argument("--window-seconds", type=float, default=60)
    parser.add_argument("--burst-voters", type=int, default=2000)
    parser.add_argument("--burst-clients", type=int, default=200)
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--no-poll", dest="poll", action="store_false", help="the burst without the live polling")
    parser.add_argument("--sustained", default="16,64", help="concurrent clients for the sustained runs")
    parser.add_argument("--processes", type=int, default=4, help="client processes per scenario")
    parser.add_argument("--scenarios", default="login,window,burst,sustained")
    parser.add_argument("--results", help="also write the Markdown report to this file")
    parser.add_argument("--json", help="also write every figure as JSON to this file")
    parser.add_argument("--nice", type=int, default=0, help="run everything at this niceness (e.g. -10, needs root)")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    args.sustained = [int(x) for x in args.sustained.split(",") if x]
    args.scenarios = {x.strip() for x in args.scenarios.split(",") if x.strip()}
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    args_line = "python -m bench.vote_storm " + " ".join(argv if argv is not None else sys.argv[1:])
    results, load, pg_version = [], [os.getloadavg()], None
    with tempfile.TemporaryDirectory(prefix="unionhome-storm-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        pg = None
        if "postgresql" in databases:
            pg = stack.enter_context(Postgres())
            pg_version = pg.version()
        for kind in databases:
            name = "vote_storm"
            try:
                if kind == "postgresql":
                    with pg.database(name) as db_env:
                        out = run_database(kind, db_env, {"kind": kind, "url": db_env["DATABASE_URL"]}, workdir, args)
                else:
                    with sqlite_database(workdir, name) as db_env:
                        db = {"kind": kind, "path": db_env["UNIONHOME_SQLITE_PATH"]}
                        out = run_database(kind, db_env, db, workdir, args)
            except (RuntimeError, OSError) as exc:
                out = {"database": kind, "error": str(exc)[:500], "build_seconds": 0.0, "build_inside": 0.0}
                log(f"[{kind}] FAILED: {exc}")
            out["burst_seconds"] = args.burst_seconds
            results.append(out)
            load.append(os.getloadavg())
    text = report(results, args_line, pg_version, load, args.nice)
    print(text)
    if args.results:
        Path(args.results).write_text(text, encoding="utf-8")
    if args.json:
        for r in results:  # the accepted lists are long and say nothing more than their counts
            for part in (r.get("window"), (r.get("burst") or {}).get("ballots"), *(r.get("sustained") or [])):
                if part:
                    part["accepted"] = len(part["accepted"])
        Path(args.json).write_text(json.dumps(results, default=str), encoding="utf-8")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
