"""``python -m bench.satisfaction_duckdb``: the satisfaction index's aggregates written by hand in DuckDB over a
Parquet export of the ratings and survey answers, beside PostgreSQL's raw SQL over ``satisfaction_rating``
(no tallies) and over the tallies the application reads (issue 6's comparison).

With DATABASE_URL pointing at the benchmark database (``bench.satisfaction_scale``): the ratings
(``service_line, unit_path, cadre_id, score, rated_at``) and the answers of the surveys (joined to their
response's survey and unit) are copied out of PostgreSQL as CSV (``COPY … TO STDOUT``) and converted to Parquet
by DuckDB, into ``--dir`` (default ``var/bench/satisfaction-duckdb/``, reused when present; ``--export``
redoes it). Then each aggregate is timed warm (``--repeats`` runs after one untimed, p50/p95):

* ``federation year``: the federation's index inputs for this year and the year before, per service line: n,
  sum of scores, sum of squares (what the index, its confidence interval and Welch's comparison need);
* ``union branches``: the reference union's branches (the units just below it) this year, per line;
* ``federation lines × months``: the federation's last 12 months per line (the trend);
* ``survey results``: per question and value, the count of answers of the federation's named survey.

Months are local (Asia/Shanghai: UTC+8 all year, so DuckDB adds 8 hours; PostgreSQL uses AT TIME ZONE).
Each is run four ways where it applies: DuckDB over Parquet; PostgreSQL over the raw rows; PostgreSQL over
``RatingTally`` (the query the endpoints make). Prints a Markdown table, or one JSON line (``--json-only``).
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb
import psycopg

from bench.__main__ import ROOT, percentile

TZ = "Asia/Shanghai"
STEP = 4


def export(conn, out: Path) -> dict:
    """Copy the ratings and answers out of PostgreSQL (a psycopg connection) into ``out/*.parquet``."""
    out.mkdir(parents=True, exist_ok=True)
    seconds = {}
    queries = {
        "ratings": "SELECT service_line, unit_path, cadre_id, score, rated_at AT TIME ZONE 'UTC' AS rated_at "
        "FROM satisfaction_rating",
        "answers": "SELECT a.response_id, r.survey_id, r.unit_path, a.question_id, a.item, a.value "
        "FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id",
    }
    for name, sql in queries.items():
        started = time.monotonic()
        csv = out / f"{name}.csv"
        with csv.open("wb") as f, conn.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            for block in copy:
                f.write(block)
        duckdb.sql(f"COPY (SELECT * FROM read_csv_auto('{csv}')) TO '{out / name}.parquet' (FORMAT parquet)")
        csv.unlink()
        seconds[name] = round(time.monotonic() - started, 1)
    return seconds


def duck_over(out: Path):
    """A DuckDB connection with the views ``ratings`` and ``answers`` over the exported Parquet files."""
    duck = duckdb.connect()
    duck.execute("SET threads = 2")
    for name in ("ratings", "answers"):
        duck.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out / name}.parquet')")
    return duck


def timed(run, repeats: int, budget: float) -> dict:
    run()
    samples, began = [], time.monotonic()
    for _ in range(repeats):
        started = time.perf_counter()
        rows = run()
        samples.append((time.perf_counter() - started) * 1000)
        if len(samples) >= 3 and time.monotonic() - began > budget:
            break
    return {"p50": statistics.median(samples), "p95": percentile(samples, 95), "n": len(samples), "rows": len(rows)}


def aggregates(root: str, union: str, survey: int, year: int, today: datetime.date) -> dict:
    """name -> (DuckDB SQL, PostgreSQL raw SQL, PostgreSQL tallies SQL or None)."""
    first, last = f"{year - 1}-01-01", f"{year + 1}-01-01"
    twelve = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1).isoformat()
    end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1).isoformat()
    duck_month = "date_trunc('month', rated_at + INTERVAL 8 HOUR)::DATE"
    pg_month = f"date_trunc('month', rated_at AT TIME ZONE '{TZ}')::date"
    moments = "COUNT(*) AS n, SUM(score) AS total, SUM(score * score) AS total_sq"
    tally = "SUM(n), SUM(total), SUM(total_sq)"
    branch = f"substr(unit_path, 1, {len(union) + STEP})"

    def both(where_month: str, group: str, scope: str) -> tuple[str, str]:
        return (
            f"SELECT {group}, {moments} FROM ratings WHERE {scope} AND {where_month.format(m=duck_month)} GROUP BY ALL",
            f"SELECT {group}, {moments} FROM satisfaction_rating WHERE {scope} AND "
            f"{where_month.format(m=pg_month)} GROUP BY {group}",
        )

    year_range = f"{{m}} >= DATE '{first}' AND {{m}} < DATE '{last}'"
    months = f"{{m}} >= DATE '{twelve}' AND {{m}} < DATE '{end}'"
    fed = both(year_range, f"service_line, {duck_month} >= DATE '{year}-01-01'", f"unit_path LIKE '{root}%'")
    fed_pg = fed[1].replace(duck_month, pg_month)
    unions = both(year_range.replace(first, f"{year}-01-01"), f"{branch}, service_line", f"unit_path LIKE '{union}%'")
    trend = both(months, f"service_line, {duck_month}", f"unit_path LIKE '{root}%'")
    return {
        "federation year (this and last, per line)": (
            fed[0],
            fed_pg,
            f"SELECT service_line, month >= DATE '{year}-01-01', {tally} FROM satisfaction_ratingtally "
            f"WHERE unit_path = '{root}' AND month >= DATE '{first}' AND month < DATE '{last}' GROUP BY 1, 2",
        ),
        "union's branches this year (per line)": (
            unions[0],
            unions[1],
            f"SELECT unit_path, service_line, {tally} FROM satisfaction_ratingtally WHERE (parent_path = '{union}' "
            f"OR unit_path = '{union}') AND month >= DATE '{year}-01-01' AND month < DATE '{last}' GROUP BY 1, 2",
        ),
        "federation 12 months × lines (trend)": (
            trend[0],
            trend[1].replace(duck_month, pg_month),
            f"SELECT service_line, month, {tally} FROM satisfaction_ratingtally WHERE unit_path = '{root}' "
            f"AND month >= DATE '{twelve}' AND month < DATE '{end}' GROUP BY 1, 2",
        ),
        "survey results (per question and value)": (
            f"SELECT question_id, item, value, COUNT(*) FROM answers WHERE survey_id = {survey} GROUP BY ALL",
            f"SELECT a.question_id, a.item, a.value, COUNT(*) FROM surveys_answer a JOIN surveys_question q "
            f"ON q.id = a.question_id WHERE q.survey_id = {survey} GROUP BY 1, 2, 3",
            None,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.satisfaction_duckdb", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench" / "satisfaction-duckdb"))
    parser.add_argument("--export", action="store_true", help="export again even when the Parquet files exist")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per aggregate and engine")
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ["DATABASE_URL"]
    out = Path(args.dir)
    today = datetime.date.today()
    with psycopg.connect(url, autocommit=True) as conn:
        exported = export(conn, out) if args.export or not (out / "answers.parquet").exists() else {}
        root = conn.execute("SELECT path FROM org_orgunit WHERE depth = 1 ORDER BY path LIMIT 1").fetchone()[0]
        union = conn.execute("SELECT path FROM org_orgunit WHERE code = 'TC'").fetchone()
        union = union[0] if union else root
        survey = conn.execute(
            "SELECT s.id FROM surveys_survey s WHERE s.unit_path = %s AND NOT s.is_anonymous ORDER BY s.id LIMIT 1",
            [root],
        ).fetchone()
        survey = survey[0] if survey else 0
        duck = duck_over(out)
        results = []
        for name, (d_sql, raw_sql, tally_sql) in aggregates(root, union, survey, today.year, today).items():
            row = {"aggregate": name, "duckdb": timed(lambda s=d_sql: duck.execute(s).fetchall(), args.repeats,
                                                      args.budget)}  # fmt: skip
            row["pg_raw"] = timed(lambda s=raw_sql: conn.execute(s).fetchall(), args.repeats, args.budget)
            if tally_sql:
                row["pg_tallies"] = timed(lambda s=tally_sql: conn.execute(s).fetchall(), args.repeats, args.budget)
            results.append(row)
            if not args.json_only:
                print(name, json.dumps(row), file=sys.stderr)
    summary = {"exported_seconds": exported, "root": root, "union": union, "survey": survey, "results": results,
               "duckdb": duckdb.__version__}  # fmt: skip
    if args.json_only:
        print(json.dumps(summary))
        return 0
    print("| aggregate | DuckDB p50 / p95 ms | PostgreSQL raw rows p50 / p95 ms | PostgreSQL tallies p50 / p95 ms |")
    print("|---|---:|---:|---:|")
    for r in results:
        cells = [
            f"{r[k]['p50']:.1f} / {r[k]['p95']:.1f}" if k in r else "—" for k in ("duckdb", "pg_raw", "pg_tallies")
        ]
        print(f"| {r['aggregate']} | " + " | ".join(cells) + " |")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
