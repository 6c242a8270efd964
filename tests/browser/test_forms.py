"""What the pages say when the API refuses something: the Chinese message at the top and each
field's error beside the field; and the administrators' pages used as a person would (users,
calendar, catalogue)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer


def test_intake_errors_are_shown_beside_their_fields(desks: Any, live_server: LiveServer) -> None:
    clerk = desks("clerk")
    page = clerk.open("/app/window/new/restaurant")
    page.fill('[name="applicant.entity_name"]', "小明面馆")
    page.fill('[name="applicant.name"]', "陈小明")
    page.fill('[name="applicant.id_number"]', "110105194912310021")  # wrong check digit
    page.fill('[name="applicant.phone"]', "13800138000")
    page.click("#accept")
    page.wait_for_selector("#flash .notice.error")
    assert "申请人信息不完整或有误" in page.inner_text("#flash")
    assert "校验位" in page.inner_text('[data-error-for="applicant.id_number"]')
    clerk.shot("intake-applicant-refused")

    page.fill('[name="applicant.id_number"]', "11010519491231002X")
    page.click("#accept")
    page.wait_for_selector("#flash >> text=申请表或材料清单不完整或有误")
    assert page.inner_text('[data-error-for="form.entity_type"]') != ""
    assert page.inner_text('[data-error-for="materials.applicant_id"]') != ""
    assert page.locator('#form-groups .field[data-key="entity_type"] select.invalid').count() == 1
    clerk.shot("intake-form-refused")


def test_administrators_pages(desks: Any, live_server: LiveServer) -> None:
    admin = desks("admin")

    page = admin.open("/app/admin/users")
    page.fill("#u-login", "li.new")
    page.fill("#u-name", "李新")
    page.select_option("#u-department", "xf")
    page.check('#u-roles input[value="reviewer"]')
    page.fill("#u-password", "short")
    page.click("#save-user")
    page.wait_for_selector("#flash .notice.error")
    assert page.inner_text('[data-error-for="password"]') != ""
    admin.shot("user-refused")
    page.fill("#u-password", "a-long-enough-password-1")
    page.click("#save-user")
    page.wait_for_selector("#flash >> text=已创建用户 li.new")
    page.wait_for_selector("#users >> text=li.new")  # the list is read again after the flash
    admin.shot("user-created")

    page = admin.open("/app/admin/calendar")
    page.fill("#day", "2026-12-31")
    page.select_option("#kind", "holiday")
    page.fill("#reason", "测试：年末闭馆")
    page.click("#override button[type=submit]")
    page.wait_for_selector("#flash >> text=已将 2026-12-31 调整为放假")
    assert "测试：年末闭馆" in page.inner_text("#overrides")
    admin.shot("calendar-override")
    page.locator("#overrides button", has_text="撤销").click()
    page.wait_for_selector("#flash >> text=已撤销")
    assert "测试：年末闭馆" not in page.inner_text("#overrides")

    page = admin.open("/app/admin/catalogue")
    page.select_option("#kind", "materials")
    page.fill("#filter", "food_safety_rules")
    page.locator("#entries button", has_text="编辑").click()
    page.fill("#entry-name", "食品安全管理制度及管理人员信息")
    page.click("#save-entry")
    page.wait_for_selector("#flash >> text=已保存 food_safety_rules")
    assert "食品安全管理制度及管理人员信息" in page.inner_text("#entries")
    admin.shot("catalogue-saved")


def test_a_reviewer_starts_and_ends_a_special_procedure(desks: Any, live_server: LiveServer) -> None:
    from tests.browser.test_pages import start_case

    number, _ = start_case(live_server)
    # 卫健's health check is open from the start (消防 waits for the business licence).
    wj = desks("wj.reviewer")
    page = wj.open("/app/inbox")
    page.locator(f'#inbox tr[data-case="{number}"] button', has_text="认领").click()
    page.wait_for_url("**/app/tasks/*")
    wj.settle()
    page.click("#pause button[type=submit]")  # no procedure chosen: refused beside the field
    page.wait_for_selector("#flash .notice.error")
    assert page.inner_text('#pause [data-error-for="procedure"]') == "请选择"
    page.select_option("#procedure", "testing")
    page.click("#pause button[type=submit]")  # no reason: the API's answer, in Chinese, beside the field
    page.wait_for_selector('#pause [data-error-for="reason"]:has-text("不能为空，且不超过 500 个字符")')
    page.fill("#pause-reason", "从业人员健康体检样本检测")
    page.click("#pause button[type=submit]")
    page.wait_for_selector("#flash >> text=审批时限暂停计算")
    assert "暂停计时" in page.inner_text("#task-summary")
    wj.shot("task-paused")
    page.click("#resume")
    page.wait_for_selector("#flash >> text=恢复计算")
    assert "暂停计时" not in page.inner_text("#task-summary")
