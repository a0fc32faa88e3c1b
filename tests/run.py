"""`make test`: the whole suite on SQLite, then on a real PostgreSQL started here.

Arguments are passed to pytest. Set UNIONHOME_TEST_DATABASES=sqlite (or postgresql) to run one.
Exit status is non-zero if any run fails; pytest's "no tests collected" (5) counts as a failure.
"""

import os
import signal
import subprocess
import sys

from tests.postgres import find_binaries, temporary_postgres

NO_TESTS_COLLECTED = 5


def run_pytest(label: str, args: list[str], extra_env: dict[str, str]) -> int:
    print(f"\n=== tests on {label} ===", flush=True)
    env = {**os.environ, **extra_env}
    code = subprocess.call([sys.executable, "-m", "pytest", *args], env=env)
    if code == NO_TESTS_COLLECTED:
        print(f"!!! no tests were collected on {label}: treating it as a failure", flush=True)
        return 1
    return code


def main() -> int:
    # A terminated run still stops its PostgreSQL server and removes its files (the `finally` blocks run).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args = sys.argv[1:]
    wanted = os.environ.get("UNIONHOME_TEST_DATABASES", "sqlite,postgresql").split(",")
    results: dict[str, int] = {}
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    os.environ.clear()
    os.environ.update(base)
    if "sqlite" in wanted:
        results["sqlite"] = run_pytest("SQLite", args, {})
    if "postgresql" in wanted:
        if find_binaries() is None:
            print(
                "\n!!! WARNING: PostgreSQL binaries (initdb, pg_ctl) are absent: the PostgreSQL run is SKIPPED.\n"
                "!!! Install the 'postgresql' package to run it.",
                flush=True,
            )
        else:
            with temporary_postgres() as url:
                results["postgresql"] = run_pytest("PostgreSQL", args, {"DATABASE_URL": url})
    print(
        "\n=== summary: "
        + ", ".join(f"{db}: {'passed' if code == 0 else f'FAILED ({code})'}" for db, code in results.items()),
        flush=True,
    )
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
