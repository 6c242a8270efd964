"""The workbench at phone width (390 x 844): as each role, every page of that role fits the screen
(nothing wider than the viewport, the tables stacked row by row with each cell labelled) and the
top bar stays one compact line. A screenshot of each page goes into the test's tmp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, assert_no_raw_error, sign_in
from tests.browser.test_pages import PAGES_BY_LOGIN, start_case

WIDTH, HEIGHT = 390, 844
# Pages beyond test_pages' list that a role reaches from its home page or navigation bar.
EXTRA_PAGES: dict[str, list[str]] = {
    "scjg.reviewer": ["/app/"],
    "scjg.head": ["/app/", "/app/cases/{case}"],
    "supervisor": ["/app/"],
    "admin": ["/app/", "/app/admin/incidents", "/app/admin/flows/restaurant/migration",
              "/app/admin/flows/restaurant/dry-run", "/app/admin/audit", "/app/admin/credit"],
}


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``phone(login)``: a page in a 390 x 844 context, signed in through the login page."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_phone(login: str) -> Any:
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                      viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        sign_in(page, live_server, login)
        page.wait_for_load_state("networkidle")
        return page

    yield open_phone
    for context in contexts:
        context.close()
    assert not errors, errors


def measure(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("""(width) => {
        const bar = document.querySelector('.topbar').getBoundingClientRect();
        const wide = [...document.querySelectorAll('main *')]
            .filter((n) => n.getBoundingClientRect().right > width + 1 && n.offsetParent !== null)
            .slice(-5).map((n) => `${n.tagName.toLowerCase()}#${n.id}.${n.className}`);
        return {scroll: document.documentElement.scrollWidth, bar: bar.height, wide: wide};
    }""", WIDTH))


def test_every_page_fits_a_phone(phone: Any, live_server: LiveServer, tmp_path: Path) -> None:
    number, task = start_case(live_server)
    live_server.call("POST", f"/api/tasks/{task}/claim", login="scjg.reviewer")
    seen: dict[str, dict[str, Any]] = {}
    for login, paths in PAGES_BY_LOGIN.items():
        page = phone(login)
        for path in [*paths, *EXTRA_PAGES.get(login, [])]:
            page.goto(live_server.url + path.format(case=number, task=task))
            page.wait_for_load_state("networkidle")
            assert_no_raw_error(page)
            name = f"{login}-{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
            seen[name] = measure(page)
    too_wide = {name: m for name, m in seen.items() if m["scroll"] > WIDTH}
    assert not too_wide, too_wide
    too_tall = {name: m["bar"] for name, m in seen.items() if m["bar"] > 0.15 * HEIGHT}
    assert not too_tall, too_tall


def test_stacked_rows_label_each_cell_and_keep_the_claim_button_on_screen(phone: Any, live_server: LiveServer,
                                                                          tmp_path: Path) -> None:
    start_case(live_server)
    page = phone("scjg.reviewer")
    page.goto(live_server.url + "/app/inbox")
    page.wait_for_selector("#inbox table")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    labels = page.eval_on_selector_all("#inbox tbody tr:first-child td",
                                       "cells => cells.map((c) => getComputedStyle(c, '::before').content)")
    assert '"办件编号"' in labels and '"时限"' in labels, labels
    claim = page.locator("#inbox button:has-text('认领')").first
    box = claim.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    claim.click()
    page.wait_for_url(re.compile(r".*/app/tasks/.*"))
