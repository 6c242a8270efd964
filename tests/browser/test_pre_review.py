"""网上预审 at the window: an online application waits on the window page with how long it has waited;
the clerk returns it once with what to fix (the applicant is told), the applicant resubmits, and the
clerk accepts it: the case starts, channel online."""

from __future__ import annotations

from typing import Any

from engine.domain.notifications import Channel
from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application
from tests.senders import RecordingSender


def test_the_window_returns_then_accepts_an_online_application(desks: Any, live_server: LiveServer) -> None:
    texts = RecordingSender()
    live_server.engine.ctx.senders[Channel.SMS] = texts
    live_server.call("POST", "/api/applicant/login-code", {"phone": APPLICANT["phone"]})
    token = live_server.call("POST", "/api/applicant/login", {"phone": APPLICANT["phone"],
                                                              "code": texts.code_for(APPLICANT["phone"])})["token"]
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    draft = live_server.call("POST", "/api/applicant/applications",
                             {k: body[k] for k in ("bundle", "applicant", "form", "materials")}, token=token)
    live_server.call("POST", f"/api/applicant/applications/{draft['id']}/submit", token=token)

    clerk = desks("clerk")
    page = clerk.open("/app/window")
    row = page.locator(f'#online-applications li[data-application="{draft["id"]}"]')
    row.wait_for()
    assert "开办餐饮店一件事" in row.inner_text() and "已等待" in row.inner_text()
    row.locator("summary", has_text="查看申请材料").click()  # what the applicant sent, for 预审
    row.locator(".application-contents li", has_text="经营场所平面图").wait_for()
    assert "已提交" in row.locator(".application-contents").inner_text()
    row.locator("button", has_text="一次性告知并退回").click()
    row.locator('[data-error-for="notice"]').wait_for()  # a return needs its notice
    row.locator("textarea").fill("请补充经营场所平面图，并注明疏散通道。")
    row.locator("button", has_text="一次性告知并退回").click()
    page.wait_for_selector("#flash .notice.ok")
    page.wait_for_selector("#online-applications:has-text('暂无等待预审')")  # the list drawn again after the flash
    clerk.shot("returned")

    live_server.call("POST", f"/api/applicant/applications/{draft['id']}/submit", token=token)
    page = clerk.open("/app/window")
    row = page.locator(f'#online-applications li[data-application="{draft["id"]}"]')
    row.locator("button", has_text="受理").click()
    page.wait_for_selector("#flash .notice.ok:has-text('已受理')")
    number = page.inner_text("#flash").split("办件编号 ")[1].rstrip("。")
    case = live_server.call("GET", f"/api/cases/{number}", login="clerk")
    assert case["channel"] == "online"
    clerk.shot("accepted")
