"""A PostgreSQL server whose data directory is kept under ``var/bench/`` between runs.

``bench.voices_scale`` builds its federation-scale data set once (about ten minutes) and measures it
many times: the server is started on the kept data directory (``initdb`` the first time), and stopped at
the end, leaving the files. Settings as the throw-away server of ``tests/postgres.py`` (fsync off, C.UTF-8),
so figures compare with the other benchmarks. Run as root (CI, this machine) the server runs as the
``postgres`` system user, which must be able to reach the directory.
"""

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.postgres import _as_server_user, _free_port, find_binaries


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@contextlib.contextmanager
def kept_postgres(root: Path, *, shared_buffers: str = "512MB") -> Iterator[str]:
    """Start a server on ``root/data`` (made with initdb when absent); yield the URL of its server
    (database ``postgres``); stop it afterwards, keeping the files."""
    bindir = find_binaries()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found")
    root.mkdir(parents=True, exist_ok=True)
    _chown(root)
    os.chmod(root, 0o755)
    data = root / "data"
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(
            _as_server_user(
                [
                    f"{bindir}/initdb",
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),  # fmt: skip
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    if _running(bindir, data, env):  # left running by an interrupted run
        subprocess.run(_as_server_user([f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]), env=env)
    port = _free_port()
    options = (
        f"-p {port} -k {root} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        f"-c max_connections=100 -c shared_buffers={shared_buffers} -c maintenance_work_mem=512MB "
        f"-c max_wal_size=4GB"
    )
    subprocess.run(
        _as_server_user([f"{bindir}/pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )


def _running(bindir: str, data: Path, env: dict) -> bool:
    result = subprocess.run(
        _as_server_user([f"{bindir}/pg_ctl", "-D", str(data), "status"]), capture_output=True, env=env
    )
    return result.returncode == 0


def database_url(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + "/" + name


def admin(server_url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []
