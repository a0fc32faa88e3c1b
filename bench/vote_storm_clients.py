"""The vote storm's clients: worker processes of threads that speak HTTP/1.1 to the production server.

Each worker process runs one job (``run_job``) with a fixed list of requests to make (never a fixed
duration), on a schedule of wall-clock times shared by all processes, and sends back one result dict:
latencies in milliseconds per kind of request, errors (status or exception, with a sample), and what
the server accepted (the ballots with their receipts), so that the orchestrator can check the count.

Connections: each client thread keeps one keep-alive connection and reconnects when the server closed
it (gunicorn closes idle keep-alive connections after 2 s). A request that fails on a connection
error is sent again once on a new connection (counted as a retry): for a ballot that is the safe retry
the ballot key exists for (the same key gets the same answer). Many voters share a thread's connection,
as they would share a reverse proxy's upstream connections; each voter has its own cookies.
"""

import heapq
import http.client
import queue
import re
import secrets
import string
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
BALLOT_KEY = re.compile(rb'name="ballot_key" value="([^"]+)"')
RECEIPT = re.compile(rb'data-testid="receipt">([A-Z2-7]{10})<')
POLL_EVERY = re.compile(rb'hx-trigger="every (\d+)(ms|s)"')
RESULT_SHOWN = re.compile(rb'data-testid="participation">(\d+)<')
SET_COOKIE = re.compile(r"^([^=;]+)=([^;]*)")
DROPPED = (http.client.HTTPException, ConnectionError, TimeoutError, OSError)


def choice_for(index: int) -> int:
    """Voter ``index``'s choice, 0 for / 1 against / 2 abstain: 7 in 10 for, 2 against, 1 abstains."""
    digit = index % 10
    return 0 if digit < 7 else 1 if digit < 9 else 2


def own_csrf_secret() -> str:
    """A CSRF cookie value of the kind Django issues (32 letters and digits): a client that already has
    one (from the page it holds open) sends it back with the form; minting it saves a page load."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


class Http:
    """One keep-alive connection with retry-once on a dropped connection."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.retries = 0

    def request(self, method: str, path: str, cookies: dict, body: dict | None = None, extra: dict | None = None):
        headers = {"Accept-Language": "zh-hans", "Accept-Encoding": "identity", **(extra or {})}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
            except DROPPED:
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                self.retries += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            for header in response.headers.get_all("Set-Cookie") or []:
                m = SET_COOKIE.match(header)
                if m:
                    cookies[m.group(1).strip()] = m.group(2)
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, response, content, elapsed
        raise AssertionError("unreachable")


