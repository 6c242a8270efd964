"""开办餐饮店 through the workbench, as the people at their screens do it: the window accepts the
bundle through the unified form (one secondary material tolerated, 容缺) and prints the receipt;
市场监管 and 消防 work their inboxes in parallel; 消防 asks for a correction, the window records
the supplied material, 消防 approves; 城管 and 卫健 approve; the window records the tolerated
material and hands every result over with the applicant's rating; supervision sees the
departments' on-time rates and the dashboard counts the case."""

from __future__ import annotations

from typing import Any

from engine.services.catalogue import get_bundle_catalogue
from forms.identifiers import credit_code_check_char
from forms.samples import sample_values
from tests.browser.conftest import Desk, LiveServer
from tests.conftest import APPLICANT

CREDIT_CODE = "92410702MA0000001" + credit_code_check_char("92410702MA0000001")
"""The business licence's number: the new restaurant's unified social credit code."""


def fill_unified_form(desk: Desk, server: LiveServer, code: str = "restaurant") -> None:
    """Types valid sample values into every field the bundle's form shows empty."""
    page = desk.page
    form = get_bundle_catalogue(server.engine.ctx, code).form()
    values = sample_values(form, APPLICANT)
    for field in form.fields:
        box = page.locator(f'#form-groups .field[data-key="{field.key}"]')
        value = values[field.key]
        if field.type == "multi_enum":
            for option in value:
                box.locator(f'input[value="{option}"]').check()
        elif field.type in ("enum", "boolean"):
            box.locator("select").select_option(str(value).lower() if field.type == "boolean" else str(value))
        else:
            control = box.locator("input, textarea").first
            if not control.input_value():
                control.fill(str(value))


def decide(desk: Desk, number: str, task: str, decision: str, *, reason: str = "", licence: str = "",
           materials: tuple[str, ...] = ()) -> None:
    """From the department's inbox: claim the case's task, then decide it on the task page."""
    page = desk.open("/app/inbox")
    row = page.locator(f'#inbox tr[data-case="{number}"]', has_text=task)
    assert row.count() == 1, page.inner_text("#inbox")
    assert row.locator(".clock .badge").count() == 1  # working days left, coloured
    row.locator("button", has_text="认领").click()
    page.wait_for_url("**/app/tasks/*")
    desk.settle()
    page.check(f'input[name=decision][value="{decision}"]')
    if licence:
        page.fill("#licence-number", licence)
    for material in materials:
        page.check(f'#correct-materials input[value="{material}"]')
    if reason:
        page.fill("#reason", reason)
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")
    desk.shot(f"task-{decision}-{task}")


def test_restaurant_from_intake_to_pickup_with_a_correction(desks: Any, live_server: LiveServer) -> None:
    clerk = desks("clerk")
    page = clerk.page
    assert page.url.endswith("/app/window")  # the login page sends the clerk to the window
    clerk.shot("window")

    # 一次告知 + 一表申请 + 一套材料 + 一窗受理
    page.click('#bundles a[data-bundle="restaurant"]')
    page.wait_for_selector('#form-groups .field[data-key="entity_type"] select')
    clerk.settle()
    assert "营业执照" in page.inner_text("#guide-body")
    assert page.locator('#applicant-fields [name="applicant.credit_code"]').count() == 0  # issued by the case
    for key in ("name", "id_number", "phone", "entity_name", "address"):
        page.fill(f'[name="applicant.{key}"]', APPLICANT[key])
    page.click("#lookup")
    page.wait_for_selector("#flash .notice.info")
    assert page.locator('#form-groups .field[data-key="name"].prefilled .badge.prefill').count() == 1
    assert page.input_value('#form-groups .field[data-key="id_number"] input') == APPLICANT["id_number"]
    fill_unified_form(clerk, live_server)
    page.click("#all-submitted")
    page.check('input[name="material:agent_authorisation"][value="tolerated"]')
    due = page.locator('#materials tr[data-material="agent_authorisation"] .due')
    due.wait_for()
    assert "须于" in due.inner_text() and "前补交" in due.inner_text()
    clerk.shot("intake")
    page.click("#accept")
    page.wait_for_url("**/receipt")
    clerk.settle()
    number = page.inner_text("#receipt-number")
    assert number.startswith("CY-")
    receipt = page.inner_text("#receipt")
    assert "受理回执" in receipt and "承诺办结日期" in receipt and "容缺受理" in receipt
    clerk.shot("receipt")

    # 并联审批: 市场监管 and 消防 each in their own inbox.
    scjg, xf = desks("scjg.reviewer"), desks("xf.reviewer")
    decide(scjg, number, "营业执照", "approve", licence=CREDIT_CODE)
    decide(xf, number, "消防", "correct", reason="消防安全告知承诺书未签字", materials=("fire_safety_commitment",))
    decide(scjg, number, "食品经营许可", "approve", licence="JY14107000000001")
    linked = scjg.page.inner_text("#item-linked")  # the licence reached the food permit inside the case (联动)
    assert "营业执照" in linked and CREDIT_CODE in linked

    # 补正: the window records what the applicant brought; the case goes back to 消防.
    page = clerk.open(f"/app/cases/{number}#correction")
    correction = page.locator("#correction form")
    assert correction.count() == 1 and "消防安全告知承诺书" in correction.inner_text()
    clerk.shot("case-correction")
    correction.locator("button[type=submit]").click()
    page.wait_for_selector("#flash .notice.ok")
    assert page.locator("#correction").is_hidden()
    decide(xf, number, "消防", "approve", licence="XF-2026-0001")
    decide(desks("cg.reviewer"), number, "户外招牌", "approve", licence="ZP-2026-0001")
    decide(desks("wj.reviewer"), number, "健康证明", "approve", licence="JKZ-2026-0001")

    # 容缺 material supplied, then 统一出件 with the applicant's rating (好差评).
    page = clerk.open(f"/app/cases/{number}")
    page.locator("#tolerated input[name=supplied]").check()
    page.locator("#tolerated button[type=submit]").click()
    page.wait_for_selector("#flash .notice.ok")
    assert page.locator("#tolerated").is_hidden()
    page.click("#case-actions a:has-text('统一出件')")
    page.wait_for_url("**/pickup")
    clerk.settle()
    results = page.inner_text("#pickup-results")
    assert "准予许可（5）" in results and "不予许可（0）" in results
    page.check('#rating input[value="5"]')
    page.fill("#rating-comment", "一次办好，不用跑五个部门")
    clerk.shot("pickup")
    page.click("#hand-over")
    page.wait_for_selector("#flash >> text=出件完成")
    assert "非常满意" in page.inner_text("#flash")
    clerk.shot("picked-up")
    page = clerk.open(f"/app/cases/{number}", shot="case-closed")
    assert "已办结" in page.inner_text("#case-summary")
    assert "统一出件" in page.inner_text("#case-timeline")

    # Supervision: every approval was on time; the dashboard counts the closed case.
    supervisor = desks("supervisor")
    page = supervisor.open("/app/supervision", shot="supervision")
    scjg_row = page.locator("#departments tr", has_text="市场监督管理局")
    assert "100.0%" in scjg_row.inner_text()
    page = supervisor.open("/app/dashboard", shot="dashboard")
    assert "统计 1 件已办结办件" in page.inner_text("#targets-source")
