"""Bulk row writing and the demo federation's shape, for ``satisfaction_scale`` (the benchmark-sized data).

``rows_written(table, columns, rows)`` streams tuples into a table: PostgreSQL ``COPY … FROM STDIN``
(psycopg's ``cursor.copy``), or batched ``executemany`` INSERTs elsewhere (SQLite, small data sets).
``Shape.read()`` loads what the generators need once, before any row is streamed (no query may run while a
``COPY`` holds the connection): every member's id, unit and unit path, each unit's branch and union, and
the chair of each union (the cadre answerable for the synthetic services).
"""

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

BATCH = 2000


def rows_written(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write ``rows`` (tuples in ``columns`` order) into ``table``; returns how many."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
        return written + len(batch)


def next_ids(table: str, count: int) -> int:
    """The first of ``count`` fresh ids of ``table`` (written explicitly), with PostgreSQL's sequence moved past
    them so that later inserts through the ORM do not collide."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql" and count:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
    return first


@dataclass
class Shape:
    member_ids: array = field(default_factory=lambda: array("q"))
    member_units: array = field(default_factory=lambda: array("q"))
    unit_path: dict[int, str] = field(default_factory=dict)
    branch_path: dict[int, str] = field(default_factory=dict)  # unit id -> the path of its branch (or itself)
    union_of: dict[int, int] = field(default_factory=dict)  # unit id -> its union (or the federation) id
    chair_of: dict[int, int] = field(default_factory=dict)  # union id -> the user id of its chair
    root: int = 0

    @classmethod
    def read(cls) -> "Shape":
        from unionhome.access.models import RoleAssignment
        from unionhome.org.models import Member, OrgUnit

        shape = cls()
        step = OrgUnit.steplen
        units = {pk: (path, kind) for pk, path, kind in OrgUnit.objects.values_list("pk", "path", "kind")}
        by_path = {path: (pk, kind) for pk, (path, kind) in units.items()}
        for pk, (path, _kind) in units.items():
            shape.unit_path[pk] = path
            shape.branch_path[pk] = path
            shape.union_of[pk] = pk
            found_branch = found_union = False
            for end in range(len(path), 0, -step):
                upk, ukind = by_path[path[:end]]
                if not found_branch and ukind != OrgUnit.Kind.GROUP:
                    shape.branch_path[pk], found_branch = path[:end], True
                if not found_union and ukind in (OrgUnit.Kind.UNION, OrgUnit.Kind.FEDERATION):
                    shape.union_of[pk], found_union = upk, True
        shape.root = min(units, key=lambda pk: len(units[pk][0])) if units else 0
        for pk, unit_id in Member.objects.order_by("pk").values_list("pk", "unit_id").iterator(chunk_size=20000):
            shape.member_ids.append(pk)
            shape.member_units.append(unit_id)
        chairs = RoleAssignment.objects.filter(role="chair").order_by("-pk").values_list("unit_id", "user_id")
        shape.chair_of = dict(chairs)
        return shape

    def union_chair(self, unit_id: int) -> int | None:
        return self.chair_of.get(self.union_of.get(unit_id, 0))
