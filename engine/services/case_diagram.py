"""A case on its flow's diagram (办件流程图): the flow version the case runs on, each element's
state and each department's state on its lane, for whoever may read the case (the rule of
GET /api/cases/{ref}: a department without an item in it is answered 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.domain.access import Principal
from engine.domain.case_diagram import (
    ElementState,
    FlowElement,
    FlowLane,
    LaneState,
    clock_task,
    element_state,
    lane_state,
)
from engine.domain.catalogue import bundle_from_dict
from engine.domain.errors import NotFound, case_not_found
from engine.domain.model import ItemStatus, TaskState
from engine.domain.records import CaseRecord, TaskRecord
from engine.services.cases import find_case
from engine.services.clocks import clock_fields
from engine.services.context import ServiceContext
from engine.services.intake_points import with_unit_names
from engine.services.progress import flow_of
from engine.workflow.case_diagram import element_states, read_drawing
from engine.workflow.case_workflow import SERIALIZER_VERSION


@dataclass(frozen=True)
class LaneView:
    lane: FlowLane
    department_name: str
    state: LaneState
    due_on: date | None
    colour: str | None
    """The lane's clock colour today (green, yellow, red), of its open task due first."""


@dataclass(frozen=True)
class CaseDiagram:
    case: CaseRecord
    version: int
    xml: str
    has_di: bool
    elements: list[tuple[FlowElement, ElementState]]
    lanes: list[LaneView]


def get_case_diagram(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseDiagram:
    with ctx.uow(False) as uow:
        case = find_case(uow, ref)
        items = uow.items.for_case(case.id)
        if not viewer.sees_case({i.department for i in items}, case.agent):
            raise case_not_found(ref)
        version = uow.flows.version(case.flow_version_id)
        xml, _process_id = uow.flows.xml(case.flow_version_id)
        stored = uow.states.get(case.id)
        flow = flow_of(ctx, uow, case.flow_version_id) if stored is not None else None
        tasks = uow.tasks.of_case(case.id)
        bundle_row = uow.flows.bundle(case.bundle_code)
        bundle = with_unit_names(uow, bundle_from_dict(bundle_row.definition), case) if bundle_row else None
    drawing = read_drawing(xml)
    if version is None or bundle is None or drawing is None:
        raise NotFound(f"case {case.number} has no readable flow version",
                       f"办件 {case.number} 的流程版本无法读取")
    # A state another serializer wrote cannot be restored here: the elements then show only what
    # the task rows say (the case itself is migrated by the administrator, not by a read).
    states = element_states(flow, stored[1]) if flow is not None and stored is not None \
        and stored[0] == SERIALIZER_VERSION else {}
    open_tasks = [t for t in tasks if TaskState(t.state).is_open]
    for task in open_tasks:  # the engine's own rows know what SpiffWorkflow does not: a paused clock
        states[task.name] = ElementState.WAITING if task.paused_since is not None else ElementState.ACTIVE
    skipped = {i.item_code for i in items if i.status == ItemStatus.NOT_APPLICABLE}
    elements = [(e, element_state(e, states, skipped)) for e in drawing.elements]
    lanes = []
    for lane in drawing.lanes:
        unit = case.routing.get(lane.department, lane.department)  # a county's case: the county's unit
        own = [t for t in open_tasks if t.department == unit]
        state = lane_state([i for i in items if i.department == unit], own, case.status)
        lanes.append(_lane_view(ctx, lane, bundle.department_name(unit), state, clock_task(own)))
    return CaseDiagram(case, version.version, xml.decode("utf-8"), drawing.has_di, elements, lanes)


def _lane_view(ctx: ServiceContext, lane: FlowLane, name: str, state: LaneState, task: TaskRecord | None) -> LaneView:
    clock = None if task is None else clock_fields(task.limit_days, task.due_on, task.colour,
                                                   task.paused_since is not None, ctx, task.statutory_days)
    if clock is None:
        return LaneView(lane, name, state, None, None)
    return LaneView(lane, name, state, date.fromisoformat(clock["due_on"]), str(clock["colour"]))
