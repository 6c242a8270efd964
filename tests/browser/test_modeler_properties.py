"""An administrator edits what the engine reads from a flow in the modeler's properties panel (issue 22): lanes
shown and chosen by department name, a task's kind and item, a gateway condition checked live, a timer in
working days; undo, redo and delete by keyboard (not while typing in the panel); the palette beside the
diagram, not over it; a task dropped on a flow refused in Chinese. The saved version is read back by the
engine's own parser."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from engine.workflow.specs import parse_flow
from tests.browser.conftest import LiveServer

CODES = ("window", "scjg", "cg", "xf", "wj")
NEW_TASK = "卫健委复核补正材料"
CONDITION = '"correct" == results["cy.jkz"]["decision"]'

WHERE = """(id) => {
  const m = window.onethingModeler;
  const el = m.get("elementRegistry").get(id);
  const vb = m.get("canvas").viewbox();
  const box = document.querySelector("#canvas .djs-container").getBoundingClientRect();
  let x = el.x + el.width / 2, y = el.y + el.height / 2;
  if (el.type === "bpmn:Lane") x = el.x + 15;  // the lane's name strip
  if (el.waypoints) {  // the middle of the longest segment
    let best = 0;
    for (let i = 1; i < el.waypoints.length; i++) {
      const a = el.waypoints[i - 1], b = el.waypoints[i], length = Math.hypot(b.x - a.x, b.y - a.y);
      if (length > best) { best = length; x = (a.x + b.x) / 2; y = (a.y + b.y) / 2; }
    }
  }
  return { x: box.left + (x - vb.x) * vb.scale, y: box.top + (y - vb.y) * vb.scale };
}"""

# What the test draws with the modeling API (the panel's subject is what is read from elements, not drawing):
# a lane below 卫健委's with a new user task the 健康证明 corrections go through, and a timer on 统一出件.
DRAW = """(name) => {
  const m = window.onethingModeler, r = m.get("elementRegistry"), modeling = m.get("modeling");
  const factory = m.get("elementFactory");
  const lane = modeling.addLane(r.get("lane_wj"), "bottom");
  const correct = r.get("correct_jkz");
  const task = modeling.createShape(factory.createShape({ type: "bpmn:UserTask" }),
    { x: correct.x + correct.width / 2, y: lane.y + lane.height / 2 }, r.get("restaurant_participant"));
  modeling.updateLabel(task, name);
  modeling.reconnectEnd(r.get("f_resume_jkz"), task, { x: task.x + task.width / 2, y: task.y });
  modeling.connect(task, r.get("approve_jkz"));
  const pickup = r.get("pickup");
  const timer = modeling.createShape(
    factory.createShape({ type: "bpmn:BoundaryEvent", eventDefinitionType: "bpmn:TimerEventDefinition" }),
    { x: pickup.x + pickup.width - 20, y: pickup.y + pickup.height }, pickup, { attach: true });
  modeling.updateLabel(timer, "逾期未领取");
  const lapse = modeling.createShape(factory.createShape({ type: "bpmn:EndEvent" }),
    { x: pickup.x + pickup.width + 40, y: pickup.y + pickup.height + 45 }, r.get("restaurant_participant"));
  modeling.updateLabel(lapse, "逾期未领取，办结");
  modeling.connect(timer, lapse);
  return { lane: lane.id, task: task.id, timer: timer.id };
}"""

MOVE_ONTO_FLOW = """([taskId, flowId]) => {
  const m = window.onethingModeler, r = m.get("elementRegistry");
  const task = r.get(taskId), flow = r.get(flowId);
  const [a, b] = flow.waypoints, middle = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const delta = { x: middle.x - task.x - task.width / 2, y: middle.y - task.y - task.height / 2 };
  m.get("modeling").moveElements([task], delta, task.parent);
  const after = r.get(flowId);
  return { source: after.source.id, target: after.target.id, incoming: task.incoming.map((f) => f.id) };
}"""
# Counts commands executed, undone or redone from now on (bpmn-js fires commandStack.changed for each).
COUNT_CHANGES = """() => {
  window.changes = 0;
  window.onethingModeler.on("commandStack.changed", () => { window.changes++; });
}"""
CHANGES = "() => window.changes"
CAN_UNDO = "() => window.onethingModeler.get('commandStack').canUndo()"
EXISTS = "(id) => Boolean(window.onethingModeler.get('elementRegistry').get(id))"
BO = """([id, path]) => path.split('.').reduce((o, k) => o && o[k],
  window.onethingModeler.get('elementRegistry').get(id).businessObject)"""


def stored_xml(server: LiveServer, version: int) -> bytes:
    request = urllib.request.Request(f"{server.url}/api/flows/restaurant/versions/{version}/xml",  # noqa: S310
                                     headers={"Authorization": f"Bearer {server.token('admin')}"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return bytes(answer.read())


def click(page: Any, element_id: str) -> None:
    point = page.evaluate(WHERE, element_id)
    page.mouse.click(point["x"], point["y"])


def select(page: Any, element_id: str) -> None:
    page.evaluate("""(id) => {
      const m = window.onethingModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)


