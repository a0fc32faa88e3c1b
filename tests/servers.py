"""Real servers on the loopback interface for notification tests: no mocks of the network layer.

``smtp_server``: an aiosmtpd server on 127.0.0.1 and a random port, with the site's mail settings pointing
at it. It keeps every message; ``fail_with("451 ...")`` makes it answer that code to the next message(s);
``stop()`` closes the port (connection refused) and ``start()`` opens it again on the same port.

``webhook_server``: a threaded ``http.server`` on 127.0.0.1 playing WeCom (``/cgi-bin/webhook/send?key=``)
and DingTalk (``/robot/send?access_token=``, checking the signature when a secret is registered for the
token). It checks the JSON format, records the messages it accepts, and on demand times out, answers 500,
answers ``errcode != 0`` (45009 "api freq out of limit", or the code asked for: ``"errcode:93000"``), or is
stopped to be unreachable. ``UNIONHOME_NOTIFY_WEBHOOK_HOSTS`` allows it.
"""

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- SMTP ------------------------------------------------------------------------------------------------


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self._failures: list[str] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def fail_with(self, answer: str = "451 4.3.0 Try again later", times: int = 1) -> None:
        """Answer ``answer`` (e.g. "451 ..." temporary, "550 ..." permanent) to the next ``times`` messages."""
        with self._lock:
            self._failures.extend([answer] * times)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "unionhome@union.example"
    settings.UNIONHOME_SITE_URL = "https://union.example"
    settings.UNIONHOME_NOTIFY_TIMEOUT_SECONDS = 2
    yield server
    server.stop()


# --- WeCom and DingTalk ------------------------------------------------------------------------------------


@dataclass
class Received:
    platform: str  # "wecom" or "dingtalk"
    key: str  # the WeCom key or DingTalk access token
    payload: dict
    signed: bool = False


@dataclass
class WebhookState:
    messages: list[Received] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)  # next answers: "timeout", "500", "errcode", "errcode:<code>"
    secrets: dict[str, str] = field(default_factory=dict)  # DingTalk token -> signing secret
    delay: float = 3.0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


# What the platforms answer with these codes (``fail_next("errcode:<code>")``).
ERRMSGS = {
    -1: "system busy",
    45009: "api freq out of limit",
    93000: "invalid webhook url",
    130101: "send too fast, exceed 20 times per minute",
    300001: "token is not exist",
    310000: "keywords not in content",
}


def _valid_markdown(platform: str, payload: dict) -> bool:
    if not isinstance(payload, dict) or payload.get("msgtype") != "markdown":
        return False
    markdown = payload.get("markdown")
    if not isinstance(markdown, dict):
        return False
    if platform == "wecom":
        content = markdown.get("content")
        return isinstance(content, str) and 0 < len(content.encode()) <= 4096 and set(markdown) == {"content"}
    return (
        isinstance(markdown.get("title"), str)
        and isinstance(markdown.get("text"), str)
        and bool(markdown["text"])
        and set(markdown) == {"title", "text"}
    )


def _dingtalk_sign_ok(secret: str, query: dict) -> bool:
    timestamp = query.get("timestamp", [""])[0]
    sign = query.get("sign", [""])[0]  # parse_qs has already url-decoded it once
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return False
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(sign, base64.b64encode(digest).decode())


def _handler(state: WebhookState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (a timeout test)
                pass

        def do_POST(self):
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.requests += 1
                mode = state.modes.pop(0) if state.modes else ""
            if mode == "timeout":
                time.sleep(state.delay)
                return self._answer(200, {"errcode": 0, "errmsg": "ok (too late)"})
            if mode == "500":
                return self._answer(500, {"errcode": -1, "errmsg": "system busy"})
            if parts.path == "/cgi-bin/webhook/send" and query.get("key", [""])[0]:
                platform, key = "wecom", query["key"][0]
            elif parts.path == "/robot/send" and query.get("access_token", [""])[0]:
                platform, key = "dingtalk", query["access_token"][0]
            else:
                return self._answer(404, {"errcode": 404, "errmsg": "no such robot"})
            if mode.startswith("errcode"):
                code = int(mode.partition(":")[2] or 45009)
                return self._answer(200, {"errcode": code, "errmsg": ERRMSGS.get(code, "refused")})
            try:
                payload = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return self._answer(200, {"errcode": 40001, "errmsg": "invalid json"})
            if not _valid_markdown(platform, payload):
                return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
            signed = False
            if platform == "dingtalk" and key in state.secrets:
                if not _dingtalk_sign_ok(state.secrets[key], query):
                    return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                signed = True
            with state.lock:
                state.messages.append(Received(platform, key, payload, signed))
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})

    return Handler


class WebhookServer:
    def __init__(self):
        self.port = free_port()
        self.state = WebhookState()
        self._server = None
        self._thread = None

    @property
    def messages(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.messages)

    def wecom_url(self, key: str = "wecom-key-0001") -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str = "dingtalk-token-0001", secret: str = "") -> str:
        if secret:
            self.state.secrets[token] = secret
        return f"http://127.0.0.1:{self.port}/robot/send?access_token={token}"

    def fail_next(self, *modes: str) -> None:
        """The next requests answer in these ways, in order: "timeout", "500", "errcode" (45009) or
        "errcode:<code>" (e.g. "errcode:93000")."""
        with self.state.lock:
            self.state.modes.extend(modes)

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the port: the host is unreachable (connection refused) until ``start()``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None


@pytest.fixture
def webhook_server(settings):
    server = WebhookServer()
    server.start()
    settings.UNIONHOME_NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.UNIONHOME_NOTIFY_TIMEOUT_SECONDS = 1
    server.state.delay = 2.5
    settings.UNIONHOME_SITE_URL = "https://union.example"
    yield server
    server.stop()
