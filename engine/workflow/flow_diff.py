"""Comparing two versions of a flow, element by element, to decide whether running cases may move.

``diff_flows`` reads both files with the hardened reader (``flow_xml``) and compares every flow node and
sequence flow by BPMN id on the aspects listed in ``engine.domain.flow_diff.ASPECTS``. Lanes, pools and the
diagram are not elements of their own here: moving a task to another lane changes that task's ``lane``, and
moving a shape on the canvas changes nothing.

``migration_blockers`` (re-exported from the domain) then says which of the elements a case has completed or
is waiting in were changed or removed; ``bpmn_element_id`` turns the task-spec names SpiffWorkflow records
for a case into the BPMN ids the diff speaks of.
"""

from __future__ import annotations

from typing import Any

from engine.domain.flow_diff import ASPECTS, ElementChange, ElementInfo, FlowDiff, migration_blockers
from engine.domain.flow_problems import FlowProblem
from engine.workflow.flow_model import SPIFF_NS, Flow, FlowModel, Node, bpmn, build_model, is_bpmn, local_name
from engine.workflow.flow_xml import MAX_FLOW_BYTES, read_flow_xml

__all__ = ["FlowUnreadable", "bpmn_element_id", "diff_flows", "migration_blockers"]

# Task specs SpiffWorkflow adds around a BPMN element, named after it.
_SPIFF_SUFFIXES = (".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")


class FlowUnreadable(ValueError):
    """One of the two files could not be read as BPMN XML; ``problems`` says why."""

    def __init__(self, which: str, problems: list[FlowProblem]) -> None:
        reasons = "; ".join(p.message_en for p in problems if p.is_error) or "unreadable"
        super().__init__(f"the {which} flow cannot be read: {reasons}")
        self.which = which
        self.problems = problems


def diff_flows(old_xml: bytes, new_xml: bytes, *, max_bytes: int = MAX_FLOW_BYTES) -> FlowDiff:
    """What changed from ``old_xml`` to ``new_xml``. Raises ``FlowUnreadable`` if either is not BPMN XML."""
    old_model, new_model = _model(old_xml, "old", max_bytes), _model(new_xml, "new", max_bytes)
    old, new = _signatures(old_model), _signatures(new_model)
    changed = []
    for element_id in sorted(old.keys() & new.keys()):
        before, after = old[element_id], new[element_id]
        aspects = tuple(a for a in ASPECTS if before.get(a) != after.get(a))
        if aspects:
            changed.append(ElementChange(element_id, aspects, {a: before.get(a) for a in aspects},
                                         {a: after.get(a) for a in aspects}))
    added, removed = tuple(sorted(new.keys() - old.keys())), tuple(sorted(old.keys() - new.keys()))
    named = set(added) | set(removed) | {c.element_id for c in changed}
    elements = _infos(old_model, named)
    elements.update(_infos(new_model, named))
    return FlowDiff(added, removed, tuple(changed), elements)


def bpmn_element_id(task_spec_name: str) -> str:
    """The BPMN id behind a SpiffWorkflow task-spec name (a boundary-event wrapper or a loop's child task
    carries its element's id plus a suffix)."""
    for suffix in _SPIFF_SUFFIXES:
        if task_spec_name.endswith(suffix):
            return task_spec_name[: -len(suffix)]
    return task_spec_name


def _model(xml: bytes, which: str, max_bytes: int) -> FlowModel:
    reading = read_flow_xml(xml, max_bytes=max_bytes)
    if reading.root is None:
        raise FlowUnreadable(which, reading.problems)
    return build_model(reading.root)


def _infos(model: FlowModel, named: set[str]) -> dict[str, ElementInfo]:
    """How the model describes the ``named`` elements and the ends of the sequence flows among them."""
    ends = {end for key in named if key in model.flows for end in (model.flows[key].source, model.flows[key].target)}
    found: dict[str, ElementInfo] = {}
    for key in named | ends:
        if key in model.nodes:
            node = model.nodes[key]
            found[key] = ElementInfo(node.type, node.name, node.lane, node.kind, node.properties.get("item"))
        elif key in model.flows:
            flow = model.flows[key]
            found[key] = ElementInfo("sequenceFlow", flow.name, source=flow.source, target=flow.target)
    return found


def _signatures(model: FlowModel) -> dict[str, dict[str, Any]]:
    found = {node.id: _node_signature(model, node) for node in model.nodes.values()}
    found.update({flow.id: _flow_signature(flow) for flow in model.flows.values()})
    return found


def _node_signature(model: FlowModel, node: Node) -> dict[str, Any]:
    element = node.element
    timers: list[str] = []
    for timer in element.findall(bpmn("timerEventDefinition")):
        timers.extend(f"{local_name(child)}={(child.text or '').strip()}" for child in timer if is_bpmn(child))
    scripts = [script.text or "" for script in element if is_bpmn(script) and local_name(script) == "script"]
    for extensions in element.findall(bpmn("extensionElements")):
        for name in ("preScript", "postScript"):
            scripts.extend(f"{name}: {script.text or ''}" for script in extensions.findall(f"{{{SPIFF_NS}}}{name}"))
    return {
        "type": node.type if not node.events else f"{node.type}:{'+'.join(sorted(node.events))}",
        "name": node.name,
        "lane": node.lane,
        "incoming": sorted(flow.id for flow in model.incoming(node.id)),
        "outgoing": sorted(flow.id for flow in model.outgoing(node.id)),
        "condition": None,
        "timer": timers or None,
        "script": scripts or None,
        "properties": dict(sorted(node.properties.items())) or None,
        "attached_to": node.attached_to,
        "default": node.default,
    }


def _flow_signature(flow: Flow) -> dict[str, Any]:
    return {
        "type": "sequenceFlow", "name": flow.name, "lane": None, "incoming": [flow.source], "outgoing": [flow.target],
        "condition": None if flow.condition is None else flow.condition.strip(), "timer": None, "script": None,
        "properties": None, "attached_to": None, "default": None,
    }