def test_admin_edits_what_the_engine_reads_in_the_properties_panel(desks: Any, live_server: LiveServer) -> None:
    admin = desks("admin")
    page = admin.open("/app/admin/flows/restaurant/modeler")
    page.wait_for_function("() => window.onethingModeler && document.querySelectorAll('#version option').length > 0")
    page.wait_for_selector('#canvas [data-element-id="pickup"]')

    # The palette floats over the canvas: the diagram is fitted beside it, not under it.
    palette = page.locator("#canvas .djs-palette").bounding_box()
    diagram = page.locator("#canvas .djs-container svg .viewport").bounding_box()
    assert palette is not None and diagram is not None
    assert palette["x"] + palette["width"] <= diagram["x"], (palette, diagram)
    canvas_box = page.locator("#canvas").bounding_box()
    assert diagram["x"] + diagram["width"] <= canvas_box["x"] + canvas_box["width"] + 1, (diagram, canvas_box)

    # Lanes are shown by their departments' names; the file keeps the codes the engine matches.
    lane_texts = page.locator('#canvas .djs-element[data-element-id^="lane_"] text.djs-label').all_text_contents()
    shown = [" ".join(t.split()) for t in lane_texts]
    assert "综合窗口" in shown and "市场监督管理局" in shown and "卫生健康委" in shown, shown
    assert not set(shown) & set(CODES), shown
    assert page.evaluate(BO, ["lane_scjg", "name"]) == "scjg"
    admin.shot("lanes-by-name")

    # A task dropped from the palette onto a flow is refused with a notice; nothing changes.
    before = page.evaluate("() => window.onethingModeler.get('elementRegistry').getAll().length")
    page.click('.djs-palette .entry[data-action="create.task"]')
    target = page.evaluate(WHERE, "f_join")
    page.mouse.move(target["x"] - 30, target["y"] - 20, steps=4)
    page.mouse.move(target["x"], target["y"], steps=4)
    page.mouse.click(target["x"], target["y"])
    page.wait_for_selector("#flash .notice.error")
    assert "不能把元素放在连线" in page.inner_text("#flash"), page.inner_text("#flash")
    assert page.evaluate("() => window.onethingModeler.get('elementRegistry').getAll().length") == before
    assert not page.evaluate(CAN_UNDO)
    admin.shot("drop-on-flow-refused")
    page.keyboard.press("Escape")

    # A task moved so that its centre lands on a flow moves, and the flow is not split.
    ends = page.evaluate(MOVE_ONTO_FLOW, ["correct_yyzz", "f_join"])
    assert ends == {"source": "join", "target": "pickup", "incoming": ["f_correct_yyzz"]}, ends
    assert "没有拆分" in page.inner_text("#flash"), page.inner_text("#flash")
    page.evaluate("() => window.onethingModeler.get('commandStack').undo()")
    assert not page.evaluate(CAN_UNDO)

    drawn = page.evaluate(DRAW, NEW_TASK)
    page.evaluate(COUNT_CHANGES)

    # Delete, undo and redo by keyboard on the focused canvas.
    click(page, drawn["task"])
    assert page.input_value("#element-name") == NEW_TASK
    page.keyboard.press("Delete")
    assert not page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+z")
    assert page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+Shift+z")
    assert not page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+z")
    assert page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+y")
    assert not page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+z")
    assert page.evaluate(EXISTS, drawn["task"])
    click(page, drawn["task"])
    page.keyboard.press("Backspace")
    assert not page.evaluate(EXISTS, drawn["task"])
    page.keyboard.press("Control+z")
    assert page.evaluate(EXISTS, drawn["task"])

    # Typing in the panel is typing: Backspace, Delete and Ctrl+Z there leave the diagram alone.
    click(page, drawn["task"])
    changes = page.evaluate(CHANGES)
    page.click("#element-name")
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Delete")
    page.keyboard.press("Control+z")
    assert page.evaluate(EXISTS, drawn["task"])
    assert page.evaluate(CHANGES) == changes

    # The new lane: its department chosen by name; Ctrl+Z on the canvas undoes it.
    click(page, drawn["lane"])
    assert page.is_visible("#lane-props")
    assert not page.is_visible("#element-name")
    page.select_option("#lane-department", label="消防救援机构")
    assert page.evaluate(BO, [drawn["lane"], "name"]) == "xf"
    label = page.locator(f'#canvas .djs-element[data-element-id="{drawn["lane"]}"] text.djs-label')
    assert " ".join((label.text_content() or "").split()) == "消防救援机构"
    click(page, drawn["lane"])
    page.keyboard.press("Control+z")
    assert not page.evaluate(BO, [drawn["lane"], "name"])
    click(page, drawn["lane"])
    page.select_option("#lane-department", label="卫生健康委")
    assert page.evaluate(BO, [drawn["lane"], "name"]) == "wj"
    assert " ".join((label.text_content() or "").split()) == "卫生健康委"
    admin.shot("lane-department")
    # Typing over a lane's name on the diagram would invite codes: a double click opens its department instead.
    point = page.evaluate(WHERE, drawn["lane"])
    page.mouse.dblclick(point["x"], point["y"])
    assert page.evaluate("() => document.activeElement.id") == "lane-department"
    assert page.locator(".djs-direct-editing-parent").is_hidden()

    # The new task: a correction of the 健康证明 item, chosen from the bundle's items.
    click(page, drawn["task"])
    assert page.is_visible("#task-props")
    assert not page.is_visible("#task-item")
    page.select_option("#task-kind", "correction")
    assert page.is_visible("#task-item")
    items = page.locator("#task-item option").all_inner_texts()
    assert any("食品从业人员健康证明" in text for text in items), items
    page.select_option("#task-item", "cy.jkz")
    admin.shot("task-item")

    # A gateway's outgoing flow, selected by its label (补正): an unsafe or broken condition is explained in
    # Chinese and not written.
    click(page, "f_correct_jkz_label")
    assert page.is_visible("#condition-props")
    assert page.input_value("#element-name") == "补正"
    old = page.evaluate(BO, ["f_correct_jkz", "conditionExpression.body"])
    page.fill("#condition", 'results["cy.jkz"]["decision"] = "correct"')
    page.wait_for_selector("#condition-check.error")
    assert "条件写法有误" in page.inner_text("#condition-check")
    page.click("#save-condition")
    page.wait_for_selector("#flash >> text=条件未保存")
    assert page.evaluate(BO, ["f_correct_jkz", "conditionExpression.body"]) == old
    page.fill("#condition", "__import__('os').system('id')")
    page.wait_for_selector("#condition-check.error >> text=未通过安全检查")
    admin.shot("condition-refused")
    page.fill("#condition", CONDITION)
    page.wait_for_selector("#condition-check.ok")
    page.click("#save-condition")
    page.wait_for_selector("#flash >> text=条件已写入流程图")
    assert page.evaluate(BO, ["f_correct_jkz", "conditionExpression.body"]) == CONDITION

    # The gateway's default exit: unticked, then back by Ctrl+Z on the canvas.
    select(page, "f_done_jkz")
    assert page.is_checked("#condition-default")
    page.uncheck("#condition-default")
    assert page.evaluate(BO, ["decide_jkz", "default"]) is None
    click(page, "decide_jkz")
    page.keyboard.press("Control+z")
    assert page.evaluate(BO, ["decide_jkz", "default.id"]) == "f_done_jkz"
    select(page, "f_correct_jkz")
    assert not page.is_checked("#condition-default")

    # The timer: working days out of range refused, then 5 working days.
    click(page, drawn["timer"])
    assert page.is_visible("#timer-props")
    page.fill("#timer-amount", "999")
    page.select_option("#timer-unit", "working_days")
    page.click("#save-timer")
    page.wait_for_selector("#timer-check.error")
    assert "0 至 366" in page.inner_text("#timer-check")
    assert page.evaluate(BO, [drawn["timer"], "eventDefinitions.0.timeDate"]) is None
    page.fill("#timer-amount", "5")
    page.click("#save-timer")
    page.wait_for_selector("#timer-check.ok")
    assert page.evaluate(BO, [drawn["timer"], "eventDefinitions.0.timeDate.body"]) == "working_days(5)"
    assert "working_days(5)" in page.inner_text("#timer-current")
    admin.shot("timer")

    # Saved as a new version: the engine's own parser reads what the panel wrote.
    page.click("#save")
    page.wait_for_selector("#flash .notice.ok")
    assert "已保存为第 2 版" in page.inner_text("#flash"), page.inner_text("#flash")
    assert page.locator("#problems li.error-item").count() == 0
    admin.shot("saved")
    flow = parse_flow(stored_xml(live_server, 2), "restaurant")
    task = next(t for t in flow.user_tasks if t.title == NEW_TASK)
    assert (task.lane, task.kind, task.item) == ("wj", "correction", "cy.jkz")
    conditions = {name: condition.args[0] if condition is not None else None
                  for condition, name in flow.spec.task_specs["decide_jkz"].cond_task_specs}
    assert conditions["correct_jkz"] == CONDITION
    timer = flow.spec.task_specs[drawn["timer"]].event_definition
    assert timer.expression == "working_days(5)"


