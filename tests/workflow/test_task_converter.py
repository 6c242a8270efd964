"""Our task converter (engine/workflow/task_converter.py) writes what SpiffWorkflow's writes. The
autouse fixture of this folder compares every dump of every workflow test; here, that it does
compare, that a difference would be caught, and that ids read back through the id table are
the UUIDs written."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import pytest
from SpiffWorkflow.bpmn.serializer.default import workflow as spiff_workflow_converters

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
    monkeypatch.setattr(task_converter, "text_of", lambda uuid: str(uuid).upper())
    with pytest.raises(AssertionError, match="strayed"):
        wf.dump()


def test_ids_read_back_are_the_uuids_that_were_written() -> None:
    assert spiff_workflow_converters.UUID is UUID  # SpiffWorkflow's module is left as it is: no name replaced
    flow = parse_flow(FLOW.read_bytes(), "restaurant")
    wf = CaseWorkflow.start(flow, SafeScriptEngine())
    written = {t_id: (task._parent, list(task._children)) for t_id, task in wf._wf.tasks.items()}
    state = wf.dump()
    for _ in range(2):  # the second time from the table
        back = CaseWorkflow.load(flow, state, SafeScriptEngine())
        assert all(type(t_id) is UUID for t_id in back._wf.tasks)
        assert {t_id: (task._parent, list(task._children)) for t_id, task in back._wf.tasks.items()} == written
        assert back.dump() == state


def test_the_id_table_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(task_converter, "_UUIDS_MAX", 10)
    monkeypatch.setattr(task_converter, "_UUIDS", {})
    monkeypatch.setattr(task_converter, "_TEXTS", {})
    ids = [uuid4() for _ in range(25)]
    assert [task_converter.uuid_of(str(u)) for u in ids] == ids
    assert [task_converter.text_of(u) for u in reversed(ids)] == [str(u) for u in reversed(ids)]
    assert len(task_converter._UUIDS) <= 10 and len(task_converter._TEXTS) <= 10
