"""The case page's diagram (办件流程图) in Chromium: a restaurant case with mixed states — the business
licence approved, 消防 waiting for a correction at the window, 城管 claimed, 卫健 paused, the food
permit in 市场监管's inbox — drawn by the bpmn-js viewer with each element's marker and each lane's
department state; the legend; at phone width folded and, opened, inside the screen; a flow version
without diagram interchange, and a missing viewer build, said in Chinese with the states in words."""

from __future__ import annotations

import re
from typing import Any

from engine.services.accounts import DEMO_PASSWORD
from tests.api.test_access_matrix import RESTAURANT_FLOW
from tests.approvals import approval
from tests.browser.conftest import ARTIFACTS, LiveServer, assert_no_raw_error
from tests.conftest import APPLICANT, application

MARKERS = ("state-completed", "state-active", "state-waiting", "state-not-reached")


def open_task(server: LiveServer, number: str, item: str, kind: str = "approval") -> dict[str, Any]:
    tasks = server.call("GET", f"/api/tasks?case={number}", login="supervisor")["items"]
    return next(t for t in tasks if t["item"] == item and t["kind"] == kind and t["state"] in ("ready", "claimed"))


def mixed_case(server: LiveServer) -> str:
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(server.engine)}
    number = str(server.call("POST", "/api/cases", body, login="clerk")["number"])
    licence = open_task(server, number, "cy.yyzz")
    server.call("POST", f"/api/tasks/{licence['id']}/complete", approval(licence), login="scjg.reviewer")
    fire = open_task(server, number, "cy.xf")
    server.call("POST", f"/api/tasks/{fire['id']}/complete",
                {"decision": "correct", "materials": ["消防安全告知承诺书"], "reason": "承诺书未签字"},
                login="xf.reviewer")
    server.call("POST", f"/api/tasks/{open_task(server, number, 'cy.zp')['id']}/claim", login="cg.reviewer")
    server.call("POST", f"/api/tasks/{open_task(server, number, 'cy.jkz')['id']}/pause",
                {"procedure": "inspection", "reason": "现场检验"}, login="wj.reviewer")
    return number


def marker_of(page: Any, element_id: str) -> list[str]:
    classes = page.get_attribute(f'.djs-element[data-element-id="{element_id}"]', "class") or ""
    return [m for m in MARKERS if m in classes.split()]


def lane_texts(page: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in page.eval_on_selector_all(
        "#diagram-canvas .lane-state",
        "nodes => nodes.map((n) => [n.dataset.department, n.textContent])")}


def test_a_case_with_mixed_states_on_its_diagram(desks: Any, live_server: LiveServer) -> None:
    number = mixed_case(live_server)
    clerk = desks("clerk")
    page = clerk.open(f"/app/cases/{number}")
    page.wait_for_selector("#case-diagram[data-loaded=true]")
    page.wait_for_selector("#diagram-canvas .djs-element.state-active")
    assert page.is_visible("#diagram-canvas")
    assert page.inner_text("#diagram-title") == "流程图（第 1 版）"

    expected = {
        "start": "state-completed", "intake": "state-completed", "split": "state-completed",
        "approve_yyzz": "state-completed", "decide_yyzz": "state-completed", "fork_yyzz": "state-completed",
        "approve_xf": "state-completed", "decide_xf": "state-completed", "correct_xf": "state-active",
        "approve_spjy": "state-active", "approve_zp": "state-active", "approve_jkz": "state-waiting",
        "correct_yyzz": "state-not-reached", "join": "state-not-reached", "pickup": "state-not-reached",
        "end": "state-not-reached",
    }
    assert {element: marker_of(page, element) for element in expected} == {k: [v] for k, v in expected.items()}
    # The flows the case went along: into the approved licence's decision and on to the fork, not
    # into its correction (never asked) nor from the paused health certificate.
    taken = page.eval_on_selector_all("#diagram-canvas .djs-connection.flow-taken",
                                      "nodes => nodes.map((n) => n.dataset.elementId)")
    assert {"f_start", "f_intake", "f_decide_yyzz", "f_done_yyzz", "f_correct_xf"} <= set(taken), taken
    assert not {"f_correct_yyzz", "f_decide_jkz", "f_join", "f_pickup"} & set(taken), taken
    # What the markers do: an active task is drawn bold in the accent colour, a not-reached one faded.
    stroke_width = page.eval_on_selector('.djs-element[data-element-id="approve_spjy"] .djs-visual > rect',
                                         "n => getComputedStyle(n).strokeWidth")
    assert stroke_width == "4px"
    faded = page.eval_on_selector('.djs-element[data-element-id="pickup"] .djs-visual',
                                  "n => getComputedStyle(n).opacity")
    assert float(faded) < 0.6

    # The lanes are labelled with the departments' names, not the codes the file names them by.
    lane_label = page.eval_on_selector('.djs-element[data-element-id="lane_scjg"] .djs-visual text',
                                       "n => n.textContent")
    assert lane_label == "市场监督管理局"
    lanes = lane_texts(page)
    assert set(lanes) == {"window", "scjg", "cg", "xf", "wj"}
    assert lanes["window"] == "综合窗口：待办"
    assert re.fullmatch(r"市场监督管理局：待办，期限 \d{4}-\d{2}-\d{2}（正常）", lanes["scjg"]), lanes["scjg"]
    assert lanes["cg"].startswith("城市管理（综合执法）局：办理中，期限 ")
    assert lanes["xf"] == "消防救援机构：补正中"
    assert lanes["wj"].startswith("卫生健康委：暂停（特别程序），期限 ")
    assert "lane-green" in (page.get_attribute('#diagram-canvas .lane-state[data-department="scjg"]', "class") or "")
    # The same states under the diagram, and the legend in Chinese.
    assert page.inner_text('#diagram-lanes li[data-department="xf"]') == "消防救援机构：补正中"
    legend = page.inner_text("#diagram-legend")
    for word in ("已完成", "办理中", "等待中", "未到达", "已经过的路径", "部门期限：正常", "黄牌预警", "红牌超时"):
        assert word in legend, word
    clerk.shot("mixed")
    page.locator("#case-diagram").screenshot(path=str(ARTIFACTS / "case_diagram-mixed-diagram.png"))

    # The zoom buttons work inside the box; the page itself does not grow.
    before = page.evaluate("() => window.onethingDiagram.get('canvas').zoom()")
    page.click("#diagram-zoom-in")
    assert page.evaluate("() => window.onethingDiagram.get('canvas').zoom()") > before
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1360

    # The clerk records the correction: the page reloads the case and the diagram moves on.
    page.click("#correction button[type=submit]")
    page.wait_for_selector('#diagram-canvas .lane-state[data-department="xf"]:has-text("待办")')
    assert marker_of(page, "correct_xf") == ["state-completed"]
    assert marker_of(page, "approve_xf") == ["state-active"]
    clerk.shot("corrected")


