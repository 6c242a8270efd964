"""Browser tests: the app served by werkzeug in a thread on a free port against a fresh SQLite
database with the demo users, driven by Playwright (sync API) in Debian's Chromium.

Chromium is Debian's package at ``/usr/bin/chromium`` (``ONETHING_CHROMIUM`` names another); the
tests never download a browser of their own. Without Chromium they are skipped, except in CI
(``CI=true``), where ``.ci/run`` installs it and a missing browser is a failure. Every page a test
visits is saved as a screenshot in ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.document_settings import DocumentSettings
from engine.services.accounts import DEMO_PASSWORD

CHROMIUM = os.environ.get("ONETHING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
MODELER_BUNDLE = Path(__file__).resolve().parents[2] / "api/web/static/build/bpmn-js/bpmn-modeler.production.min.js"
RAW_ERRORS = ("Traceback", "Internal Server Error", '{"code"', "undefined", "[object Object]", "NaN")
# Flags for a headless Chromium as root on a machine without a network beyond loopback.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """The app on 127.0.0.1:<free port>, its engine, and a JSON client for setting up data."""

    def __init__(self, engine: OneThingEngine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._tokens: dict[str, str] = {}

    def token(self, login: str) -> str:
        if login not in self._tokens:
            answer = self.call("POST", "/api/auth/login", {"login": login, "password": DEMO_PASSWORD})
            self._tokens[login] = answer["token"]
        return self._tokens[login]

    def call(self, method: str, path: str, body: Any = None, login: str | None = None, token: str | None = None) -> Any:
        """``login``: as that demo user; ``token``: with that bearer token (an applicant's)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if login is not None or token is not None:
            headers["Authorization"] = f"Bearer {token or self.token(str(login))}"
        data = json.dumps(body).encode() if body is not None else None
        # The live server's own http://127.0.0.1 address: no other scheme or host is ever opened.
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test module (and so per xdist worker): its own port and database."""
    from werkzeug.serving import make_server

    from api import create_app

    database = tmp_path_factory.mktemp("browser") / "onething.sqlite3"
    engine = build_engine(Settings(database_url=f"sqlite:///{database}", password_strength="fast", demo_users=True,
                                   tick_seconds=0, documents=DocumentSettings(database.parent / "files")))
    app = create_app({"ENGINE": engine})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(engine, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        engine.db.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs Debian's package 'chromium'")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not MODELER_BUNDLE.exists():
        pytest.fail("the workbench's front end is not built: run `make web`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Desk:
    """One person at their screen: a browser context with its own cookies, signed in through the
    login page; every page it opens is checked for raw errors and saved as a screenshot."""

    def __init__(self, browser: Any, server: LiveServer, login: str | None, prefix: str) -> None:
        self.context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                           viewport={"width": 1360, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.server = server
        self.prefix = prefix
        self.login_name = login
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        self.page.on("console", self._console)
        if login is not None:
            self.sign_in(login)

    def _console(self, message: Any) -> None:
        # Answers of 401/404 the pages handle are logged by the browser as failed loads; not script errors.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.page_errors.append(message.text)

    def sign_in(self, login: str) -> None:
        sign_in(self.page, self.server, login)
        self.settle()

    def open(self, path: str, shot: str | None = None) -> Any:
        self.page.goto(self.server.url + path)
        self.settle()
        if shot:
            self.shot(shot)
        return self.page

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> None:
        """Checks the page shows no raw error and keeps a screenshot of it."""
        self.settle()
        assert_no_raw_error(self.page)
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.prefix}-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.page_errors, self.page_errors


def sign_in(page: Any, server: LiveServer, login: str) -> None:
    """Signs ``page`` in as a demo user through the login page; returns once it has left it."""
    page.goto(server.url + "/app/login")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/(?!login).*"))


def assert_no_raw_error(page: Any) -> None:
    text = page.inner_text("body")
    for raw in RAW_ERRORS:
        assert raw not in text, f"{page.url} shows {raw!r}: {text[:2000]}"


@pytest.fixture
def desks(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``desks(login)`` opens a signed-in desk (``None``: signed out); all are closed at the end."""
    opened: list[Desk] = []
    prefix = request.node.name.removeprefix("test_")

    def open_desk(login: str | None) -> Desk:
        desk = Desk(browser, live_server, login, f"{prefix}-{login or 'anonymous'}")
        opened.append(desk)
        return desk

    yield open_desk
    for desk in opened:
        desk.close()


@contextmanager
def phone_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh 390 x 844 touch context, not signed in, and the script errors it raises."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        yield page, errors
    finally:
        context.close()


def sign_in_by_code(page: Any, server: LiveServer, phone: str, code_for: Any) -> None:
    """Signs an applicant in on /my with the SMS code ``code_for(phone)`` answers (the recording sender's)."""
    page.goto(server.url + "/my")
    page.wait_for_selector("#sign-in:not([hidden])")
    page.fill("#phone", phone)
    page.click("#send-code")
    page.wait_for_selector("#code-note:has-text('验证码已发送')")
    page.fill("#code", code_for(phone))
    page.click("#sign-in-button")
