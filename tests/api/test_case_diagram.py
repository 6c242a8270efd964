"""GET /api/cases/{ref}/diagram: a restaurant case on its flow's diagram at each stage — fresh, after
one department approves, in a correction loop, paused, refused, all approved and picked up — each
element's state (from the stored workflow and the task rows) and each department's state on its
lane; the case's readers only (another department: 404, as for the case); a flow without diagram
interchange. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from tests.api.test_access_matrix import RESTAURANT_FLOW
from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.approvals import approval, reviewer_headers
from tests.conftest import ADMIN, CLERK, REVIEWERS


def diagram(client: Any, number: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = client.get(f"/api/cases/{number}/diagram", headers=headers or {})
    assert answer.status_code == 200, answer.json
    return answer.json  # type: ignore[no-any-return]


def states(found: dict[str, Any]) -> dict[str, str]:
    return {e["id"]: e["state"] for e in found["elements"]}


def lanes(found: dict[str, Any]) -> dict[str, str]:
    return {lane["department"]: lane["state"] for lane in found["lanes"]}


def lane(found: dict[str, Any], department: str) -> dict[str, Any]:
    return next(x for x in found["lanes"] if x["department"] == department)


def test_a_fresh_case_stands_at_the_two_first_approvals(client: Any) -> None:
    case = start(client)
    found = diagram(client, case["number"])
    assert (found["number"], found["bundle"], found["version"], found["has_di"]) == (
        case["number"], "restaurant", 1, True)
    assert "<bpmndi:BPMNDiagram" in found["xml"]
    seen = states(found)
    assert {k for k, v in seen.items() if v == "completed"} == {"start", "intake", "split"}
    assert {k for k, v in seen.items() if v == "active"} == {"approve_yyzz", "approve_jkz"}
    assert seen["approve_spjy"] == seen["join"] == seen["pickup"] == seen["end"] == "not_reached"
    assert next(e for e in found["elements"] if e["id"] == "approve_yyzz") == {
        "id": "approve_yyzz", "name": "营业执照审批", "type": "userTask", "department": "scjg", "state": "active"}
    assert lanes(found) == {"window": "idle", "scjg": "todo", "cg": "not_started", "xf": "not_started", "wj": "todo"}
    scjg = lane(found, "scjg")
    assert (scjg["id"], scjg["department_name"], scjg["colour"]) == ("lane_scjg", "市场监督管理局", "green")
    task = open_task(client, case["number"], "cy.yyzz")
    assert scjg["due"] == task["clock"]["due_on"]
    assert lane(found, "cg")["due"] is None and lane(found, "cg")["colour"] is None


def test_after_the_licence_is_approved_the_three_that_wait_for_it_are_active(client: Any) -> None:
    number = start(client)["number"]
    approve_licence(client, number)
    claimed = client.post(f"/api/tasks/{open_task(client, number, 'cy.zp')['id']}/claim", headers=REVIEWERS["cg"])
    assert claimed.status_code == 200
    found = diagram(client, number)
    seen = states(found)
    for done in ("approve_yyzz", "decide_yyzz", "fork_yyzz"):
        assert seen[done] == "completed", done
    for active in ("approve_spjy", "approve_zp", "approve_xf", "approve_jkz"):
        assert seen[active] == "active", active
    assert seen["correct_yyzz"] == "not_reached"
    assert lanes(found) == {"window": "idle", "scjg": "todo", "cg": "in_progress", "xf": "todo", "wj": "todo"}


def test_a_correction_loop_shows_its_latest_round(client: Any) -> None:
    number = start(client)["number"]
    approve_licence(client, number)
    asked = complete(client, open_task(client, number, "cy.xf"),
                     {"decision": "correct", "materials": ["消防安全告知承诺书"], "reason": "承诺书未签字"},
                     REVIEWERS["xf"])
    assert asked.status_code == 200, asked.json
    found = diagram(client, number)
    seen = states(found)
    assert (seen["approve_xf"], seen["decide_xf"], seen["correct_xf"]) == ("completed", "completed", "active")
    assert lanes(found)["xf"] == "correcting" and lanes(found)["window"] == "todo"
    assert lane(found, "xf")["due"] is None

    supplied = complete(client, open_task(client, number, "cy.xf", kind="correction"),
                        {"supplied": ["消防安全告知承诺书"]}, CLERK)
    assert supplied.status_code == 200, supplied.json
    found = diagram(client, number)
    seen = states(found)
    # The approval runs a second time: its latest run (open) wins over the first (completed).
    assert (seen["approve_xf"], seen["correct_xf"]) == ("active", "completed")
    assert lanes(found)["xf"] == "todo" and lanes(found)["window"] == "idle"


def test_a_paused_approval_waits_and_its_lane_says_paused(client: Any) -> None:
    number = start(client)["number"]
    task = open_task(client, number, "cy.jkz")
    paused = client.post(f"/api/tasks/{task['id']}/pause", json={"procedure": "inspection", "reason": "现场检验"},
                         headers=REVIEWERS["wj"])
    assert paused.status_code == 200, paused.json
    found = diagram(client, number)
    assert states(found)["approve_jkz"] == "waiting"
    assert lanes(found)["wj"] == "paused"
    assert lane(found, "wj")["due"] is not None


def test_all_approved_then_picked_up(client: Any) -> None:
    number = start(client)["number"]
    approve_licence(client, number)
    for item, department in (("cy.spjy", "scjg"), ("cy.zp", "cg"), ("cy.xf", "xf"), ("cy.jkz", "wj")):
        task = open_task(client, number, item)
        assert complete(client, task, approval(task), REVIEWERS[department]).status_code == 200
    found = diagram(client, number)
    seen = states(found)
    assert seen["join"] == "completed" and seen["pickup"] == "active" and seen["end"] == "not_reached"
    assert lanes(found) == {"window": "todo", "scjg": "approved", "cg": "approved", "xf": "approved",
                            "wj": "approved"}
    assert all(x["due"] is None for x in found["lanes"])

    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    found = diagram(client, number)
    seen = states(found)
    assert seen["pickup"] == seen["end"] == "completed"
    assert not [k for k, v in seen.items() if v in ("active", "waiting")]
    assert lanes(found)["window"] == "done"


def test_a_refused_licence_leaves_what_depends_on_it_undecided(client: Any) -> None:
    number = start(client)["number"]
    refused = complete(client, open_task(client, number, "cy.yyzz"),
                       {"decision": "reject", "reason": "名称与已登记企业重复"}, REVIEWERS["scjg"])
    assert refused.status_code == 200, refused.json
    found = diagram(client, number)
    assert lanes(found)["scjg"] == "rejected"
    assert lanes(found)["cg"] == lanes(found)["xf"] == "not_applicable"
    assert states(found)["approve_zp"] == "not_reached"


def test_another_department_gets_404_as_for_the_case(client: Any) -> None:
    number = start(client)["number"]
    outsider = reviewer_headers(client, "rs")  # 人社: no item in a restaurant case
    case_answer = client.get(f"/api/cases/{number}", headers=outsider)
    answer = client.get(f"/api/cases/{number}/diagram", headers=outsider)
    assert case_answer.status_code == answer.status_code == 404
    assert answer.json["message_zh"] == case_answer.json["message_zh"]
    for reader in (CLERK, REVIEWERS["xf"]):
        assert diagram(client, number, reader)["number"] == number
    assert client.get(f"/api/cases/{number}/diagram", headers=ADMIN).status_code == 403
    missing = client.get("/api/cases/CY-20260924-9999/diagram")
    assert missing.status_code == 404 and "CY-20260924-9999" in missing.json["message_zh"]


def test_a_flow_without_diagram_interchange_says_so(client: Any) -> None:
    bare = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", RESTAURANT_FLOW, flags=re.DOTALL)
    assert "BPMNShape" not in bare
    uploaded = client.post("/api/flows", json={"bundle": "restaurant", "xml": bare}, headers=ADMIN)
    assert uploaded.status_code == 201, uploaded.json
    version = uploaded.json["version"]["version"]
    deployed = client.post(f"/api/flows/restaurant/versions/{version}/deploy", headers=ADMIN)
    assert deployed.status_code == 200, deployed.json
    found = diagram(client, start(client)["number"])
    assert found["version"] == version and found["has_di"] is False
    # The states are there all the same, for the page to list in words.
    assert states(found)["approve_yyzz"] == "active"
    assert lanes(found)["scjg"] == "todo"


def test_the_case_page_loads_the_viewer_only_when_it_is_built(client: Any, monkeypatch: Any, tmp_path: Any) -> None:
    import api.web

    built = client.get("/app/cases/CY-20260924-00001").get_data(as_text=True)
    assert api.web.VIEWER_BUNDLE.exists()  # make web ran (the browser tests need it too)
    assert "bpmn-navigated-viewer.production.min.js" in built and "case_diagram.js" in built
    monkeypatch.setattr(api.web, "VIEWER_BUNDLE", tmp_path / "missing.js")
    bare = client.get("/app/cases/CY-20260924-00001").get_data(as_text=True)
    # No request for a file that is not there; case_diagram.js then says so in Chinese.
    assert "bpmn-navigated-viewer" not in bare and "diagram-js.css" not in bare and "case_diagram.js" in bare
