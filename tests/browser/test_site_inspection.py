"""市场监管 inspects a food production site from its inbox (现场核查): a failed site must be described,
the decision page then shows what the inspectors found and refuses an approval; the department asks
for 整改, the site is inspected again and passes, and the permit is granted."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Desk, LiveServer
from tests.conftest import applicant_for, application


def claim(desk: Desk, number: str, title: str) -> Any:
    page = desk.open("/app/inbox")
    row = page.locator(f'#inbox tr[data-case="{number}"]', has_text=title)
    assert row.count() == 1, page.inner_text("#inbox")
    row.locator("button", has_text="认领").click()
    page.wait_for_url("**/app/tasks/*")
    desk.settle()
    return page


def test_a_site_fails_is_put_right_and_passes_before_the_permit(desks: Any, live_server: LiveServer) -> None:
    engine = live_server.engine
    applicant = applicant_for(engine, "food_production")
    body = {"bundle": "food_production", "applicant": applicant, **application(engine, "food_production", applicant)}
    body["form"]["food_permit_application_type"] = "新办"
    number = str(live_server.call("POST", "/api/cases", body, login="clerk")["number"])

    scjg = desks("scjg.reviewer")
    page = claim(scjg, number, "现场核查")
    assert page.locator("#inspection-section").is_visible() and page.locator("#decision-section").is_hidden()
    assert page.input_value("#inspected-on")  # today by default
    page.check('#inspect input[name=result][value="failed"]')
    page.click("#submit-inspection")
    page.wait_for_selector('[data-error-for="findings"]:not(:empty)')
    assert "问题" in page.inner_text('[data-error-for="findings"]')
    page.fill("#findings", "原料库与成品库未分区")
    scjg.shot("inspection-failed")
    page.click("#submit-inspection")
    page.wait_for_selector("#flash .notice.ok")
    assert "不合格" in page.inner_text("#flash")

    page = claim(scjg, number, "食品生产许可")
    assert "现场核查不合格" in page.inner_text("#inspection-result")
    assert "原料库与成品库未分区" in page.inner_text("#inspection-result")
    page.check('input[name=decision][value="approve"]')
    page.fill("#licence-number", "SC10641070000001")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.error")
    assert "现场核查不合格" in page.inner_text("#flash")
    page.check('input[name=decision][value="correct"]')
    page.check('#correct-materials input[value="production_layout_flow"]')
    page.fill("#reason", "请按核查意见整改后补正平面图")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")

    tasks = live_server.call("GET", f"/api/tasks?case={number}&state=open", login="supervisor")["items"]
    supply = next(t for t in tasks if t["kind"] == "correction")
    live_server.call("POST", f"/api/tasks/{supply['id']}/complete", {"supplied": ["production_layout_flow"]},
                     login="clerk")
    page = claim(scjg, number, "现场核查")
    page.check('#inspect input[name=result][value="passed"]')
    page.fill("#findings", "已按要求分区")
    page.click("#submit-inspection")
    page.wait_for_selector("#flash .notice.ok")

    page = claim(scjg, number, "食品生产许可")
    assert "现场核查合格" in page.inner_text("#inspection-result")
    page.check('input[name=decision][value="approve"]')
    page.fill("#licence-number", "SC10641070000001")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")
    scjg.shot("permit-granted")
    detail = live_server.call("GET", f"/api/cases/{number}", login="supervisor")
    item = next(i for i in detail["items"] if i["code"] == "sp.sc")
    assert item["status"] == "approved" and item["inspection"]["result"] == "passed"
    page = scjg.open(f"/app/cases/{number}")
    assert page.inner_text("#case-timeline").count("现场核查") >= 2
