"""Reading a flow version for its drawing, and a stored workflow for where the case stands on it.

``read_drawing`` indexes the BPMN file (``flow_model``): its flow nodes, leaf lanes and whether it
has diagram interchange (DI) at all — bpmn-js draws nothing without shapes, and flows uploaded by
hand may lack them. ``element_states`` restores the stored workflow with its flow spec and reads
every task of SpiffWorkflow's tree (subprocesses included) that stands for a BPMN element, i.e.
whose spec has a ``bpmn_id`` (the tree also holds SpiffWorkflow's own Root, Start and End specs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.domain.case_diagram import ElementState, FlowDrawing, FlowElement, FlowLane, latest_state
from engine.workflow.flow_model import build_model
from engine.workflow.flow_xml import read_flow_xml
from engine.workflow.specs import FlowSpec
from engine.workflow.state_serializer import build_serializer, read_state

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"

# Predicted tasks (MAYBE, LIKELY, FUTURE) are SpiffWorkflow's guesses about what comes next, not
# states the case has been in: they are left out, so an element only predicted is not reached.
_STATES = {
    SpiffState.COMPLETED: ElementState.COMPLETED,
    SpiffState.READY: ElementState.ACTIVE,
    SpiffState.STARTED: ElementState.ACTIVE,
    SpiffState.ERROR: ElementState.ACTIVE,  # a failed automatic step: the case stands there (流程异常)
    SpiffState.WAITING: ElementState.WAITING,
    SpiffState.CANCELLED: ElementState.NOT_REACHED,
}


def read_drawing(xml: bytes) -> FlowDrawing | None:
    """The drawing's elements and lanes; ``None`` for a file that cannot be read as BPMN."""
    root = read_flow_xml(xml).root
    if root is None:
        return None
    model = build_model(root)
    has_di = next(root.iter(f"{{{BPMNDI_NS}}}BPMNShape"), None) is not None
    elements = tuple(FlowElement(n.id, n.name, n.type, n.lane, n.kind, n.properties.get("item"))
                     for n in model.nodes.values())
    lanes = tuple(FlowLane(lane.id, lane.name or "") for lane in model.lanes if lane.is_leaf and lane.id)
    return FlowDrawing(has_di, elements, lanes)


@cache
def _serializer() -> BpmnWorkflowSerializer:
    return build_serializer()


def _all_tasks(workflow: Any) -> Iterator[Any]:
    # The task dictionaries, not the tree walk (get_tasks stops at depth 1000, loops make trees deep).
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def element_states(flow: FlowSpec, state: str) -> dict[str, ElementState]:
    """Each BPMN element the stored workflow ``state`` (of this release's format or an earlier one) has a
    task for: its state, the latest run's in a loop. Elements not in the answer are not reached."""
    workflow = read_state(_serializer(), state, flow)
    runs: dict[str, list[tuple[float, ElementState]]] = defaultdict(list)
    for task in _all_tasks(workflow):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        mapped = _STATES.get(task.state)
        if bpmn_id is None or mapped is None:
            continue
        runs[bpmn_id].append((float(task.last_state_change or 0), mapped))
    return {bpmn_id: latest_state(found) for bpmn_id, found in runs.items()}