@dataclass
class Tally:
    """What one process saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    accepted: dict[str, int] = field(default_factory=dict)  # voter login -> choice index
    repeats: int = 0  # answers "already received" (a retry of an accepted ballot)
    retries: int = 0
    lateness: list[float] = field(default_factory=list)  # ms a scheduled request started late
    first_send: float = 0.0
    last_done: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def time(self, kind: str, ms: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(ms)

    def error(self, text: str) -> None:
        with self.lock:
            self.error_count += 1
            if len(self.errors) < 5:
                self.errors.append(text[:300])

    def span(self, started: float, done: float) -> None:
        with self.lock:
            self.first_send = min(self.first_send or started, started)
            self.last_done = max(self.last_done, done)

    def out(self) -> dict:
        return {
            "latencies": self.latencies,
            "errors": self.errors,
            "error_count": self.error_count,
            "accepted": self.accepted,
            "repeats": self.repeats,
            "retries": self.retries,
            "lateness": self.lateness,
            "first_send": self.first_send,
            "last_done": self.last_done,
            "cpu": time.process_time(),  # this client process's CPU seconds, all its threads
        }


def _wait_until(when: float, stop: threading.Event | None = None) -> None:
    while True:
        left = when - time.time()
        if left <= 0 or (stop is not None and stop.is_set()):
            return
        time.sleep(min(left, 0.5))


def _run_threads(threads: int, target) -> None:
    workers = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


# --- jobs -------------------------------------------------------------------------------------------


def login_job(job: dict, tally: Tally) -> None:
    """Log each voter in through the real form at their scheduled time: GET the page, POST the password."""
    items: queue.Queue = queue.Queue()
    for when, login in sorted(job["logins"]):
        items.put((when, login))

    def worker(_i: int) -> None:
        while True:
            try:
                when, login = items.get_nowait()
            except queue.Empty:
                return
            _wait_until(when)
            started = time.time()
            tally.lateness.append((started - when) * 1000)
            http_ = Http(job["port"])  # a phone: its own new connection
            cookies: dict = {}
            try:
                status, _r, page, ms = http_.request("GET", "/accounts/login/", cookies)
                tally.time("login page GET", ms)
                token = CSRF_FIELD.search(page)
                if status != 200 or token is None:
                    tally.error(f"login page {status}")
                    continue
                body = {"csrfmiddlewaretoken": token.group(1).decode(), "login": login, "password": job["password"]}
                status, response, _c, ms = http_.request("POST", "/accounts/login/", cookies, body)
                tally.time("login POST", ms)
                if status != 302 or "sessionid" not in cookies:
                    tally.error(f"login POST {status} {response.getheader('Location')}")
                else:
                    tally.accepted[login] = 1
                tally.time("login total", (time.time() - started) * 1000)
            except DROPPED as exc:
                tally.error(f"login {type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
                tally.retries += http_.retries
                if http_.conn:
                    http_.conn.close()

    _run_threads(job["threads"], worker)


def _cast(http_: Http, job: dict, tally: Tally, voter: dict, token: str, key: str) -> None:
    body = {"csrfmiddlewaretoken": token, "ballot_key": key, "option": job["options"][voter["choice"]]}
    # The vote page's form posts with htmx (answered with the receipt fragment), as a phone's browser does.
    status, _r, content, ms = http_.request(
        "POST", f"/congress/votes/{job['vote']}/", voter["cookies"], body, extra={"HX-Request": "true"}
    )
    tally.time("ballot POST", ms)
    receipt = RECEIPT.search(content) if status == 200 else None
    if receipt is None:
        tally.error(f"ballot POST {status} {content[:200]!r}")
        return
    with tally.lock:
        if b"not counted again" in content:
            tally.repeats += 1
        tally.accepted[voter["login"]] = voter["choice"]


def window_job(job: dict, tally: Tally) -> None:
    """Each voter opens the vote page at their time, thinks, then sends the form (one ballot each)."""
    events: list = []
    for voter in job["voters"]:
        voter["cookies"] = {"sessionid": voter["session"]}
        heapq.heappush(events, (voter["arrive"], 0, voter["login"], voter))
    lock = threading.Lock()
    path = f"/congress/votes/{job['vote']}/"

    def worker(_i: int) -> None:
        http_ = Http(job["port"])
        while True:
            with lock:
                if not events:
                    break
                when, step, _login, voter = heapq.heappop(events)
            _wait_until(when)
            started = time.time()
            tally.lateness.append((started - when) * 1000)
            try:
                if step == 0:
                    status, _r, page, ms = http_.request("GET", path, voter["cookies"])
                    tally.time("vote page GET", ms)
                    token, key = CSRF_FIELD.search(page), BALLOT_KEY.search(page)
                    if status != 200 or token is None or key is None:
                        tally.error(f"vote page {status}")
                        continue
                    voter["token"], voter["key"] = token.group(1).decode(), key.group(1).decode()
                    with lock:
                        heapq.heappush(events, (time.time() + voter["think"], 1, voter["login"], voter))
                else:
                    _cast(http_, job, tally, voter, voter["token"], voter["key"])
            except DROPPED as exc:
                tally.error(f"{type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
        tally.retries += http_.retries

    _run_threads(job["threads"], worker)


def open_pages_job(job: dict, tally: Tally) -> None:
    """Each voter opens the vote page (as every phone does when the chair opens the vote and the page
    reloads): keeps the CSRF token and ballot key it holds for the burst."""
    voters = list(job["voters"])
    lock = threading.Lock()
    path = f"/congress/votes/{job['vote']}/"
    opened: dict = {}

    def worker(_i: int) -> None:
        http_ = Http(job["port"])
        while True:
            with lock:
                if not voters:
                    break
                voter = voters.pop()
            cookies = {"sessionid": voter["session"]}
            started = time.time()
            try:
                status, _r, page, ms = http_.request("GET", path, cookies)
                tally.time("vote page GET", ms)
                token, key = CSRF_FIELD.search(page), BALLOT_KEY.search(page)
                if status != 200 or token is None or key is None:
                    tally.error(f"vote page {status}")
                    continue
                opened[voter["login"]] = [cookies, token.group(1).decode(), key.group(1).decode()]
            except DROPPED as exc:
                tally.error(f"{type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
        tally.retries += http_.retries

    _run_threads(job["threads"], worker)
    tally.accepted = opened  # type: ignore[assignment]


def burst_job(job: dict, tally: Tally) -> None:
    """Each client thread sends its voters' ballots, one a second from the burst's start (with jitter)."""
    clients = job["clients"]  # [[voter, ...], ...] one list per client thread
    rng = secrets.SystemRandom()

    def worker(i: int) -> None:
        http_ = Http(job["port"])
        for n, voter in enumerate(clients[i]):
            when = job["start"] + n * job["spacing"] + rng.uniform(0, job["spacing"] * 0.9)
            _wait_until(when)
            started = time.time()
            tally.lateness.append((started - when) * 1000)
            try:
                _cast(http_, job, tally, voter, voter["token"], voter["key"])
            except DROPPED as exc:
                tally.error(f"{type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
        tally.retries += http_.retries

    _run_threads(len(clients), worker)


def sustained_job(job: dict, tally: Tally) -> None:
    """Ballots back to back, no think time: each client thread its fixed list of voters."""
    clients = job["clients"]

    def worker(i: int) -> None:
        http_ = Http(job["port"])
        _wait_until(job["start"])
        for voter in clients[i]:
            started = time.time()
            try:
                _cast(http_, job, tally, voter, voter["token"], secrets.token_urlsafe(24))
            except DROPPED as exc:
                tally.error(f"{type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
        tally.retries += http_.retries

    _run_threads(len(clients), worker)


def poll_job(job: dict, tally: Tally) -> None:
    """Every voter's open vote page polls the live fragment: the next poll after the interval the last
    answer asked for (htmx ``every``, re-armed by each outerHTML swap), until ``stop_at``."""
    due: list = []
    for voter in job["voters"]:
        heapq.heappush(due, (voter["first_poll"], voter["login"], voter))
    lock, wake = threading.Lock(), threading.Condition()
    path = f"/congress/votes/{job['vote']}/live/?seen=open"
    counted_from, counted_to = job["measure_from"], job["stop_at"]

    def worker(_i: int) -> None:
        http_ = Http(job["port"])
        while True:
            with lock:
                when, login, voter = heapq.heappop(due) if due else (None, None, None)
            if when is None or when >= job["stop_at"]:
                break
            _wait_until(when)
            started = time.time()
            if counted_from <= started < counted_to:
                tally.lateness.append((started - when) * 1000)
            interval = 3.0
            try:
                status, response, content, ms = http_.request(
                    "GET", path, voter["cookies"], extra={"HX-Request": "true", "HX-Current-URL": "x"}
                )
                if counted_from <= started < counted_to:
                    tally.time("live poll", ms)
                m = POLL_EVERY.search(content)
                if status != 200 or m is None:
                    tally.error(f"live poll {status}")
                else:
                    interval = int(m.group(1)) / (1000 if m.group(2) == b"ms" else 1)
            except DROPPED as exc:
                tally.error(f"live poll {type(exc).__name__}: {exc}")
            finally:
                tally.span(started, time.time())
            with lock:
                heapq.heappush(due, (time.time() + interval, login, voter))
        tally.retries += http_.retries

    del wake
    _run_threads(job["threads"], worker)


JOBS = {
    "login": login_job,
    "window": window_job,
    "open_pages": open_pages_job,
    "burst": burst_job,
    "sustained": sustained_job,
    "poll": poll_job,
}


def run_job(job: dict, results) -> None:
    """Entry point of a worker process: run ``job`` and put its result on the ``results`` queue."""
    tally = Tally()
    try:
        JOBS[job["kind"]](job, tally)
    except Exception as exc:  # noqa: BLE001 (reported, not hidden)
        tally.error(f"client crashed: {type(exc).__name__}: {exc}")
    results.put({"kind": job["kind"], **tally.out()})
