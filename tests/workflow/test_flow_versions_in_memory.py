"""The in-memory side of flow administration: a dry run through a flow, and a stored case restored onto
another version of its flow (which task specs it touched, which the new version lacks)."""

from __future__ import annotations

import pytest

from engine.workflow.case_migration import (
    StateUnreadable,
    missing_task_specs,
    rebind_workflow,
    stored_tasks,
)
from engine.workflow.case_workflow import CaseWorkflow, WorkflowError
from engine.workflow.dry_run import dry_run
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec, parse_flow
from tests.unit.flow_samples import CONDITION, flow

ENGINE = SafeScriptEngine()


def spec(*replacements: tuple[str, str]) -> FlowSpec:
    return parse_flow(flow(*replacements).encode("utf-8"), "demo")


def test_a_dry_run_approves_everything_by_default() -> None:
    run = dry_run(spec(), ENGINE)
    assert run.finished and run.stopped is None and run.waiting == []
    assert run.steps[0].kind == "intake" and run.steps[-1].kind == "pickup"
    assert sorted(s.task for s in run.steps if s.kind == "approval") == ["approve_a", "approve_b"]
    assert {s.decision for s in run.steps if s.kind == "approval"} == {"approve"}
    assert run.lanes[0] == "window" and set(run.lanes) == {"window", "scjg", "cg"}


def test_a_dry_run_follows_a_correction_once_then_approves() -> None:
    run = dry_run(spec(), ENGINE, {"a": "correct", "b": "reject"})
    assert run.finished
    assert [(s.task, s.decision) for s in run.steps if s.item == "a"] == [
        ("approve_a", "correct"), ("correct_a", None), ("approve_a", "approve")]
    assert [s.decision for s in run.steps if s.item == "b"] == ["reject"]


def test_a_dry_run_stops_where_the_flow_fails_or_runs_too_long() -> None:
    failing = dry_run(spec((CONDITION, "results['nobody']['decision'] == 'correct'")), ENGINE)
    assert not failing.finished and failing.stopped == "failed" and failing.error
    assert [s.task for s in failing.steps][:1] == ["intake"]
    long = dry_run(spec(), ENGINE, max_steps=2)
    assert not long.finished and long.stopped == "too-long" and len(long.steps) == 2 and long.waiting


def started_and_partly_done() -> tuple[FlowSpec, str]:
    """A demo case whose intake and item ``b`` are done, item ``a`` waiting."""
    old = spec()
    wf = CaseWorkflow.start(old, ENGINE)
    intake = next(t for t in wf.waiting_tasks() if t.kind == "intake")
    wf.complete(intake.id, {"applicant": {"name": "陈小明"}})
    b = next(t for t in wf.waiting_tasks() if t.item == "b")
    wf.complete(b.id, {"results": {"b": {"decision": "approve"}}})
    return old, wf.dump()


def test_stored_tasks_name_what_the_case_did_and_does() -> None:
    _, state = started_and_partly_done()
    tasks = stored_tasks(state)
    assert {"intake", "split", "approve_a", "approve_b"} <= tasks.touched_elements()
    assert "pickup" not in tasks.touched_elements() and "pickup" in tasks.named
    with pytest.raises(StateUnreadable):
        stored_tasks("{not json")


def test_a_case_is_restored_on_a_version_with_its_tasks_and_finishes_there() -> None:
    _, state = started_and_partly_done()
    renamed = spec(('<bpmn:userTask id="pickup" name="统一出件">', '<bpmn:userTask id="pickup" name="统一出件（新）">'))
    assert missing_task_specs(stored_tasks(state), renamed) == []
    wf = rebind_workflow(state, renamed, ENGINE)
    a = next(t for t in wf.waiting_tasks() if t.item == "a")
    wf.complete(a.id, {"results": {"a": {"decision": "approve"}}})
    pickup = next(t for t in wf.waiting_tasks() if t.kind == "pickup")
    assert pickup.title == "统一出件（新）"
    wf.complete(pickup.id, {"pickup": {"delivery": "window"}})
    assert wf.is_finished()


def test_a_version_without_a_task_the_case_names_is_refused() -> None:
    _, state = started_and_partly_done()
    renamed_id = spec(('id="approve_b"', 'id="approve_b2"'), (">approve_b<", ">approve_b2<"),
                      ('targetRef="approve_b"', 'targetRef="approve_b2"'),
                      ('sourceRef="approve_b"', 'sourceRef="approve_b2"'))
    assert missing_task_specs(stored_tasks(state), renamed_id) == ["approve_b"]
    with pytest.raises(WorkflowError, match="approve_b"):
        rebind_workflow(state, renamed_id, ENGINE)
