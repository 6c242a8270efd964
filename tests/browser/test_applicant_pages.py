"""我的办件 at phone width (390 x 844): an applicant signs in with the code the SMS brought (here, the
channel's log), sees the case the window accepted for their mobile number, opens it, reads the
correction 消防 asks for (what is wrong with the floor plan) and the acceptance message; nothing
scrolls sideways."""

from __future__ import annotations

from typing import Any

from engine.domain.notifications import Channel
from tests.approvals import approval
from tests.browser.conftest import LiveServer, assert_no_raw_error, phone_page, sign_in_by_code
from tests.browser.test_phone_width import WIDTH, measure
from tests.conftest import APPLICANT, application
from tests.senders import RecordingSender


def test_an_applicant_signs_in_by_sms_code_and_reads_what_to_correct(browser: Any, live_server: LiveServer,
                                                                    tmp_path: Any) -> None:
    from engine.services.timers import tick

    texts = RecordingSender()
    live_server.engine.ctx.senders[Channel.SMS] = texts
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
    case = live_server.call("POST", "/api/cases", body, login="clerk")
    licence = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
    live_server.call("POST", f"/api/tasks/{licence['id']}/complete", approval(licence), login="scjg.reviewer")
    fire = next(t for t in live_server.call("GET", f"/api/tasks?case={case['number']}", login="xf.reviewer")["items"]
                if t["item"] == "cy.xf")
    live_server.call("POST", f"/api/tasks/{fire['id']}/complete", {
        "decision": "correct", "materials": ["premises_layout"], "reason": "平面图不清晰",
        "notes": {"premises_layout": "未标注疏散通道和安全出口"}}, login="xf.reviewer")
    tick(live_server.engine.ctx)

    with phone_page(browser) as (page, errors):
        sign_in_by_code(page, live_server, APPLICANT["phone"], texts.code_for)
        page.wait_for_selector("#my-cases li")
        page.click(f"#my-cases button:has-text('{case['number']}')")
        page.wait_for_selector("#my-case:not([hidden]) h3")
        shown = page.inner_text("#my-case")
        assert "需要补正" in shown and "未标注疏散通道和安全出口" in shown and "消防救援机构" in shown
        messages = page.inner_text("#my-messages")
        assert "已受理" in messages and "补正" in messages
        assert_no_raw_error(page)
        found = measure(page)
        assert found["scroll"] <= WIDTH and not found["wide"], found
        page.screenshot(path=str(tmp_path / "my.png"), full_page=True)
        page.click("#sign-out")
        page.wait_for_selector("#sign-in:not([hidden])")
    assert not errors, errors
