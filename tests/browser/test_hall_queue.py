"""The hall at work: an applicant takes a ticket at the machine (touch, phone size), the clerk calls
the next one from the window page, and the hall's display — fed by server-sent events — shows the
number and the window within a second of the call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.domain.clocks import SHANGHAI
from tests.browser.conftest import LiveServer, assert_no_raw_error, phone_page

MONDAY_MORNING = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hall_open(live_server: LiveServer) -> Iterator[None]:
    """The server's clock on a Monday morning, running: the hall is open whenever the test runs."""
    ctx = live_server.engine.ctx
    started, before = time.monotonic(), ctx.clock
    ctx.clock = lambda: MONDAY_MORNING + timedelta(seconds=time.monotonic() - started)
    yield
    ctx.clock = before


def test_a_ticket_is_called_and_the_display_shows_it_within_a_second(
        browser: Any, desks: Any, live_server: LiveServer, hall_open: None) -> None:
    with phone_page(browser) as (kiosk, errors):
        kiosk.goto(live_server.url + "/hall/hongqi/ticket")
        kiosk.wait_for_selector("#ticket-bundles input[value=newborn]")
        kiosk.check("#ticket-bundles input[value=newborn]")
        kiosk.click("#take-ticket")
        kiosk.wait_for_selector("#ticket-number")
        number = kiosk.inner_text("#ticket-number")
        assert number.startswith("A") and "红旗区政务服务中心" in kiosk.inner_text("h1")
        assert_no_raw_error(kiosk)
    assert not errors, errors

    display = desks(None)
    screen = display.open("/hall/hongqi")
    screen.wait_for_selector("#hall-title:has-text('红旗区政务服务中心')")
    clerk = desks("clerk")
    page = clerk.open("/app/window")
    page.select_option("#queue-point", "hongqi")
    page.fill("#queue-window", "3")
    screen.wait_for_timeout(600)  # the display's event stream is open
    clicked = time.monotonic()
    page.click("#call-next")
    screen.wait_for_selector(f"#now-number:has-text('{number}')", timeout=3000)
    shown = time.monotonic() - clicked
    assert "3 号窗口" in screen.inner_text("#now-window")
    assert shown < 1.0, f"the display showed the call {shown:.2f} s after the click"
    page.wait_for_selector(f"#queue-called:has-text('{number}')")
    display.shot("display")
    clerk.shot("called")
