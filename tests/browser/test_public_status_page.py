"""办件查询 in the browser, as an applicant who scanned the receipt's QR code: no login; the page
opens with the case number filled in, asks for the last six characters, shows the progress by
department in Chinese, and a wrong pair in Chinese beside the form."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application


def test_an_applicant_reads_the_progress_with_the_number_and_the_last_six(desks: Any, live_server: LiveServer) -> None:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    number = live_server.call("POST", "/api/cases", body, login="clerk")["number"]
    applicant = desks(None)
    page = applicant.open(f"/status/{number}")
    assert page.input_value("#number") == number
    page.fill("#check", "000000" if not APPLICANT["id_number"].endswith("000000") else "111111")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#flash .notice.error")
    assert "办件编号或证件号码后六位不正确" in page.inner_text("#flash")
    page.fill("#check", APPLICANT["id_number"][-6:])
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#status-result table")
    result = page.inner_text("#status-result")
    assert "开办餐饮店一件事" in result and "审批中" in result and "市场监督管理局" in result
    assert APPLICANT["name"] not in result and APPLICANT["id_number"] not in page.content()
    applicant.shot("progress")
