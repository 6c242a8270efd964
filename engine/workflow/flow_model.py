"""A plain index of a BPMN document, built from its XML: processes, flow nodes, sequence flows and lanes.

The checks (``flow_lint``, ``flow_expressions``) and the version diff (``flow_diff``) read this instead of
walking XML themselves. Where SpiffWorkflow has a rule of its own, the index follows it so that what is
checked is what will run: a node's lane is the ``name`` of the lane whose ``flowNodeRef`` lists it (the last
one in document order wins, and the children of a subprocess share its lane), a process without
``isExecutable`` counts as executable, and a node's outgoing flows are the sequence flows whose
``sourceRef`` names it (the ``<outgoing>`` elements are only cross-checked).

Building the index walks the tree once and never recurses, so nesting cannot exhaust the stack.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.workflow.flow_xml import BPMN_NS

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

CONTAINER_TYPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
TASK_TYPES = frozenset({"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
                        "businessRuleTask", "callActivity"})
EVENT_TYPES = frozenset({"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                         "boundaryEvent"})
GATEWAY_TYPES = frozenset({"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                           "complexGateway"})
FLOW_NODE_TYPES = CONTAINER_TYPES | TASK_TYPES | EVENT_TYPES | GATEWAY_TYPES
ACTIVITY_TYPES = CONTAINER_TYPES | TASK_TYPES


def bpmn(local: str) -> str:
    return f"{{{BPMN_NS}}}{local}"


def local_name(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def is_bpmn(element: Any) -> bool:
    return isinstance(element.tag, str) and element.tag.startswith(f"{{{BPMN_NS}}}")


def child_texts(element: Any, local: str) -> tuple[str, ...]:
    return tuple((child.text or "").strip() for child in element.findall(bpmn(local)))


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    """The BPMN element's local name: ``userTask``, ``parallelGateway``, ``boundaryEvent``..."""
    name: str | None
    line: int | None
    process_id: str
    container_id: str
    """The process or subprocess whose direct child this is."""
    lane: str | None
    incoming_refs: tuple[str, ...]
    outgoing_refs: tuple[str, ...]
    properties: dict[str, str]
    """``spiff:property`` name → value: ``kind`` (intake, approval, correction, pickup) and ``item``."""
    events: tuple[str, ...]
    """Local names of its event definitions, e.g. ``("timerEventDefinition",)``."""
    attached_to: str | None
    default: str | None
    element: Any = field(compare=False, repr=False)

    @property
    def kind(self) -> str | None:
        return self.properties.get("kind")


@dataclass(frozen=True)
class Flow:
    id: str
    name: str | None
    source: str
    target: str
    condition: str | None
    line: int | None
    process_id: str
    container_id: str
    element: Any = field(compare=False, repr=False)


@dataclass(frozen=True)
class Lane:
    id: str | None
    name: str | None
    line: int | None
    process_id: str
    is_leaf: bool
    """Only lanes without a child lane set hold tasks in SpiffWorkflow's eyes."""


@dataclass(frozen=True)
class Process:
    id: str
    name: str | None
    executable: bool
    line: int | None
    element: Any = field(compare=False, repr=False)


@dataclass
class FlowModel:
    processes: list[Process] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    lanes: list[Lane] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    """The source line of every BPMN element with an id."""
    duplicate_ids: list[tuple[str, int | None]] = field(default_factory=list)
    data_stores: list[tuple[str | None, int | None]] = field(default_factory=list)
    """Global ``dataStore`` definitions: SpiffWorkflow refuses a file with one it has no implementation for."""
    _out: dict[str, list[Flow]] = field(default_factory=lambda: defaultdict(list), repr=False, compare=False)
    _in: dict[str, list[Flow]] = field(default_factory=lambda: defaultdict(list), repr=False, compare=False)
    _attached: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list), repr=False, compare=False)
    _children: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list), repr=False, compare=False)

    def process(self, process_id: str) -> Process | None:
        return next((p for p in self.processes if p.id == process_id), None)

    def outgoing(self, node_id: str) -> list[Flow]:
        return self._out.get(node_id, [])

    def incoming(self, node_id: str) -> list[Flow]:
        return self._in.get(node_id, [])

    def boundary_events(self, node_id: str) -> list[Node]:
        return self._attached.get(node_id, [])

    def children(self, container_id: str) -> list[Node]:
        """The flow nodes directly inside a process or subprocess."""
        return self._children.get(container_id, [])

    def nodes_of(self, process_ids: Iterable[str]) -> Iterator[Node]:
        wanted = set(process_ids)
        return (node for node in self.nodes.values() if node.process_id in wanted)

    def successors(self, node_id: str) -> Iterator[str]:
        """Where a token can go next inside the same container: along sequence flows, and into the boundary
        events attached to an activity."""
        for flow in self.outgoing(node_id):
            if flow.target in self.nodes:
                yield flow.target
        for event in self.boundary_events(node_id):
            yield event.id