def test_the_panel_fits_a_phone(desks: Any) -> None:
    admin = desks("admin")
    admin.page.set_viewport_size({"width": 390, "height": 844})
    page = admin.open("/app/admin/flows/restaurant/modeler")
    page.wait_for_selector('#canvas [data-element-id="pickup"]')
    palette = page.locator("#canvas .djs-palette").bounding_box()
    diagram = page.locator("#canvas .djs-container svg .viewport").bounding_box()
    assert palette is not None and diagram is not None
    assert palette["x"] + palette["width"] <= diagram["x"], (palette, diagram)
    for element_id, form in (("lane_scjg", "#lane-props"), ("approve_zp", "#task-props"),
                              ("f_correct_zp", "#condition-props")):
        select(page, element_id)
        assert page.is_visible(form)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (element_id, width)
    admin.shot("phone-condition")


SCRIPTED = (Path(__file__).resolve().parents[2] / "bpmn/restaurant/flow.bpmn").read_text(encoding="utf-8").replace(
    '<spiff:property name="kind" value="correction" /><spiff:property name="item" value="cy.zp" /></spiff:properties>',
    '<spiff:property name="kind" value="correction" /><spiff:property name="item" value="cy.zp" /><spiff:property '
    'name="note" value="招牌补正" /></spiff:properties><spiff:preScript>reminder = "请补正招牌材料"</spiff:preScript>')