def test_the_diagram_at_phone_width(browser: Any, live_server: LiveServer) -> None:
    number = mixed_case(live_server)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(live_server.url + "/app/login")
        page.fill("#login", "xf.reviewer")
        page.fill("#password", DEMO_PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/app/(?!login).*"))
        page.goto(f"{live_server.url}/app/cases/{number}")
        page.wait_for_selector("#case-diagram[data-loaded=true]")
        page.wait_for_load_state("networkidle")
        # Folded on a phone: the case's own facts come first.
        assert page.evaluate("() => document.getElementById('case-diagram').open") is False
        assert not page.is_visible("#diagram-canvas")
        page.click("#case-diagram > summary")
        page.wait_for_selector("#diagram-canvas .lane-state")
        box = page.eval_on_selector("#diagram-scroll", "n => n.getBoundingClientRect().toJSON()")
        assert box["width"] > 300 and box["right"] <= 390
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # Drawn at a readable scale once opened (it was imported while folded), larger than its box,
        # which scrolls sideways inside the page.
        viewbox = page.evaluate("() => window.onethingDiagram.get('canvas').viewbox()")
        assert viewbox["scale"] >= 0.49
        scroll = page.eval_on_selector("#diagram-scroll", "n => [n.scrollWidth, n.clientWidth]")
        assert scroll[0] > scroll[1] + 300, scroll
        page.eval_on_selector("#diagram-scroll", "n => { n.scrollLeft = n.scrollWidth; }")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert marker_of(page, "correct_xf") == ["state-active"]
        assert_no_raw_error(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "case_diagram-phone.png"), full_page=True)
        page.locator("#case-diagram").screenshot(path=str(ARTIFACTS / "case_diagram-phone-diagram.png"))
    finally:
        context.close()
    assert not errors, errors


def test_without_diagram_interchange_or_viewer_the_states_are_said_in_words(desks: Any,
                                                                             live_server: LiveServer) -> None:
    bare = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", RESTAURANT_FLOW, flags=re.DOTALL)
    version = live_server.call("POST", "/api/flows", {"bundle": "restaurant", "xml": bare},
                               login="admin")["version"]["version"]
    live_server.call("POST", f"/api/flows/restaurant/versions/{version}/deploy", login="admin")
    try:
        body = {"bundle": "restaurant", "applicant": APPLICANT, **application(live_server.engine)}
        bare_case = live_server.call("POST", "/api/cases", body, login="clerk")["number"]
    finally:
        live_server.call("POST", "/api/flows/restaurant/versions/1/deploy", login="admin")
    clerk = desks("clerk")
    page = clerk.open(f"/app/cases/{bare_case}")
    page.wait_for_selector("#case-diagram[data-loaded=true]")
    status = page.inner_text("#diagram-status")
    assert f"第 {version} 版流程文件没有图形信息（DI），无法绘制流程图" in status
    assert not page.is_visible("#diagram-canvas")
    elements = page.inner_text("#diagram-lanes")
    assert "营业执照审批：办理中" in elements and "市场监督管理局：待办" in elements
    clerk.shot("no-di")

    # A build without the viewer: the page loads without it and says so.
    number = mixed_case(live_server)
    page.route(re.compile(r".*bpmn-navigated-viewer.*"), lambda route: route.abort())
    clerk.open(f"/app/cases/{number}")
    page.wait_for_selector("#case-diagram[data-loaded=true]")
    assert "流程图查看器的前端资源尚未构建" in page.inner_text("#diagram-status")
    assert "消防救援机构：补正中" in page.inner_text("#diagram-lanes")
    assert "补正材料：公众聚集场所投入使用、营业前消防安全检查：办理中" in page.inner_text("#diagram-lanes")
    clerk.shot("no-viewer")
