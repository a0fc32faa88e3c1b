"""Which query makes a page slow: the page's SQL with its time and its plan.

``python -m bench.explain [--user demo-chair] URL...`` (with DATABASE_URL or UNIONHOME_SQLITE_PATH
pointing at a benchmark database) renders each URL in-process as the user, past the second factor,
captures every query, and prints each one with its time and plan: ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite. Queries whose main table is a session, user, grant or
audit table are listed but not explained (a list that only joins its cadres' user rows is explained).
SQLite's times are those of starting the statement: the rows are read while they are fetched, after.
"""

import argparse
import os
import re
import sys
import time

ROUTINE_TABLES = ("django_session", "accounts_user", "access_roleassignment", "otp_totp", "axes_", "audit_")


def _routine(sql: str) -> bool:
    """A query whose main table (its first FROM) is a session, user, grant or audit table."""
    found = re.search(r'\bFROM "(\w+)"', sql)
    return found is not None and found.group(1).startswith(ROUTINE_TABLES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--user", default="demo-chair")
    parser.add_argument("--all", action="store_true", help="explain routine queries too")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from unionhome.accounts.models import User

    user = User.objects.get(username=args.user)
    from tests.factories import log_in_verified

    client = log_in_verified(Client(), user)

    for url in args.urls:
        client.get(url)  # warm caches
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        total_ms = (time.perf_counter() - started) * 1000
        print(f"\n=== {url} as {args.user}: HTTP {response.status_code}, {total_ms:.1f} ms in-process, "
              f"{len(captured.captured_queries)} queries, {len(response.content) / 1024:.0f} KiB")  # fmt: skip
        for query in captured.captured_queries:
            sql = query["sql"]
            print(f"\n-- {float(query['time']) * 1000:.1f} ms: {sql[:2000]}")
            if not args.all and _routine(sql):
                continue
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                for row in cursor.fetchall():
                    print("   ", " | ".join(str(c) for c in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
