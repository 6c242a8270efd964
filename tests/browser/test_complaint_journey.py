"""有诉即办 in the browser (issue 28): an applicant complains on their phone, the supervisor assigns
it to a department on the 工单 page, the department responds and replies there, and the applicant
confirms the reply on their phone: the order is closed, its timeline complete."""

from __future__ import annotations

from typing import Any

from engine.domain.notifications import Channel
from tests.browser.conftest import ARTIFACTS, LiveServer, assert_no_raw_error, phone_page, sign_in_by_code
from tests.senders import RecordingSender


def test_a_complaint_goes_from_the_applicants_phone_to_its_closure(
        browser: Any, desks: Any, live_server: LiveServer) -> None:
    texts = RecordingSender()
    live_server.engine.ctx.senders[Channel.SMS] = texts
    phone = "13700003333"
    with phone_page(browser) as (page, errors):
        sign_in_by_code(page, live_server, phone, texts.code_for)
        page.wait_for_selector("#my-work-orders p")  # drawn once the form's handler is in place
        page.click("#complaint-form button[type=submit]")  # nothing filled in: told what is missing
        page.wait_for_selector("#complaint-form [data-error-for=title]:not(:empty)")
        page.select_option("#complaint-kind", "complaint")
        page.fill("#complaint-title", "窗口告知不一致")
        page.fill("#complaint-name", "周女士")
        page.fill("#complaint-description", "两次到窗口，告知的材料不一样，多跑了一趟。")
        page.click("#complaint-form button[type=submit]")
        page.wait_for_selector("#flash:has-text('已提交')")
        number = page.inner_text("#flash").split("工单编号 ")[1].split("，")[0]
        page.wait_for_selector(f"#my-work-orders [data-order='{number}']")
        assert_no_raw_error(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "complaint-01-raised.png"), full_page=True)

        office = desks("supervisor")
        board = office.open("/app/work-orders")
        board.click(f"#orders [data-order='{number}']")
        board.wait_for_selector(f"#order h2:has-text('{number}')")
        board.select_option("#order select[name=department]", "scjg")
        board.click("#order button:has-text('交办')")
        board.wait_for_selector("#order p:has-text('市场监督管理局')")
        office.shot("assigned")

        reviewer = desks("scjg.reviewer")
        desk = reviewer.open("/app/work-orders")
        desk.click(f"#orders [data-order='{number}']")
        desk.click("#order button:has-text('响应')")
        desk.wait_for_selector("#order p:has-text('办理中')")
        desk.fill("#order textarea[name=reply]", "已核对办事指南并统一窗口告知口径，向申请人致歉。")
        desk.click("#order button:has-text('答复')")
        desk.wait_for_selector("#order p:has-text('已答复待确认')")
        reviewer.shot("replied")

        page.reload()
        page.wait_for_selector(f"#my-work-orders [data-order='{number}'] .confirm-reply")
        assert "统一窗口告知口径" in page.inner_text(f"#my-work-orders [data-order='{number}']")
        page.click(f"#my-work-orders [data-order='{number}'] .confirm-reply")
        page.wait_for_selector("#flash:has-text('诉求办结')")
        page.wait_for_selector(f"#my-work-orders [data-order='{number}']:has-text('已办结')")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "complaint-02-confirmed.png"), full_page=True)
    assert not errors, errors
    closed = live_server.call("GET", f"/api/work-orders/{number}", login="supervisor")
    assert closed["state"] == "closed" and closed["outcome"] == "confirmed"
    assert [e["type"] for e in closed["timeline"]] == ["WorkOrderRaised", "WorkOrderAssigned", "WorkOrderResponded",
                                                      "WorkOrderReplied", "WorkOrderConfirmed"]
