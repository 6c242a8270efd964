"""A workflow written by SpiffWorkflow's own task converter, for comparison with ours
(engine/workflow/task_converter.py)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.domain import jsoncodec
from engine.workflow import case_workflow
from engine.workflow.case_workflow import CaseWorkflow

_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = case_workflow._SpeclessWorkflowConverter
_STOCK = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def stock_dict(wf: CaseWorkflow) -> Any:
    """What ``wf.dump()`` would store with SpiffWorkflow's ``TaskConverter``, as parsed JSON."""
    registry = _STOCK.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(wf._wf)
    finally:
        registry._encoder_mode = False
    dct[_STOCK.VERSION_KEY] = case_workflow.SERIALIZER_VERSION
    return jsoncodec.loads(jsoncodec.dumps(dct, default=case_workflow._ENCODER.default))
