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
from tests.browser.conftest import LiveServer, assert_no_raw_error, phone_page, sign_in_by_code

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
    clerk = desks("clerk.hongqi")
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


def test_booked_online_ticketed_called_shown_and_accepted_from_the_booking(
        browser: Any, desks: Any, live_server: LiveServer, hall_open: None) -> None:
    from engine.domain.notifications import Channel
    from tests.browser.test_subjects import fill_applicant, fill_required_fields, first_time_applicant
    from tests.senders import RecordingSender

    texts = RecordingSender()
    live_server.engine.ctx.senders[Channel.SMS] = texts
    phone = "13700002222"
    with phone_page(browser) as (page, errors):
        sign_in_by_code(page, live_server, phone, texts.code_for)
        page.wait_for_selector("#booking-form select[name=point] option", state="attached")
        page.select_option("#booking-point", "hongqi")
        page.select_option("#booking-bundle", "newborn")
        page.fill("#booking-day", MONDAY_MORNING.date().isoformat())
        page.dispatch_event("#booking-day", "change")
        page.wait_for_selector("#booking-slot option:has-text('10:30')", state="attached")
        page.select_option("#booking-slot", label=page.locator("#booking-slot option", has_text="10:30").inner_text())
        page.fill("#booking-name", "林新")
        page.click("#booking-form button[type=submit]")
        page.wait_for_selector("#flash:has-text('预约成功')")
        code = page.inner_text("#flash").split("预约号 ")[1].split("，")[0]
        page.wait_for_selector(f"#my-bookings:has-text('{code}')")  # the list drawn again after the message
        assert_no_raw_error(page)

        page.goto(live_server.url + "/hall/hongqi/ticket")
        page.wait_for_selector("#booking-code")
        page.fill("#booking-code", code.lower())  # typed in any case
        page.click("#take-booked")
        page.wait_for_selector("#ticket-number")
        number = page.inner_text("#ticket-number")
        assert number.startswith("B")
    assert not errors, errors

    display = desks(None)
    screen = display.open("/hall/hongqi")
    screen.wait_for_selector("#hall-title:has-text('红旗区政务服务中心')")
    clerk = desks("clerk.hongqi")
    window = clerk.open("/app/window")
    window.select_option("#queue-point", "hongqi")
    window.fill("#queue-window", "2")
    screen.wait_for_timeout(600)
    clicked = time.monotonic()
    window.click("#call-next")
    screen.wait_for_selector(f"#now-number:has-text('{number}')", timeout=3000)
    shown = time.monotonic() - clicked
    assert shown < 1.0, f"the display showed the call {shown:.2f} s after the click"

    window.click("#intake-from-booking")
    window.wait_for_selector("#form-groups .field")
    window.wait_for_selector("#flash:has-text('受理预约')")
    assert window.input_value('[name="applicant.name"]') == "林新"
    assert window.input_value('[name="applicant.phone"]') == phone
    guide = live_server.call("GET", "/api/bundles/newborn/guide", login="clerk")
    applicant = {**first_time_applicant(guide["subject"]["kind"], 77), "name": "林新", "phone": phone}
    fill_applicant(window, guide["subject"], applicant)
    window.click("#lookup")
    window.wait_for_selector("#flash .notice.info")
    fill_required_fields(clerk, "newborn", applicant)
    window.click("#all-submitted")
    window.click("#accept")
    window.wait_for_url("**/receipt")
    case_number = window.inner_text("#receipt-number")
    booking = next(b for b in live_server.call("GET", "/api/hall/hongqi/bookings?day=2026-12-07", login="clerk")
                   ["bookings"] if b["code"] == code)
    assert booking["case_number"] == case_number and booking["state"] == "arrived"
    clerk.shot("accepted-from-booking")
