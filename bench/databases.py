"""The databases a benchmark runs on: one throw-away PostgreSQL server for the whole run (``Postgres``, a
fresh database per data set, with its size and the server version), a SQLite file that is removed afterwards
(``sqlite_database``), and ``settle_postgres``, which vacuums and analyses a freshly loaded database."""

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.commands import ROOT, log


class Postgres:
    """One throw-away server for the whole run (tests/postgres.py), a fresh database per data set."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.url = ""

    def __enter__(self) -> "Postgres":
        sys.path.insert(0, str(ROOT))
        from tests.postgres import temporary_postgres

        self.url = self._stack.enter_context(temporary_postgres())
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _admin(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self._url_for("postgres"), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def _url_for(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    @contextlib.contextmanager
    def database(self, name: str) -> Iterator[dict[str, str]]:
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            # Production uses Django's connection pool on PostgreSQL (settings: UNIONHOME_DB_POOL).
            yield {"DATABASE_URL": self._url_for(name), "UNIONHOME_DB_POOL": "1"}
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def size_mb(self, name: str) -> float:
        return self._admin(f"SELECT pg_database_size('{name}')")[0][0] / 2**20

    def version(self) -> str:
        return self._admin("SHOW server_version")[0][0]


@contextlib.contextmanager
def sqlite_database(workdir: Path, name: str) -> Iterator[dict[str, str]]:
    path = workdir / f"{name}.sqlite3"
    try:
        yield {"UNIONHOME_SQLITE_PATH": str(path)}
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def settle_postgres(url: str) -> None:
    """``VACUUM (ANALYZE)`` the freshly loaded database: the state autovacuum leaves a settled database in
    (visibility map set, statistics fresh), instead of autovacuum waking up on the bulk load while pages
    are being timed."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log(f"  VACUUM (ANALYZE) in {time.monotonic() - started:.1f} s")
