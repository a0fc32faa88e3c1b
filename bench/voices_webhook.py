"""A local group robot for ``bench.notify_storm``: an HTTP server on 127.0.0.1 that answers as the WeCom
(企业微信) group robot does (``{"errcode":0,"errmsg":"ok"}``; DingTalk answers the same shape) and counts
every message it accepted by the unique marker each benchmark notification carries in its title.

With ``fail_rate`` it answers that share of requests with HTTP 500 (decided by a seeded generator, so a
run is repeatable in its number of failures, not in which message meets them): those messages were not
delivered, and the sender must try again. Only messages answered 200 count as delivered.
"""

import json
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKER = re.compile(r"NS-\d{6}")


class Robot:
    def __init__(self, *, fail_rate: float = 0.0, seed: int = 7) -> None:
        self.fail_rate = fail_rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.delivered: Counter[str] = Counter()  # marker -> messages answered 200
        self.refused: Counter[str] = Counter()  # marker -> messages answered 500
        self.unmarked = 0  # messages without a benchmark marker (other notifications)
        self.bad = 0  # requests that were not a robot message at all
        self.first_at = 0.0
        self.last_at = 0.0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- counting ------------------------------------------------------------------------------------

    def _answer(self, body: bytes) -> tuple[int, dict]:
        try:
            message = json.loads(body)
        except ValueError:
            with self.lock:
                self.bad += 1
            return 400, {"errcode": 40008, "errmsg": "invalid message type"}
        if not isinstance(message, dict) or "msgtype" not in message:
            with self.lock:
                self.bad += 1
            return 400, {"errcode": 40008, "errmsg": "invalid message type"}
        found = MARKER.search(json.dumps(message, ensure_ascii=False))
        with self.lock:
            if self.fail_rate and self.rng.random() < self.fail_rate:
                if found:
                    self.refused[found.group(0)] += 1
                return 500, {"errcode": -1, "errmsg": "system busy"}
            now = time.time()
            self.first_at = self.first_at or now
            self.last_at = now
            if found:
                self.delivered[found.group(0)] += 1
            else:
                self.unmarked += 1
        return 200, {"errcode": 0, "errmsg": "ok"}

    def summary(self, expected: list[str]) -> dict:
        with self.lock:
            delivered = Counter(self.delivered)
            refused = sum(self.refused.values())
        wanted = set(expected)
        return {
            "expected": len(expected),
            "delivered_messages": sum(delivered.values()),
            "distinct": len(delivered),
            "missing": len(wanted - set(delivered)),
            "doubled": sum(1 for m, n in delivered.items() if n > 1),
            "extra_copies": sum(n - 1 for n in delivered.values() if n > 1),
            "unexpected": len(set(delivered) - wanted),
            "refused_500": refused,
            "unmarked": self.unmarked,
            "bad_requests": self.bad,
            "ok": set(delivered) == wanted and all(n == 1 for n in delivered.values()),
        }

    def received(self) -> int:
        with self.lock:
            return len(self.delivered)

    # --- the server ----------------------------------------------------------------------------------

    def start(self) -> str:
        robot = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                status, answer = robot._answer(self.rfile.read(length))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
