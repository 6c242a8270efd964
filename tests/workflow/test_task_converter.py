"""Our task converter (engine/workflow/task_converter.py) writes what SpiffWorkflow's writes. The
autouse fixture of this folder compares every dump of every workflow test; here, that it does
compare, and that a difference would be caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.workflow import task_converter
from engine.workflow.case_workflow import CaseWorkflow
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import parse_flow

FLOW = Path(__file__).resolve().parents[2] / "bpmn" / "restaurant" / "flow.bpmn"


def test_a_whole_case_is_compared_at_every_save(dumps_match_spiffworkflows_own: list[int]) -> None:
    flow = parse_flow(FLOW.read_bytes(), "restaurant")
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    saves = 0
    while not wf.is_finished():
        task = wf.waiting_tasks()[0]
        update = {"results": {task.item: {"decision": "approve"}}} if task.item else {}
        wf.complete(task.id, update)
        wf = CaseWorkflow.load(flow, wf.dump(), SafeScriptEngine())
        saves += 1
    assert saves >= 7  # intake, five approvals, pickup
    assert dumps_match_spiffworkflows_own[0] == saves


def test_a_converter_that_strays_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    flow = parse_flow(FLOW.read_bytes(), "restaurant")
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    wf.dump()  # the same
    monkeypatch.setattr(task_converter, "_text", lambda _texts, uuid: str(uuid).upper())
    with pytest.raises(AssertionError, match="strayed"):
        wf.dump()