def _properties(element: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for extensions in element.findall(bpmn("extensionElements")):
        for properties in extensions.findall(f"{{{SPIFF_NS}}}properties"):
            for prop in properties.iter(f"{{{SPIFF_NS}}}property"):
                name, value = prop.get("name"), prop.get("value")
                if name is not None and value is not None:
                    found[name] = value
    return found


def _event_definitions(element: Any) -> tuple[str, ...]:
    return tuple(local_name(child) for child in element
                 if is_bpmn(child) and (local_name(child).endswith("EventDefinition")
                                        or local_name(child) == "eventDefinitionRef"))


def _lane_names(root: Any) -> dict[str, str | None]:
    lanes: dict[str, str | None] = {}
    for ref in root.iter(bpmn("flowNodeRef")):
        if ref.text is not None:
            lanes[ref.text] = ref.getparent().get("name")
    return lanes


def build_model(root: Any) -> FlowModel:
    """Index the ``definitions`` element ``root`` (as answered by ``flow_xml.read_flow_xml``)."""
    model = FlowModel()
    for element in root.iter(f"{{{BPMN_NS}}}*"):  # ids in extension namespaces are not BPMN ids
        element_id = element.get("id")
        if element_id is None:
            continue
        if element_id in model.lines:
            model.duplicate_ids.append((element_id, element.sourceline))
        else:
            model.lines[element_id] = element.sourceline
    model.data_stores = [(store.get("id"), store.sourceline) for store in root.iter(bpmn("dataStore"))]
    lane_of = _lane_names(root)
    for process in root.findall(bpmn("process")):
        process_id = process.get("id") or ""
        model.processes.append(Process(process_id, process.get("name"), process.get("isExecutable", "true") == "true",
                                       process.sourceline, process))
        _index_container(model, process, process_id, process_id, None, lane_of)
    for flow in model.flows.values():
        model._out[flow.source].append(flow)
        model._in[flow.target].append(flow)
    for node in model.nodes.values():
        model._children[node.container_id].append(node)
        if node.attached_to is not None:
            model._attached[node.attached_to].append(node)
    return model


def _index_container(model: FlowModel, container: Any, process_id: str, container_id: str, inherited_lane: str | None,
                     lane_of: dict[str, str | None]) -> None:
    pending: list[tuple[Any, str, str | None]] = [(container, container_id, inherited_lane)]
    while pending:
        scope, scope_id, scope_lane = pending.pop()
        for child in scope:
            if not is_bpmn(child):
                continue
            kind = local_name(child)
            child_id = child.get("id")
            if kind == "laneSet":
                _index_lanes(model, child, process_id)
            elif kind == "sequenceFlow" and child_id:
                condition = child.find(bpmn("conditionExpression"))
                model.flows.setdefault(child_id, Flow(
                    child_id, child.get("name"), child.get("sourceRef") or "", child.get("targetRef") or "",
                    None if condition is None else (condition.text or ""), child.sourceline, process_id, scope_id,
                    child))
            elif kind in FLOW_NODE_TYPES and child_id:
                lane = scope_lane if scope_lane is not None else lane_of.get(child_id)
                model.nodes.setdefault(child_id, Node(
                    child_id, kind, child.get("name"), child.sourceline, process_id, scope_id, lane,
                    child_texts(child, "incoming"), child_texts(child, "outgoing"), _properties(child),
                    _event_definitions(child), child.get("attachedToRef"), child.get("default"), child))
                if kind in CONTAINER_TYPES:
                    pending.append((child, child_id, lane))


def _index_lanes(model: FlowModel, lane_set: Any, process_id: str) -> None:
    pending = [lane_set]
    while pending:
        current = pending.pop()
        for lane in current.findall(bpmn("lane")):
            children = lane.findall(bpmn("childLaneSet"))
            model.lanes.append(Lane(lane.get("id"), lane.get("name"), lane.sourceline, process_id, not children))
            pending.extend(children)
