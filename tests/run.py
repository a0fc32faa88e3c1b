"""`make test`: the whole suite on SQLite and on a real PostgreSQL started here, both runs at once.

Arguments are passed to pytest. Set UNIONHOME_TEST_DATABASES=sqlite (or postgresql) to run one; its output then
streams live. With both, each run writes to its own log, printed whole (headed by its database) when it ends.
Exit status is non-zero if any run fails; pytest's "no tests collected" (5) counts as a failure.

The two runs share nothing on disk: each gets its own directory under a temporary one, holding its var/
(UNIONHOME_VAR_DIR: uploads, private documents, static), pytest's tmp_path (--basetemp) and hypothesis's
storage (HYPOTHESIS_STORAGE_DIRECTORY). SQLite's test database is already named per process (settings),
PostgreSQL's lives in its own server; live servers and the loopback SMTP/robot servers take free ports.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack

from tests.postgres import find_binaries, temporary_postgres

NO_TESTS_COLLECTED = 5
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def run_env(db: str, root: str, extra: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The environment and the extra pytest arguments of one run, with its own directories under ``root``."""
    own = os.path.join(root, db)
    for name in ("var", "tmp", "hypothesis"):
        os.makedirs(os.path.join(own, name), exist_ok=True)
    env = {
        **os.environ,
        **extra,
        "UNIONHOME_VAR_DIR": os.path.join(own, "var"),
        "HYPOTHESIS_STORAGE_DIRECTORY": os.path.join(own, "hypothesis"),
    }
    return env, [f"--basetemp={os.path.join(own, 'tmp')}"]


def verdict(label: str, code: int) -> int:
    if code == NO_TESTS_COLLECTED:
        print(f"!!! no tests were collected on {label}: treating it as a failure", flush=True)
        return 1
    return code


def postgres_available() -> bool:
    if find_binaries() is not None:
        return True
    print(
        "\n!!! WARNING: PostgreSQL binaries (initdb, pg_ctl) are absent: the PostgreSQL run is SKIPPED.\n"
        "!!! Install the 'postgresql' package to run it.",
        flush=True,
    )
    return False


def run_all(wanted: list[str], args: list[str], root: str, stack: ExitStack) -> dict[str, int]:
    """Start every wanted run, then wait for them; print each log as its run ends."""
    running: dict[str, tuple[subprocess.Popen, str | None, float]] = {}
    live = len(wanted) == 1
    if not live:
        names = " and ".join(LABELS[db] for db in wanted)
        print(f"\n=== tests on {names} at once: each run's output follows when it ends ===", flush=True)
    for db in wanted:
        extra = {"DATABASE_URL": stack.enter_context(temporary_postgres())} if db == "postgresql" else {}
        env, own_args = run_env(db, root, extra)
        log = None if live else os.path.join(root, f"{db}.log")
        if live:
            print(f"\n=== tests on {LABELS[db]} ===", flush=True)
        out = None if log is None else stack.enter_context(open(log, "wb"))
        command = [sys.executable, "-m", "pytest", *own_args, *args]
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
        stack.callback(stop, process)  # unwound first: the pytest run ends before its server and files go
        running[db] = (process, log, time.monotonic())
    results: dict[str, int] = {}
    while len(results) < len(running):
        for db, (process, log, started) in running.items():
            if db in results or process.poll() is None:
                continue
            if log is not None:
                minutes, seconds = divmod(int(time.monotonic() - started), 60)
                print(f"\n=== tests on {LABELS[db]} ({minutes} min {seconds} s) ===", flush=True)
                with open(log, "rb") as f:
                    sys.stdout.buffer.write(f.read())
                sys.stdout.flush()
            results[db] = verdict(LABELS[db], process.returncode)
        time.sleep(0.2)
    return results


def stop(process: subprocess.Popen) -> None:
    """On the way out (SIGTERM, ^C, an error) no pytest run outlives us."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    # A terminated run still stops its pytest runs and PostgreSQL server, and removes its files (ExitStack).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args = sys.argv[1:]
    wanted = [db for db in os.environ.get("UNIONHOME_TEST_DATABASES", "sqlite,postgresql").split(",") if db]
    unknown = [db for db in wanted if db not in LABELS]
    if unknown:
        print(f"!!! unknown database in UNIONHOME_TEST_DATABASES: {', '.join(unknown)}", flush=True)
        return 2
    wanted = [db for db in LABELS if db in wanted and (db != "postgresql" or postgres_available())]
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    os.environ.clear()
    os.environ.update(base)
    with ExitStack() as stack:
        root = tempfile.mkdtemp(prefix="unionhome-tests-")
        stack.callback(shutil.rmtree, root, ignore_errors=True)
        results = run_all(wanted, args, root, stack)
    print(
        "\n=== summary: "
        + ", ".join(f"{db}: {'passed' if code == 0 else f'FAILED ({code})'}" for db, code in results.items()),
        flush=True,
    )
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
