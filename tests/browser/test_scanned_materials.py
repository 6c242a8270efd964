"""Scanned materials through the workbench (issue 25): the window accepts a 开办餐饮店 case with the
floor plan as a three-page PDF and the ID card photographed on both sides; 消防 opens the floor plan
in the browser, pages through it, zooms, and asks for a correction on it saying what is wrong; the
window uploads the corrected scan; 消防 sees both versions, reads the new one and approves; the
case page prints the notices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.test_restaurant_journey import CREDIT_CODE, decide, fill_unified_form
from tests.conftest import APPLICANT
from tests.scans import pdf, photo


def test_the_fire_reviewer_reads_the_floor_plan_asks_for_a_correction_and_sees_both_versions(
        desks: Any, live_server: LiveServer, tmp_path: Path) -> None:
    names = ("平面图.pdf", "身份证正面.jpg", "身份证反面.png", "平面图-补正.pdf")
    plan, front, back, corrected = (tmp_path / n for n in names)
    plan.write_bytes(pdf(3, "floor plan"))
    front.write_bytes(photo())
    back.write_bytes(photo(fmt="PNG"))
    corrected.write_bytes(pdf(2, "floor plan with exits"))

    clerk = desks("clerk")
    page = clerk.open("/app/window/new/restaurant")
    page.wait_for_selector('#form-groups .field[data-key="entity_type"] select')
    clerk.settle()
    for key in ("name", "id_number", "phone", "entity_name", "address"):
        page.fill(f'[name="applicant.{key}"]', APPLICANT[key])
    fill_unified_form(clerk, live_server)
    page.click("#all-submitted")
    page.set_input_files('#materials tr[data-material="premises_layout"] input[type=file]', str(plan))
    page.set_input_files('#materials tr[data-material="applicant_id"] input[type=file]', [str(front), str(back)])
    assert "平面图.pdf" in page.inner_text('#materials tr[data-material="premises_layout"]')
    clerk.shot("intake-with-scans")
    page.click("#accept")
    page.wait_for_url("**/receipt")
    number = page.inner_text("#receipt-number")

    page = clerk.open(f"/app/cases/{number}")
    files = page.locator('#case-files li[data-material="applicant_id"] .file-thumb')
    files.first.wait_for()
    assert files.count() == 2
    notices = page.locator("#case-actions a[href$='.pdf']")
    assert {notices.nth(n).inner_text() for n in range(notices.count())} >= {"打印受理回执", "一次性告知书"}
    clerk.shot("case-files")

    decide(desks("scjg.reviewer"), number, "营业执照", "approve", licence=CREDIT_CODE)
    xf = desks("xf.reviewer")
    page = xf.open("/app/inbox")
    page.locator(f'#inbox tr[data-case="{number}"]', has_text="消防").locator("button", has_text="认领").click()
    page.wait_for_url("**/app/tasks/*")
    xf.settle()
    layout = page.locator('#item-files li[data-material="premises_layout"]')
    layout.locator(".file-thumb").click()
    viewer = page.locator("#item-files .file-viewer")
    expect(viewer.locator(".file-page-no")).to_have_text("第 1 / 3 页")
    image = viewer.locator("img.file-page")
    expect(image).to_have_attribute("src", re.compile(r"/pages/1\?width=800$"))
    expect(image).to_have_js_property("naturalWidth", 800)  # the page, rendered by the server, arrived
    viewer.locator("button", has_text="下一页").click()
    expect(viewer.locator(".file-page-no")).to_have_text("第 2 / 3 页")
    viewer.locator("button", has_text="放大").click()
    expect(image).to_have_attribute("src", re.compile(r"/pages/2\?width=1200$"))
    expect(image).to_have_js_property("naturalWidth", 1200)
    xf.shot("floor-plan-page-2")
    assert page.locator('#item-files li[data-material="sign_design"]').count() == 0  # not the fire item's

    page.check('input[name=decision][value="correct"]')
    page.check('#correct-materials input[value="premises_layout"]')
    page.fill('#correct-materials input[name="note:premises_layout"]', "未标注疏散通道和安全出口")
    page.fill("#reason", "平面图不符合要求")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")
    xf.shot("correction-asked")

    clerk.open("/app/window")  # away first: the same address with only a new hash would not load again
    page = clerk.open(f"/app/cases/{number}#correction")
    block = page.locator('#case-files li[data-material="premises_layout"]')
    block.locator(".notice.warn").wait_for()
    assert "未标注疏散通道和安全出口" in block.inner_text()
    block.locator("input[type=file]").set_input_files(str(corrected))
    block.locator("button", has_text="上传新版本").click()
    page.wait_for_selector("#flash .notice.ok")
    block = page.locator('#case-files li[data-material="premises_layout"]')
    expect(block.locator(".file-version")).to_have_count(2)
    assert "补正提交" in block.locator(".file-version.current").inner_text()
    page.locator("#correction form button[type=submit]").click()
    page.wait_for_selector("#flash .notice.ok")
    clerk.shot("corrected-scan")

    page = xf.open("/app/inbox")
    page.locator(f'#inbox tr[data-case="{number}"]', has_text="消防").locator("button", has_text="认领").click()
    page.wait_for_url("**/app/tasks/*")
    xf.settle()
    layout = page.locator('#item-files li[data-material="premises_layout"]')
    expect(layout.locator(".file-version")).to_have_count(2)
    assert "当前版本" in layout.locator(".file-version.current").inner_text()
    assert "已被替换" in layout.locator(".file-version:not(.current)").inner_text()
    layout.locator(".file-version.current .file-thumb").click()
    expect(page.locator("#item-files .file-viewer .file-page-no")).to_have_text("第 1 / 2 页")
    xf.shot("both-versions")
    page.check('input[name=decision][value="approve"]')
    page.fill("#licence-number", "XF-2026-0002")
    page.click("#submit-decision")
    page.wait_for_selector("#flash .notice.ok")
