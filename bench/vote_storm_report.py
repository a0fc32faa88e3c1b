"""The vote storm's Markdown report (``bench/vote_storm.py``): every figure of every scenario, with a
verdict per target."""

import json

from bench.__main__ import machine, percentile, server_shape

TARGETS = {"login_p95": 1000.0, "burst_p95": 300.0, "burst_p99": 1000.0, "result_ms": 2000.0}


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
    }


# --- the report -------------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    s = stats(values)
    return f"{s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f} / {s['max']:.0f} (n={s['n']:,})" if s["n"] else "–"


def _lat(result: dict, kind: str) -> list[float]:
    return result["latencies"].get(kind, [])


def _late(result: dict) -> str:
    return f"{percentile(result['lateness'], 95):.0f} ms" if result["lateness"] else "–"


def _cpu(result: dict) -> str:
    c = result.get("cpu")
    if not c:
        return ""
    parts = [result, result.get("ballots") or {}, result.get("polls") or {}]  # the burst keeps two client groups
    client = sum(p.get("client_cpu", 0.0) for p in parts) / c["seconds"] if c["seconds"] else 0.0
    database = f", database {c['database_cores']:.2f}" if c["database_cores"] >= 0.005 else ""
    return (
        f"CPU busy {c['busy_cores']:.2f} of {c['cores']} cores (server {c['server_cores']:.2f}{database}, "
        f"clients {client:.2f})"
    )


