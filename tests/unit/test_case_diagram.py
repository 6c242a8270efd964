"""The case diagram's rules without a database: an element's state over its runs, a department's
state on its lane, the clock a lane shows; and every shipped flow can be drawn (it has diagram
interchange, and a lane with an id for each department of its bundle)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.domain.case_diagram import (
    ElementState,
    FlowElement,
    LaneState,
    clock_task,
    element_state,
    lane_state,
    latest_state,
)
from engine.domain.records import CaseItemRecord, TaskRecord
from engine.workflow.case_diagram import read_drawing

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
NOW = datetime(2026, 9, 24, 9, 0, tzinfo=UTC)


def item(status: str, department: str = "xf") -> CaseItemRecord:
    return CaseItemRecord(case_id=1, item_code=f"cy.{status}", department=department, status=status)


def task(state: str = "ready", task_id: str = "t1", due: date | None = None, paused: bool = False) -> TaskRecord:
    return TaskRecord(id=task_id, case_id=1, case_number="CY-1", bundle_code="restaurant", department="xf",
                      kind="approval", name="approve_xf", title="消防审批", state=state, created_at=NOW,
                      limit_days=5 if due else None, due_on=due, paused_since=NOW if paused else None)


def test_the_latest_run_of_an_element_wins() -> None:
    assert latest_state([]) == ElementState.NOT_REACHED
    # Approved, sent back by a correction, open again: the second run is what the case does now.
    assert latest_state([(1.0, ElementState.COMPLETED), (5.0, ElementState.ACTIVE)]) == ElementState.ACTIVE
    assert latest_state([(5.0, ElementState.COMPLETED), (1.0, ElementState.ACTIVE)]) == ElementState.COMPLETED
    # Two runs changed at the same instant: the one the case stands in.
    assert latest_state([(2.0, ElementState.COMPLETED), (2.0, ElementState.ACTIVE)]) == ElementState.ACTIVE


def test_an_approval_the_engine_ended_as_not_applicable_is_not_reached() -> None:
    approval = FlowElement("approve_zp", "招牌审批", "userTask", "cg", "approval", "cy.zp")
    gateway = FlowElement("decide_zp", "审批结论", "exclusiveGateway", "cg")
    ran = {"approve_zp": ElementState.COMPLETED, "decide_zp": ElementState.COMPLETED}
    assert element_state(approval, ran, {"cy.zp"}) == ElementState.NOT_REACHED
    assert element_state(approval, ran, set()) == ElementState.COMPLETED
    assert element_state(gateway, ran, {"cy.zp"}) == ElementState.COMPLETED
    assert element_state(FlowElement("end", None, "endEvent", "window"), ran, set()) == ElementState.NOT_REACHED


@pytest.mark.parametrize(("items", "tasks", "status", "expected"), [
    ([item("in_review")], [task(paused=True)], "in_review", LaneState.PAUSED),
    ([item("in_review")], [task("claimed")], "in_review", LaneState.IN_PROGRESS),
    ([item("in_review")], [task()], "in_review", LaneState.TODO),
    ([item("correction_requested")], [], "in_review", LaneState.CORRECTING),
    ([item("in_review")], [], "in_review", LaneState.NOT_STARTED),
    ([item("in_review")], [], "terminated", LaneState.TERMINATED),
    ([item("approved"), item("rejected")], [], "in_review", LaneState.REJECTED),
    ([item("approved"), item("not_applicable")], [], "awaiting_pickup", LaneState.APPROVED),
    ([item("not_applicable")], [], "awaiting_pickup", LaneState.NOT_APPLICABLE),
    ([], [], "in_review", LaneState.IDLE),
    ([], [], "closed", LaneState.DONE),
    # A department with one item decided and another open: what it has to do comes first.
    ([item("approved"), item("in_review")], [task()], "in_review", LaneState.TODO),
])
def test_a_departments_state_on_its_lane(items: list[CaseItemRecord], tasks: list[TaskRecord], status: str,
                                         expected: LaneState) -> None:
    assert lane_state(items, tasks, status) == expected


def test_a_lane_shows_the_clock_due_first() -> None:
    later, sooner = task(task_id="a", due=date(2026, 10, 9)), task(task_id="b", due=date(2026, 10, 1))
    assert clock_task([later, sooner, task(task_id="c")]) is sooner
    assert clock_task([task()]) is None


@pytest.mark.parametrize("flow", sorted(BPMN.glob("*/flow.bpmn")), ids=lambda p: p.parent.name)
def test_every_shipped_flow_can_be_drawn_with_its_departments_lanes(flow: Path) -> None:
    drawing = read_drawing(flow.read_bytes())
    assert drawing is not None and drawing.has_di
    bundle = json.loads((flow.parent / "bundle.json").read_text(encoding="utf-8"))
    lanes = {lane.department: lane.id for lane in drawing.lanes}
    assert {i["department"] for i in bundle["items"]} <= set(lanes)
    assert all(lanes.values())
    assert any(e.kind == "approval" and e.item for e in drawing.elements)


def test_a_file_without_shapes_or_not_bpmn() -> None:
    xml = (BPMN / "restaurant" / "flow.bpmn").read_text(encoding="utf-8")
    bare = xml[:xml.index("<bpmndi:BPMNDiagram")] + "</bpmn:definitions>\n"
    drawing = read_drawing(bare.encode())
    assert drawing is not None and not drawing.has_di and drawing.elements
    assert read_drawing(b"<html/>") is None
