"""The production server a benchmark times, and its client: ``production_server`` starts ``manage.py serve
--no-worker`` (gunicorn) on a free port, waits until it answers and stops it afterwards; ``time_page`` makes
sequential GETs on one keep-alive connection and returns each request's milliseconds and the page size."""

import contextlib
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bench.commands import PYTHON, ROOT, free_port


@contextlib.contextmanager
def production_server(env: dict[str, str], workdir: Path) -> Iterator[int]:
    port = free_port()
    errors = open(workdir / f"serve-{port}.log", "w+")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--no-worker", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # gunicorn's access log
        stderr=errors,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                errors.seek(0)
                raise RuntimeError(f"the server stopped (exit {proc.returncode}):\n{errors.read()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not answer within 90 s") from None
                time.sleep(0.3)
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        errors.close()


def time_page(port: int, path: str, cookie: str, requests: int, warmup: int, budget: float) -> tuple[list[float], int]:
    """Sequential GETs on one keep-alive connection; milliseconds from sending to the last byte.

    A page slower than the time ``budget`` (seconds) allows stops early, after at least 10 timed requests.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie, "Accept-Language": "zh-hans", "Accept-Encoding": "identity"}
    samples: list[float] = []
    size = 0
    started_all = time.monotonic()
    for i in range(warmup + requests):
        if i < warmup and time.monotonic() - started_all > budget / 6:
            continue  # a slow page: enough warm-up
        if len(samples) >= 10 and time.monotonic() - started_all > budget:
            break
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status} {response.getheader('Location') or ''}")
        if i >= warmup:
            samples.append(elapsed)
        size = len(body)
    conn.close()
    return samples, size