def _check(c: dict) -> str:
    return (
        f"stored {c['ballots']:,} = accepted {c['accepted']:,} = participations {c['participations']:,} = "
        f"counted {c['counted']:,}; lost {c['lost']}, doubled {c['doubled']}; tally for/against/abstain "
        f"{c['tally']} (expected {c['expected_tally']}, published {c['published_tally']}): "
        + ("**ok**" if c["ok"] else "**WRONG**")
    )


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def report_database(r: dict) -> list[str]:
    kind = r["database"]
    lines = [
        f"#### {kind}",
        "",
        f"- data set built in {r['build_seconds']:.1f} s ({r['build_inside']:.1f} s in the builder)",
    ]
    if "error" in r:
        lines.append(f"- **failed**: {r['error']}")
    if "login" in r:
        lg = r["login"]
        post = stats(_lat(lg, "login POST"))
        met = post.get("p95", 1e9) < TARGETS["login_p95"] and not lg["error_count"]
        lines += [
            f"- login storm: {len(lg['accepted']):,} of {lg['wanted']:,} logged in, errors {lg['error_count']}; the "
            f"last done {lg['last_done'] - lg['scheduled_start']:.1f} s after the first was due; started late p95 "
            f"{_late(lg)}; {_cpu(lg)}",
            f"  - login POST {_ms(_lat(lg, 'login POST'))}; login page GET {_ms(_lat(lg, 'login page GET'))}; "
            f"both {_ms(_lat(lg, 'login total'))}",
            f"  - target POST p95 < 1 s with 2,000 logins within 60 s: {_verdict(met)}",
        ]
    if "window" in r:
        w = r["window"]
        lines += [
            f"- window: {len(w['accepted']):,} ballots accepted, the last "
            f"{w['last_done'] - w['scheduled_start']:.1f} s "
            f"after the first page was due; errors {w['error_count']}, connection retries {w['retries']}, "
            f"repeats {w['repeats']}; {_cpu(w)}",
            f"  - vote page GET {_ms(_lat(w, 'vote page GET'))}; ballot POST {_ms(_lat(w, 'ballot POST'))}",
            f"  - check: {_check(w['check'])}; result shown {w['close']['result_ms']:.0f} ms after the close was sent",
        ]
    if "burst" in r:
        b = r["burst"]
        bal, polls, c, opened = b["ballots"], b["polls"], b["check"], b["opened"]
        post = stats(_lat(bal, "ballot POST"))
        span = bal["last_done"] - b["burst_start"]
        n_polls = len(_lat(polls, "live poll"))
        met = (
            post.get("p95", 1e9) < TARGETS["burst_p95"]
            and post.get("p99", 1e9) < TARGETS["burst_p99"]
            and bal["error_count"] == 0
            and c["ok"]
            and span <= r.get("burst_seconds", 10.0) + 0.5
        )
        shown = b["close"]["result_ms"]
        sample = f" {bal['errors'][:1]}" if bal["errors"] else ""
        lines += [
            f"- burst, first every voter opens the vote page: {opened['opened']:,} pages in "
            f"{opened['last_done'] - opened['first_send']:.1f} s, GET {_ms(_lat(opened, 'vote page GET'))}, "
            f"errors {opened['error_count']}",
            f"- burst: {len(bal['accepted']):,} ballots accepted, the last answered {span:.1f} s after the burst "
            f"began; "
            f"errors {bal['error_count']}{sample}, connection retries {bal['retries']}; ballots sent "
            f"late p95 {_late(bal)}; {_cpu(b)}",
            f"  - ballot POST {_ms(_lat(bal, 'ballot POST'))}",
            f"  - live polls during the burst: {n_polls:,} "
            f"({n_polls / max(b['stop_at'] - b['burst_start'], 1):.0f}/s), "
            f"{_ms(_lat(polls, 'live poll'))}, errors {polls['error_count']}; polls sent late p95 {_late(polls)}",
            f"  - check: {_check(c)}",
            f"  - verdict (p95 < 300 ms, p99 < 1 s, no error, none lost or doubled, all within the burst): "
            f"{_verdict(met)}; result shown on the vote page {shown:.0f} ms after the close was sent (the close "
            f"itself {b['close']['close_ms']:.0f} ms): {_verdict(shown < TARGETS['result_ms'])}",
        ]
    if "sustained" in r:
        best = max((s["per_second"] for s in r["sustained"]), default=0)
        floor_best = max((f["per_second"] for f in r.get("floor", [])), default=0)
        for s in r["sustained"]:
            lines.append(
                f"- sustained, {s['concurrency']} clients back to back: {len(s['accepted']):,} ballots in "
                f"{s['seconds']:.1f} s = **{s['per_second']:.0f} ballots/s**; ballot POST "
                f"{_ms(_lat(s, 'ballot POST'))}; errors {s['error_count']}; {_cpu(s)}; check "
                + ("ok" if s["check"]["ok"] else "**WRONG** " + json.dumps(s["check"]))
            )
        for f in r.get("floor", []):
            lines.append(
                f"- floor, raw {'sqlite3' if kind == 'sqlite' else 'psycopg'}, {f['connections']} connection(s): "
                f"{f['ballots']:,} ballots in {f['seconds']:.2f} s = **{f['per_second']:.0f} ballots/s** "
                f"(stored {f['stored']:,})"
            )
        if floor_best:
            lines.append(
                f"- **maximum sustained over HTTP {best:.0f} ballots/s beside the floor {floor_best:.0f} ballots/s: "
                f"{100 * best / floor_best:.1f} % of the floor**"
            )
    return [*lines, ""]


def report(results: list[dict], args_line: str, pg_version: str | None, load: list, niceness: int) -> str:
    lines = [f"Command: `{args_line}`", "", *machine(pg_version, load, niceness)[:4]]
    lines += [
        f"- server: `manage.py serve --no-worker` (gunicorn gthread, {server_shape()}), UNIONHOME_DEBUG=0, "
        "development profile (plain HTTP); PostgreSQL with Django's connection pool (UNIONHOME_DB_POOL=1)",
        "- load average (1 min) before/after each database: " + ", ".join(f"{a:.1f}" for a, _b, _c in load),
        "",
        "Latencies in ms: p50 / p95 / p99 / max (nearest rank), from sending the request to the last byte.",
        "",
    ]
    for r in results:
        lines += report_database(r)
    return "\n".join(lines)
