"""The stored workflow format (engine/workflow/stored_format.py): a state stored by an earlier
release, or under an earlier SpiffWorkflow, is read and its case completed; what this release
cannot read is refused by name. The states are real ones, written by
tools/write_workflow_state_fixture.py in the release whose format the file name gives (format 1
by the release before format numbers); each is a 开办餐饮店 case after intake and three approvals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT

from engine.domain import jsoncodec
from engine.workflow import stored_format
from engine.workflow.case_diagram import element_states
from engine.workflow.case_migration import stored_tasks
from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec, parse_flow
from engine.workflow.stored_format import FORMAT, FORMAT_KEY, SPIFF_FORMAT_KEY, StoredFormatUnknown
from tests.workflow.stock_dump import stock_dict

ROOT = Path(__file__).resolve().parents[2]
STATES = ROOT / "tests" / "fixtures" / "workflow_states"
FIXTURES = sorted(STATES.glob("restaurant_v*.json"))
APPROVED = {"cy.jkz", "cy.yyzz", "cy.xf"}


def format_number(path: Path) -> int:
    return int(path.stem.rsplit("_v", 1)[1])


@pytest.fixture(scope="module")
def flow() -> FlowSpec:
    return parse_flow((ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes(), "restaurant")


def state_of(number: int) -> str:
    return (STATES / f"restaurant_v{number}.json").read_text(encoding="utf-8")


def complete_the_case(flow: FlowSpec, wf: CaseWorkflow) -> CaseWorkflow:
    """Approve the two items still open, then the pickup, saving and restoring at each wait."""
    assert sorted(str(t.item) for t in wf.waiting_tasks()) == ["cy.spjy", "cy.zp"]
    for item in ("cy.spjy", "cy.zp"):
        task = next(t for t in wf.waiting_tasks() if t.item == item)
        wf.complete(task.id, {"results": {item: {"decision": "approve"}}})
        wf = CaseWorkflow.load(flow, wf.dump(), SafeScriptEngine())
    pickup = next(t for t in wf.waiting_tasks() if t.kind == "pickup")
    data = wf.task_data(pickup.id)
    assert data["applicant"]["name"] == "陈小明" and data["case_number"] == "CY-20261205-0001"
    assert {k for k, v in data["results"].items() if v["decision"] == "approve"} == APPROVED | {"cy.spjy", "cy.zp"}
    assert data["results"]["cy.yyzz"]["licence_number"] == "91330106MA2KXXXX1Y"  # from the stored state
    wf.complete(pickup.id, {"pickup": {"delivery": "window"}})
    wf = CaseWorkflow.load(flow, wf.dump(), SafeScriptEngine())
    assert wf.is_finished() and wf.waiting_tasks() == []
    return wf


def test_there_is_a_fixture_of_every_format_up_to_this_releases() -> None:
    assert [format_number(p) for p in FIXTURES] == list(range(1, FORMAT + 1))
    assert FORMAT >= 2  # so that at least one fixture is of an earlier format than this release writes


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_stored_state_of_every_format_is_read_and_its_case_completed(flow: FlowSpec, path: Path) -> None:
    state = path.read_text(encoding="utf-8")
    assert stored_format.format_of(jsoncodec.loads(state)) == format_number(path)
    wf = CaseWorkflow.load(flow, state, SafeScriptEngine())
    written = jsoncodec.loads(wf.dump())
    assert written[FORMAT_KEY] == FORMAT and written[SPIFF_FORMAT_KEY] == SPIFF_FORMAT  # saved in this release's
    complete_the_case(flow, wf)


def test_the_earlier_format_is_read_through_its_step(flow: FlowSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_format, "STEPS", {n: s for n, s in stored_format.STEPS.items() if n != 1})
    with pytest.raises(StoredFormatUnknown, match="no step reads stored format 1"):
        CaseWorkflow.load(flow, state_of(1), SafeScriptEngine())
    CaseWorkflow.load(flow, state_of(FORMAT), SafeScriptEngine())  # this release's own needs no step


def test_a_format_1_state_is_format_2_after_its_step() -> None:
    dct = jsoncodec.loads(state_of(1))
    assert FORMAT_KEY not in dct and dct[SPIFF_FORMAT_KEY] == stored_format.FORMAT_1_LABEL
    stored_format.upgrade(dct)
    assert dct[FORMAT_KEY] == FORMAT and dct[SPIFF_FORMAT_KEY] == "1.5"


@pytest.mark.parametrize(("change", "message"), [
    ({FORMAT_KEY: FORMAT + 1}, "of a later release"),
    ({FORMAT_KEY: "2"}, "not a number"),
    ({FORMAT_KEY: None, SPIFF_FORMAT_KEY: "spiff-9.0/other"}, "without a format number"),
    ({SPIFF_FORMAT_KEY: "0.9"}, "serializer format '0.9' has no migration"),
])
def test_a_state_this_release_cannot_read_is_refused(flow: FlowSpec, change: dict[str, Any], message: str) -> None:
    dct = jsoncodec.loads(state_of(FORMAT))
    for key, value in change.items():
        if value is None:
            del dct[key]
        else:
            dct[key] = value
    with pytest.raises(StoredFormatUnknown, match=message):
        CaseWorkflow.load(flow, jsoncodec.dumps(dct), SafeScriptEngine())


def test_a_state_of_an_earlier_spiffworkflow_runs_its_migrations_with_the_spec(
        flow: FlowSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a SpiffWorkflow upgrade its serializer format moves on; a state written under the
    earlier one goes through SpiffWorkflow's own migration, which reads the spec we do not store."""
    seen: list[set[str]] = []
    migrate = MIGRATIONS["1.4"]

    def watched(dct: dict[str, Any]) -> None:
        seen.append(set(dct["spec"]["task_specs"]))
        migrate(dct)  # SpiffWorkflow's own step: it fails on a state without the spec

    monkeypatch.setitem(MIGRATIONS, "1.4", watched)
    dct = jsoncodec.loads(state_of(FORMAT))
    dct[SPIFF_FORMAT_KEY] = "1.4"
    wf = CaseWorkflow.load(flow, jsoncodec.dumps(dct), SafeScriptEngine())
    assert len(seen) == 1 and {t["task_spec"] for t in dct["tasks"].values()} <= seen[0]
    assert "spec" not in jsoncodec.loads(wf.dump())  # put in for the migration, not stored
    complete_the_case(flow, wf)


