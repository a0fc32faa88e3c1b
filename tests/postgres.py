"""A throw-away PostgreSQL server for the test run: initdb + pg_ctl in a temporary directory.

Run as root (CI), the server runs as the ``postgres`` system user, since PostgreSQL refuses root.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator


def find_binaries() -> str | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    for directory in candidates:
        if os.path.exists(os.path.join(directory, "initdb")) and os.path.exists(os.path.join(directory, "pg_ctl")):
            return directory
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(initdb)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a server and yield its DATABASE_URL; stop it and remove its files afterwards."""
    bindir = find_binaries()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found")
    root = tempfile.mkdtemp(prefix="unionhome-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o755)
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        _as_server_user(
            [
                f"{bindir}/initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    options = (
        f"-p {port} -k {root} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c max_connections=100"
    )
    subprocess.run(
        _as_server_user(
            [f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(root, "log"), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/unionhome"
    finally:
        subprocess.run(
            _as_server_user([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        shutil.rmtree(root, ignore_errors=True)
