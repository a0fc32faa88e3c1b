"""Smoke test of ``bench.satisfaction_duckdb`` (issue 6), so that it does not rot: on a small PostgreSQL database,
each hand-written aggregate gives the same figures in DuckDB over the Parquet export, in PostgreSQL over the raw
rows and, where the endpoints read them, over the tallies the write path keeps. PostgreSQL only (the benchmark
exports with ``COPY … TO STDOUT``); skipped without duckdb (the optional ``bench`` extra). No timing asserted."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from unionhome.demo.satisfaction_scale_rows import Shape
from unionhome.demo.satisfaction_scale_surveys import surveys_built
from unionhome.satisfaction.services import rating_record

duckdb = pytest.importorskip("duckdb")
pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")


def normalised(rows) -> set:
    return {tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v for v in r)
            for r in rows}  # fmt: skip


@pytest.mark.django_db
def test_duckdb_postgresql_and_tallies_agree(union, people, tmp_path):
    from bench.satisfaction_duckdb import aggregates, duck_over, export

    rng = random.Random(3)
    members = [people["member_record"], people["other_s1"], people["s2_member"]]
    now = timezone.now()
    for i in range(60):
        member = members[i % 3]
        rating_record(service_line=("visits", "appeals", "hardship_assistance")[i % 3], item_type="test.item",
                      item_id=i, member=member, unit_path=member.unit_path, cadre_id=None, score=rng.randint(1, 5),
                      rated_at=now - datetime.timedelta(days=rng.randint(0, 600)))  # fmt: skip
    survey = surveys_built(30, 4, seed=1, shape=Shape.read())["surveys"][2]["survey"]
    conn = connection.connection  # the test's transaction: its rows are visible
    export(conn, tmp_path)
    duck = duck_over(tmp_path)
    root = union["union"].path
    today = timezone.localdate()
    found = aggregates(root, root, survey, today.year, today)
    assert len(found) == 4
    for name, (duck_sql, raw_sql, tally_sql) in found.items():
        in_duck = normalised(duck.execute(duck_sql).fetchall())
        with conn.cursor() as cursor:
            raw = normalised(cursor.execute(raw_sql).fetchall())
            tallied = normalised(cursor.execute(tally_sql).fetchall()) if tally_sql else None
        assert in_duck == raw and in_duck, name
        if tallied is not None:
            if "branches" in name:  # the tallies' query reads the union's own (whole subtree) row too
                tallied = {r for r in tallied if r[0] != root}
            assert tallied == raw, name