def test_extensions_the_panel_does_not_edit_survive_its_edits(desks: Any, live_server: LiveServer) -> None:
    """bpmn-js keeps SpiffWorkflow's extensions as generic elements: changing a task's item rewrites its
    <spiff:properties> and keeps the task's other properties and its <spiff:preScript>."""
    assert SCRIPTED.count("spiff:preScript") == 2
    uploaded = live_server.call("POST", "/api/flows", {"bundle": "restaurant", "xml": SCRIPTED}, login="admin")
    number = uploaded["version"]["version"]
    admin = desks("admin")
    page = admin.open(f"/app/admin/flows/restaurant/modeler?version={number}")
    page.wait_for_selector('#canvas [data-element-id="correct_zp"]')
    select(page, "correct_zp")
    assert page.input_value("#task-item") == "cy.zp"
    page.select_option("#task-item", "cy.xf")
    page.click("#save")
    page.wait_for_selector("#flash .notice.ok")
    assert f"已保存为第 {number + 1} 版" in page.inner_text("#flash"), page.inner_text("#flash")
    xml = stored_xml(live_server, number + 1).decode()
    task = xml[xml.index('id="correct_zp"'):xml.index("</bpmn:userTask>", xml.index('id="correct_zp"'))]
    assert 'name="note" value="招牌补正"' in task, task
    assert "reminder = &#34;请补正招牌材料&#34;" in task or 'reminder = "请补正招牌材料"' in task, task
    assert 'name="item" value="cy.xf"' in task and 'name="kind" value="correction"' in task, task
