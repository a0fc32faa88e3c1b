"""Running the project's own commands from a benchmark: the checkout (``ROOT``) and interpreter (``PYTHON``),
the environment every benchmark process starts from (production-like: ``UNIONHOME_DEBUG=0``, no database named
yet), ``run`` for a ``manage.py`` or ``-m bench.…`` command that must succeed, ``log`` to stderr and
``free_port``. Every ``bench`` module builds on these."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UNIONHOME_SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "unionhome.settings",
            "UNIONHOME_PROFILE": "development",  # plain HTTP on 127.0.0.1
            "UNIONHOME_DEBUG": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    result = subprocess.run(cmd, cwd=ROOT, env=env, text=True, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout if capture else ""
