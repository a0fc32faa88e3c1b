"""Exact running totals kept beside the rows they count (appeal volumes, satisfaction moments…).

``tallies_added(model, key, rows, summed)`` adds each row's ``summed`` fields to the row of ``model`` with
the same ``key``, creating it when missing, in one ``INSERT … ON CONFLICT (key) DO UPDATE SET f = f +
excluded.f`` on both databases: race-safe without a read first (a concurrent insert of the same key
becomes the update) and exact, since nothing is read back and recomputed. ``key`` must be the fields of a
unique constraint of ``model``. The rows are sorted by key, so two transactions lock them in the same
order and never wait on each other crosswise (no deadlock on PostgreSQL); on SQLite the IMMEDIATE
transaction lets one writer in at a time. Negative amounts subtract (an edited rating).
"""

from django.db import connection


def tallies_added(model, key: tuple[str, ...], rows: list[dict], summed: tuple[str, ...] = ("count",)) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    rows = sorted(rows, key=lambda row: tuple(str(row[name]) for name in key))
    fields = [model._meta.get_field(name) for name in rows[0]]
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in key)
    sums = ", ".join(
        f"{quote(column)} = {table}.{quote(column)} + EXCLUDED.{quote(column)}"
        for column in (model._meta.get_field(name).column for name in summed)
    )
    params = [f.get_db_prep_save(row[f.name], connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {sums}", params
        )