def test_the_readers_around_the_workflow_read_an_earlier_format(flow: FlowSpec) -> None:
    old, new = state_of(1), state_of(FORMAT)
    assert stored_tasks(old) == stored_tasks(new)  # what a flow migration assesses
    assert element_states(flow, old)  # the case diagram
    assert element_states(flow, old).keys() == element_states(flow, new).keys()


SUBPROCESS_FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="nested" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="intake" name="受理">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:subProcess id="review" name="审查">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:startEvent id="sub_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="check" name="审核">
        <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="sub_end"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="check"/>
      <bpmn:sequenceFlow id="s2" sourceRef="check" targetRef="sub_end"/>
    </bpmn:subProcess>
    <bpmn:userTask id="pickup" name="领证">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake"/>
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="pickup"/>
    <bpmn:sequenceFlow id="f4" sourceRef="pickup" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_workflow_inside_a_subprocess_is_read_back_as_it_was_written() -> None:
    """The subprocess's tasks go through the same converters: ids, parents and children as they were."""
    flow = parse_flow(SUBPROCESS_FLOW.encode(), "nested")
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    wf.complete(wf.waiting_tasks()[0].id, {"applicant": {"name": "陈小明"}})
    state = wf.dump()
    assert jsoncodec.loads(state)["subprocesses"]  # the review runs as a subprocess
    assert jsoncodec.loads(state) == stock_dict(wf)  # as SpiffWorkflow's own task converter writes it
    engine = SafeScriptEngine()
    back = CaseWorkflow.load(flow, state, engine)  # failed before: a subprocess's engine cannot be set
    assert all(sub.script_engine is engine for sub in back._wf.subprocesses.values())
    assert back.dump() == state
    assert [t.name for t in back.waiting_tasks()] == ["check"]
    tree = {task.id: (task.parent and task.parent.id, [c.id for c in task.children])
            for task in back._all_tasks()}
    assert tree == {task.id: (task.parent and task.parent.id, [c.id for c in task.children])
                    for task in wf._all_tasks()}
    back.complete(back.waiting_tasks()[0].id, {"checked": True})
    back = CaseWorkflow.load(flow, back.dump(), SafeScriptEngine())
    pickup = back.waiting_tasks()[0]
    assert pickup.name == "pickup" and back.task_data(pickup.id)["checked"] is True
    back.complete(pickup.id, {})
    assert back.is_finished()
