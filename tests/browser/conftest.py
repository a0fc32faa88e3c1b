"""Playwright in Debian's Chromium against the live test server, with axe-core and page-weight checks."""

import json
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("UNIONHOME_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


_shared: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run. Journeys beside the code they test import this fixture into their
    module, which makes another session fixture of the same function: they all share one browser, since
    Playwright's sync API cannot run twice at once."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the 'chromium' package")
    if _shared["users"] == 0:
        from playwright.sync_api import sync_playwright

        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    _shared["users"] += 1
    try:
        yield _shared["browser"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            _shared.pop("browser").close()
            _shared.pop("playwright").stop()


class Visit:
    """A browser context plus what the journey needs: axe checks and transferred bytes per page."""

    def __init__(self, browser, base_url: str, viewport: dict, tmp_path: Path):
        # bypass_csp only so that axe-core can be injected; tests/test_security_headers.py checks the policy.
        self.context = browser.new_context(
            viewport=viewport, locale="zh-CN", accept_downloads=True, bypass_csp=True, base_url=base_url
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(30000)  # generous: a loaded CI machine is slow, never wrong
        self.base_url = base_url
        self.tmp_path = tmp_path
        self.bytes_by_document: dict[str, int] = {}
        self.checked: list[str] = []
        self.page.on("requestfinished", self._count)

    def _count(self, request):
        try:
            sizes = request.sizes()
        except Exception:  # noqa: BLE001  (a request may vanish with its page)
            return
        page_url = self.page.url.split("?")[0]
        self.bytes_by_document[page_url] = (
            self.bytes_by_document.get(page_url, 0) + sizes["responseBodySize"] + sizes["responseHeadersSize"]
        )

    def axe(self) -> None:
        """No serious or critical accessibility violation on the current page."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"axe violations on {self.page.url}:\n{json.dumps(bad, ensure_ascii=False, indent=1)}"
        self.checked.append(self.page.url)

    def login(self, login: str, password: str, totp: str | None = None) -> None:
        self.page.goto("/accounts/login/")
        self.axe()
        self.page.get_by_label("工号或手机号").fill(login)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录", exact=True).click()
        if totp is not None:
            self.page.wait_for_url("**/accounts/second-factor/**")
            self.axe()
            self.page.get_by_label("身份验证器").fill(totp)
            self.page.get_by_role("button", name="验证", exact=True).click()
        self.page.wait_for_url(lambda url: "/accounts/" not in url)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, live_server, tmp_path):
    opened: list[Visit] = []

    def open_visit(viewport=DESKTOP) -> Visit:
        v = Visit(browser, live_server.url, viewport, tmp_path)
        opened.append(v)
        return v

    yield open_visit
    for v in opened:
        v.close()


@pytest.fixture
def task_worker(transactional_db):
    """The real django-tasks database worker, polling in a thread for the length of the test."""
    from django.db import connections

    from unionhome.server.task_worker import task_worker as make_worker

    worker = make_worker(worker_id="browser-test", batch=False, interval=0.1)

    def run():
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=10)
