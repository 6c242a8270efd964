"""The applicant's whole case at phone size (390 x 844), online from end to end: sign in with the
code the SMS gateway (on loopback) carried, apply for 开办餐饮店 with uploaded scans and a signed
commitment, be returned once by 网上预审, fix and resubmit, be accepted, hear of a correction by
SMS, supply it online, hear that the results are ready, take and download the e-licences, rate the
service. The case counts no trip; nothing scrolls sideways; every step is kept as a screenshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.domain.notifications import Channel
from engine.services.timers import tick
from engine.sources.sms_gateway import SmsGateway, SmsGatewayConfig
from tests.approvals import approval
from tests.browser.conftest import ARTIFACTS, LiveServer, assert_no_raw_error, phone_page
from tests.browser.test_phone_width import WIDTH, measure
from tests.conftest import applicant_for, application
from tests.scans import pdf, photo
from tests.sms_gateway_server import running_gateway

PHONE = "13700001111"


def texts_to(gateway: Any, template: str) -> list[str]:
    return [m["text"] for m in gateway.received if m["phone"] == PHONE and m["template"] == template]


def fill_form(page: Any, schema: dict[str, Any], values: dict[str, Any]) -> None:
    """Types the unified form's values into the page, by each field's control."""
    for key, value in values.items():
        kind = schema["properties"][key].get("x-type")
        if kind == "multi_enum":
            for option in value:
                page.check(f'input[name="form.{key}"][value="{option}"]')
        elif kind == "boolean":
            page.select_option(f'[name="form.{key}"]', "true" if value else "false")
        elif kind == "enum":
            page.select_option(f'[name="form.{key}"]', str(value))
        else:
            page.fill(f'[name="form.{key}"]', str(value))


def test_an_applicant_does_the_whole_case_online_at_phone_size(browser: Any, live_server: LiveServer,
                                                              tmp_path: Path) -> None:
    engine = live_server.engine
    scans = {"plan.pdf": pdf(2), "plan2.jpg": photo(), "sign.jpg": photo(shade=200)}
    for name, data in scans.items():
        (tmp_path / name).write_bytes(data)
    ARTIFACTS.mkdir(exist_ok=True)
    shots: list[str] = []

    def shot(page: Any, name: str) -> None:
        assert_no_raw_error(page)
        found = measure(page)
        assert found["scroll"] <= WIDTH and not found["wide"], (name, found)
        path = ARTIFACTS / f"online_journey-{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)

    applicant = {**applicant_for(engine, "restaurant"), "phone": PHONE}
    filled = application(engine, "restaurant", applicant)["form"]
    schema = live_server.call("GET", "/api/public/bundles/restaurant/guide")["form"]["schema"]

    with running_gateway() as gateway, phone_page(browser) as (page, errors):
        engine.ctx.senders[Channel.SMS] = SmsGateway(SmsGatewayConfig(gateway.url, gateway.key, "【测试】"))
        page.goto(live_server.url + "/guide/restaurant")
        page.click("#guide-actions a:has-text('网上申请')")
        page.wait_for_selector("#apply-sign-in:not([hidden])")
        page.click("#apply-login")
        page.wait_for_selector("#sign-in:not([hidden])")
        page.fill("#phone", PHONE)
        page.click("#send-code")
        page.wait_for_selector("#code-note:has-text('验证码已发送')")
        [login_text] = texts_to(gateway, "ONETHING_LOGIN_CODE")
        code = re.search(r"\d{6}", login_text)
        assert code is not None
        page.fill("#code", code.group(0))
        shot(page, "sign-in")
        page.click("#sign-in-button")

        # 网上申请: the applicant block, the form, scans, a commitment, e-licence delivery.
        page.wait_for_url(re.compile(r".*/apply/restaurant"))
        page.wait_for_selector("#apply:not([hidden])")
        assert page.input_value('[name="applicant.phone"]') == PHONE
        for key, value in applicant.items():
            if key != "phone":
                page.fill(f'[name="applicant.{key}"]', value)
        fill_form(page, schema, filled)
        page.set_input_files('[data-material="premises_layout"] input[type=file]', str(tmp_path / "plan.pdf"))
        page.wait_for_selector('[data-material="premises_layout"] .uploaded:has-text("plan.pdf")')
        page.check('input[name="material:fire_safety_commitment"][value="commitment"]')
        page.check('input[name="delivery"][value="online"]')
        page.fill("#signed_by", applicant["name"])
        shot(page, "application")
        page.click("#submit")
        page.wait_for_selector("#apply-state:has-text('已提交网上预审')")
        shot(page, "submitted")

        # 网上预审 returns it once; the applicant reads why, fixes the floor plan and submits again.
        [waiting] = live_server.call("GET", "/api/online-applications", login="clerk")["applications"]
        assert waiting["applicant"]["phone"] == PHONE and waiting["commitment"]["signed_by"] == applicant["name"]
        live_server.call("POST", f"/api/online-applications/{waiting['id']}/return",
                         {"notice": "经营场所平面图须标明专间和疏散通道。"}, login="clerk")
        tick(engine.ctx)
        [returned] = texts_to(gateway, "ONETHING_RETURNED")
        assert "专间和疏散通道。请按" in returned  # the notice as a sentence, its full stop once
        page.goto(live_server.url + "/my")
        page.wait_for_selector("#my-applications .notice.warn:has-text('专间和疏散通道')")
        shot(page, "returned")
        page.click("#my-applications a")
        page.wait_for_selector("#apply-state:has-text('窗口预审退回')")
        page.set_input_files('[data-material="premises_layout"] input[type=file]', str(tmp_path / "plan2.jpg"))
        page.wait_for_selector('[data-material="premises_layout"] .uploaded:has-text("plan2.jpg")')
        page.fill("#signed_by", applicant["name"])
        page.click("#submit")
        page.wait_for_selector("#apply-state:has-text('已提交网上预审')")
        accepted = live_server.call("POST", f"/api/online-applications/{waiting['id']}/accept", login="clerk")
        number = accepted["case_number"]
        tick(engine.ctx)
        assert texts_to(gateway, "ONETHING_ACCEPTED")

        # 城管 asks for a corrected sign design: the SMS comes, the applicant supplies it online.
        case = live_server.call("GET", f"/api/cases/{number}", login="clerk")
        licence = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
        live_server.call("POST", f"/api/tasks/{licence['id']}/complete", approval(licence), login="scjg.reviewer")
        sign = next(t for t in live_server.call("GET", f"/api/tasks?case={number}", login="cg.reviewer")["items"]
                    if t["item"] == "cy.zp")
        live_server.call("POST", f"/api/tasks/{sign['id']}/complete", {
            "decision": "correct", "materials": ["sign_design"], "reason": "招牌尺寸未标注",
            "notes": {"sign_design": "请标注招牌的长、宽和安装高度"}}, login="cg.reviewer")
        tick(engine.ctx)
        assert any("补正" in text for text in texts_to(gateway, "ONETHING_CORRECTION"))
        page.goto(live_server.url + "/my")
        page.click(f"#my-cases button:has-text('{number}')")
        page.wait_for_selector("#my-case .to-do")
        assert "请标注招牌的长、宽和安装高度" in page.inner_text("#my-case")
        page.set_input_files('#my-case .to-do input[type=file]', str(tmp_path / "sign.jpg"))
        page.wait_for_selector("#my-case .to-do .hint:has-text('sign.jpg')")
        shot(page, "correction")
        page.click("#my-case .to-do button:has-text('提交补正材料')")
        page.wait_for_selector("#flash:has-text('补正材料已提交')")

        # The departments finish; results ready; the applicant takes the e-licences and rates.
        for _ in range(10):
            open_tasks = [t for t in live_server.call("GET", f"/api/tasks?case={number}&state=open",
                                                      login="supervisor")["items"] if t["kind"] == "approval"]
            if not open_tasks:
                break
            for task in open_tasks:
                reviewer = {"scjg": "scjg.reviewer", "cg": "cg.reviewer", "xf": "xf.reviewer", "wj": "wj.reviewer"}
                live_server.call("POST", f"/api/tasks/{task['id']}/complete", approval(task),
                                 login=reviewer[task["department"]])
        tick(engine.ctx)
        assert texts_to(gateway, "ONETHING_RESULTS_READY")
        page.goto(live_server.url + "/my")
        page.click(f"#my-cases button:has-text('{number}')")
        page.wait_for_selector("#take-elicences")
        shot(page, "results-ready")
        page.click("#take-elicences")
        page.wait_for_selector("#my-case .licences li")
        with page.expect_download() as download:
            page.click("#my-case .documents a:has-text('电子证照')")
        saved = tmp_path / "elicences.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        page.check('#my-case input[name="rating"][value="5"]')
        page.click("#my-case button:has-text('提交评价')")
        page.wait_for_selector("#my-case:has-text('您的评价：非常满意')")
        shot(page, "rated")
    assert not errors, errors

    savings = live_server.call("GET", f"/api/cases/{number}/savings", login="clerk")
    assert savings["figures"]["trips"]["actual"] == 0, savings["figures"]["trips"]
    assert len(shots) == 7
