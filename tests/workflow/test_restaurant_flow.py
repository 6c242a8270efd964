"""Every path of the 开办餐饮店 flow, saving and restoring the workflow at each wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.workflow.case_workflow import CaseWorkflow, WorkflowError
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec, parse_flow

FLOW = Path(__file__).resolve().parents[2] / "bpmn" / "restaurant" / "flow.bpmn"
ITEMS = {"cy.yyzz": "scjg", "cy.spjy": "scjg", "cy.zp": "cg", "cy.xf": "xf", "cy.jkz": "wj"}
# The items that use the business licence: they wait for it, then open in parallel (fork_yyzz).
AFTER_LICENCE = ("cy.spjy", "cy.zp", "cy.xf")


@pytest.fixture(scope="module")
def flow() -> FlowSpec:
    return parse_flow(FLOW.read_bytes(), "restaurant")


def restored(flow: FlowSpec, wf: CaseWorkflow) -> CaseWorkflow:
    """Every wait is a save point: continue from the stored JSON, never from the live object."""
    return CaseWorkflow.load(flow, wf.dump(), SafeScriptEngine())


def waiting(wf: CaseWorkflow, kind: str, item: str | None = None):  # type: ignore[no-untyped-def]
    return next(t for t in wf.waiting_tasks() if t.kind == kind and (item is None or t.item == item))


def decide(wf: CaseWorkflow, item: str, decision: str) -> None:
    wf.complete(waiting(wf, "approval", item).id, {"results": {item: {"decision": decision}}})


def started(flow: FlowSpec) -> CaseWorkflow:
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    intake = waiting(wf, "intake")
    assert intake.lane == "window"
    wf = restored(flow, wf)
    wf.complete(intake.id, {"applicant": {"name": "陈小明"}})
    return restored(flow, wf)


def test_the_flow_declares_lanes_and_kinds(flow: FlowSpec) -> None:
    approvals = {t.item: t.lane for t in flow.user_tasks if t.kind == "approval"}
    assert approvals == ITEMS
    assert {t.lane for t in flow.user_tasks if t.kind in ("intake", "pickup", "correction")} == {"window"}


def test_all_approved_reaches_pickup_with_every_result(flow: FlowSpec) -> None:
    wf = started(flow)
    # At the start only the business licence and the health certificate are open.
    assert sorted((t.item, t.lane) for t in wf.waiting_tasks()) == sorted(
        (item, lane) for item, lane in ITEMS.items() if item not in AFTER_LICENCE)
    decide(wf, "cy.jkz", "approve")
    wf = restored(flow, wf)
    assert [t.item for t in wf.waiting_tasks()] == ["cy.yyzz"]  # nothing opens before the licence
    decide(wf, "cy.yyzz", "approve")
    wf = restored(flow, wf)
    # The licence approved, the food permit, the sign and the fire inspection open in parallel.
    assert sorted((t.item, t.lane) for t in wf.waiting_tasks()) == sorted(
        (item, ITEMS[item]) for item in AFTER_LICENCE)
    for item in ("cy.xf", "cy.zp", "cy.spjy"):
        decide(wf, item, "approve")
        wf = restored(flow, wf)
    pickup = waiting(wf, "pickup")
    assert [t.kind for t in wf.waiting_tasks()] == ["pickup"]
    assert {k: v["decision"] for k, v in wf.task_data(pickup.id)["results"].items()} == dict.fromkeys(
        ITEMS, "approve")
    wf.complete(pickup.id, {"pickup": {"delivery": "window"}})
    wf = restored(flow, wf)
    assert wf.is_finished() and wf.waiting_tasks() == []


def test_a_rejection_keeps_the_other_results(flow: FlowSpec) -> None:
    wf = started(flow)
    for item in ITEMS:
        decide(wf, item, "reject" if item == "cy.zp" else "approve")
        wf = restored(flow, wf)
    results = wf.task_data(waiting(wf, "pickup").id)["results"]
    assert results["cy.zp"]["decision"] == "reject"
    assert sum(r["decision"] == "approve" for r in results.values()) == 4


def test_correction_goes_to_the_window_and_back_to_the_department(flow: FlowSpec) -> None:
    wf = started(flow)
    decide(wf, "cy.yyzz", "approve")  # the fire inspection opens with the business licence
    wf = restored(flow, wf)
    decide(wf, "cy.xf", "correct")
    wf = restored(flow, wf)
    supply = waiting(wf, "correction", "cy.xf")
    assert supply.lane == "window"
    assert not any(t.kind == "approval" and t.item == "cy.xf" for t in wf.waiting_tasks())
    wf.complete(supply.id, {"corrections": {"cy.xf": {"supplied": ["承诺书"]}}})
    wf = restored(flow, wf)
    again = waiting(wf, "approval", "cy.xf")
    assert again.lane == "xf"
    for _round in range(3):  # several rounds stay well inside SpiffWorkflow's depth limits
        decide(wf, "cy.xf", "correct")
        wf = restored(flow, wf)
        wf.complete(waiting(wf, "correction", "cy.xf").id, {})
        wf = restored(flow, wf)
    for item in [i for i in ITEMS if i != "cy.yyzz"]:  # the licence is approved already
        decide(wf, item, "approve")
        wf = restored(flow, wf)
    assert waiting(wf, "pickup")
    assert not wf.is_finished()


def test_completing_a_task_that_is_not_waiting_fails(flow: FlowSpec) -> None:
    wf = started(flow)
    with pytest.raises(KeyError):
        wf.complete("00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(KeyError):
        wf.complete("not-a-uuid", {})


def test_conditions_run_in_the_safe_evaluator(flow: FlowSpec) -> None:
    """A condition that would import os under plain eval fails instead of running."""
    xml = FLOW.read_text(encoding="utf-8").replace(
        "results[&quot;cy.zp&quot;][&quot;decision&quot;] == &quot;correct&quot;",
        "__import__('os').system('echo pwned') == 0",
    )
    hostile = parse_flow(xml.encode("utf-8"), "restaurant")
    wf = started(hostile)
    decide(wf, "cy.yyzz", "approve")  # the sign's approval opens with the business licence
    wf = restored(hostile, wf)
    with pytest.raises(WorkflowError):
        decide(wf, "cy.zp", "approve")


def test_typed_values_in_task_data_survive_the_stored_json(flow: FlowSpec) -> None:
    """SpiffWorkflow's own encoder turns datetimes in data into typed records; the stored JSON
    must give them back as datetimes, not as strings."""
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    intake = waiting(wf, "intake")
    moment = datetime(2026, 9, 24, 9, 30, tzinfo=UTC)
    wf.complete(intake.id, {"applicant": {"name": "陈小明"}, "seen": {"at": moment, "for": timedelta(days=2)}})
    again = restored(flow, wf)
    data = again.task_data(waiting(again, "approval", "cy.jkz").id)  # an approval open from the start
    assert data["seen"] == {"at": moment, "for": timedelta(days=2)}
    assert data["applicant"] == {"name": "陈小明"}
