"""A workflow written by SpiffWorkflow's own task converter, for comparison with ours
(engine/workflow/task_converter.py)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter

from engine.domain import jsoncodec
from engine.workflow.case_workflow import CaseWorkflow, build_serializer, write_state

_STOCK = build_serializer(TaskConverter)


def stock_dict(wf: CaseWorkflow) -> Any:
    """What ``wf.dump()`` would store with SpiffWorkflow's ``TaskConverter``, as parsed JSON."""
    return jsoncodec.loads(write_state(_STOCK, wf._wf))
