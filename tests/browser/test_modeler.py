"""An administrator edits the 开办餐饮店 flow in the BPMN modeler (bpmn-js): a broken edit is
refused with its problems listed and marked on the diagram; a rename is saved as a new version,
checked, and deployed for new cases."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer

ADD_STRAY_TASK = """() => {
  const modeler = window.onethingModeler;
  const registry = modeler.get("elementRegistry");
  const lane = registry.get("lane_window");
  const shape = modeler.get("elementFactory").createShape({ type: "bpmn:UserTask" });
  const where = { x: lane.x + lane.width - 120, y: lane.y + lane.height / 2 };
  const placed = modeler.get("modeling").createShape(shape, where, registry.get("restaurant_participant"));
  modeler.get("modeling").updateLabel(placed, "无人连接的任务");
  return placed.id;
}"""


def test_admin_edits_the_flow_in_the_modeler_and_deploys_it(desks: Any, live_server: LiveServer) -> None:
    admin = desks("admin")
    page = admin.open("/app/admin/flows", shot="flows")
    page.locator('section[data-bundle="restaurant"] a', has_text="在建模器中编辑").click()
    page.wait_for_url("**/app/admin/flows/restaurant/modeler")
    page.wait_for_function("() => window.onethingModeler && document.querySelectorAll('#version option').length > 0")
    page.wait_for_selector('#canvas [data-element-id="pickup"]')
    admin.shot("modeler")

    # A task nobody connects: the check refuses the file and marks the task on the diagram.
    stray = page.evaluate(ADD_STRAY_TASK)
    page.click("#save")
    page.wait_for_selector("#flash .notice.error")
    assert "未保存" in page.inner_text("#flash")
    problems = page.locator(f'#problems li[data-element="{stray}"]')
    assert problems.count() >= 1
    assert page.locator(f'.djs-overlay .lint-flag[data-element="{stray}"]').is_visible()
    assert page.locator(f'#canvas [data-element-id="{stray}"].lint-error').count() == 1
    admin.shot("modeler-refused")

    # Take it out again, rename the pickup task in the side panel, save: a new version.
    page.evaluate("() => window.onethingModeler.get('commandStack').undo()")
    page.evaluate("() => window.onethingModeler.get('commandStack').undo()")
    assert page.locator(f'#canvas [data-element-id="{stray}"]').count() == 0
    page.evaluate("""() => { const m = window.onethingModeler;
      m.get("selection").select(m.get("elementRegistry").get("pickup")); }""")
    assert page.input_value("#element-name") == "统一出件"
    page.fill("#element-name", "统一出件（综合窗口）")
    page.click("#rename")
    assert "有未保存的修改" in page.inner_text("#version-note"), page.inner_text("#version-note")
    assert page.is_disabled("#deploy"), page.inner_text("#deploy")
    page.click("#save")
    page.wait_for_selector("#flash .notice.ok")
    assert "已保存为第 2 版" in page.inner_text("#flash")
    assert page.locator("#problems").inner_text() != ""
    admin.shot("modeler-saved")

    page.click("#deploy")
    page.wait_for_selector("#flash >> text=已部署第 2 版")
    assert page.is_disabled("#deploy")
    admin.shot("modeler-deployed")
    versions = live_server.call("GET", "/api/flows/restaurant/versions", login="admin")
    assert versions["deployed_version"] == 2
    xml = live_server.call("GET", "/api/bundles", login="admin")
    assert next(b for b in xml if b["code"] == "restaurant")["deployed_version"] == 2

    page = admin.open("/app/admin/flows", shot="flows-after")
    assert "新办件使用第 2 版" in page.locator('section[data-bundle="restaurant"]').inner_text()
