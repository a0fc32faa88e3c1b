"""The Markdown report of ``python -m bench``: nearest-rank ``percentile``, each page's ``verdict`` against
its target (and growth from the smallest size for the org pages), and ``report``, which writes the machine's
description, the latency table, build times and database sizes, and the Excel import's figures."""

import math

from bench.machine import machine
from bench.pages import MAX_GROWTH, Scenario, Timing


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


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
