"""What the workbench says is Chinese whatever the browser's language (issue 22, item 5): dates are
typed as 年-月-日 on the dashboard, the calendar, the intake and the case search even in an
English (en-US) Chromium, whose own date picker would read mm/dd/yyyy; the receipt and the
timeline name people, not logins; a catalogue edit that would break a bundle says which bundle
and item in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, LiveServer, sign_in
from tests.browser.test_role_sweep import latin_words, start_restaurant

# Each page with its date inputs, and what opens it.
DATE_PAGES = {
    "/app/dashboard": ("admin", ["#from", "#to"]),
    "/app/admin/calendar": ("admin", ["#day"]),
    "/app/cases": ("clerk", ["#from", "#to"]),
    "/app/window/new/restaurant": ("clerk", ['[name="form.sign_period"]']),
}


@pytest.fixture
def english(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``english(login)``: a signed-in page in an en-US browser in New York."""
    contexts: list[Any] = []

    def open_page(login: str) -> Any:
        context = browser.new_context(locale="en-US", timezone_id="America/New_York",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, login)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chinese_only-{name}.png"), full_page=True)


def test_dates_are_typed_as_year_month_day_in_an_english_browser(english: Any, live_server: LiveServer) -> None:
    pages = {login: english(login) for login in ("admin", "clerk")}
    for path, (login, selectors) in DATE_PAGES.items():
        page = pages[login]
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        for selector in selectors:
            field = page.locator(selector)
            field.wait_for()
            assert field.get_attribute("type") == "text", (path, selector)  # not the browser's own picker
            assert "年-月-日" in (field.get_attribute("placeholder") or ""), (path, selector)
            field.fill("2026/12/4")
            field.blur()
            assert field.input_value() == "2026-12-04", (path, selector)
            field.fill("")
        shot(page, path.strip("/").replace("/", "_"))


def test_a_date_that_does_not_exist_is_refused_in_chinese_before_sending(english: Any, live_server: LiveServer) -> None:
    page = english("clerk")
    page.goto(live_server.url + "/app/cases")
    page.wait_for_load_state("networkidle")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/cases?" in r.url else None)
    page.fill("#from", "2026-02-30")
    page.click("#case-filter button[type=submit]")
    page.wait_for_selector("#flash .notice.error")
    assert "年-月-日" in page.inner_text("#flash")
    assert "年-月-日" in page.inner_text("[data-error-for=from]")
    assert not asked, asked  # checked before sending
    shot(page, "cases-bad-date")


def test_the_receipt_and_the_timeline_name_people(english: Any, live_server: LiveServer) -> None:
    case = start_restaurant(live_server)
    task = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
    live_server.call("POST", f"/api/tasks/{task['id']}/claim", login="scjg.reviewer")
    page = english("clerk")
    page.goto(live_server.url + f"/app/cases/{case['number']}/receipt")
    page.wait_for_selector("#receipt dl")
    receipt = page.inner_text("#receipt")
    assert "窗口人员（演示）" in receipt and "clerk" not in receipt, receipt
    shot(page, "receipt")
    page.goto(live_server.url + f"/app/cases/{case['number']}")
    page.wait_for_selector("#case-timeline li")
    page.wait_for_load_state("networkidle")
    timeline = page.inner_text("#case-timeline")
    assert "窗口人员（演示）" in timeline and "审批员（演示）" in timeline, timeline
    assert not latin_words(timeline), latin_words(timeline)
    shot(page, "case-timeline")


def test_a_catalogue_edit_that_would_break_a_bundle_says_which_in_chinese(english: Any,
                                                                          live_server: LiveServer) -> None:
    page = english("admin")
    page.goto(live_server.url + "/app/admin/catalogue")
    page.select_option("#kind", "materials")
    page.wait_for_selector("#entries tr:has-text('sign_design')")
    page.click("#entries tr:has-text('sign_design') button:has-text('编辑')")
    page.wait_for_selector("#entry-name")
    assert "sign_design" in page.inner_text("#entry-title code")
    page.fill("#entry-name", "")
    page.click("#save-entry")
    page.wait_for_selector("#flash .notice.error")
    shown = page.inner_text("#flash") + "\n" + page.inner_text("#entry")
    assert "bundles." not in shown and "填写有误" not in shown, shown
    assert "一件事“开办餐饮店" in shown and "不能为空" in shown, shown
    # The one code left is the key of the entry being edited, as the administrator typed it.
    assert all(word.startswith("'sign_design'") for word in latin_words(page.inner_text("#flash"))), shown
    shot(page, "catalogue-broken")
