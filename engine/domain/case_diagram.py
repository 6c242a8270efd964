"""A case drawn on its flow (办件流程图): what the drawing holds, where the case stands on each
element, and each department's state on its lane. Plain Python: the workflow adapter reads the BPMN
file and the stored workflow into these types, the service joins them with the case's rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from engine.domain.model import CaseStatus, ItemStatus, TaskState
from engine.domain.records import CaseItemRecord, TaskRecord


class ElementState(StrEnum):
    COMPLETED = "completed"
    ACTIVE = "active"
    """Someone must act on it now (a task open in an inbox, a step being run)."""
    WAITING = "waiting"
    """The case waits in it for something other than a person's action now: a timer, a join
    gateway for the other departments' branches, an approval paused for a special procedure."""
    NOT_REACHED = "not_reached"


STATE_ORDER = (ElementState.ACTIVE, ElementState.WAITING, ElementState.COMPLETED, ElementState.NOT_REACHED)
"""Which state wins when two runs of an element changed at the same instant."""


class LaneState(StrEnum):
    TODO = "todo"
    """待办: a task of the department waits in its inbox, unclaimed."""
    IN_PROGRESS = "in_progress"
    """办理中: claimed."""
    PAUSED = "paused"
    """暂停: a special procedure stops the clock."""
    CORRECTING = "correcting"
    """补正中: the department asked for a correction, the window waits for the applicant."""
    NOT_STARTED = "not_started"
    """未开始: its items wait for a prerequisite (e.g. the food permit for the business licence)."""
    APPROVED = "approved"
    """已通过: every item decided, none refused."""
    REJECTED = "rejected"
    """不予许可: at least one item refused."""
    NOT_APPLICABLE = "not_applicable"
    """不适用: its items were not decided because a prerequisite was refused."""
    IDLE = "idle"
    """无待办: a lane without items (the window's) and nothing to do now."""
    DONE = "done"
    """已办结: the case is closed."""
    TERMINATED = "terminated"
    """已终止."""


@dataclass(frozen=True)
class FlowElement:
    """A flow node as drawn: its BPMN id, label, element type (``userTask``...), lane's department,
    and our properties: ``kind`` (intake, approval, correction, pickup) and the ``item`` it decides."""

    id: str
    name: str | None
    type: str
    department: str | None
    kind: str | None = None
    item: str | None = None


@dataclass(frozen=True)
class FlowLane:
    """A leaf lane: its BPMN id (what the drawing places an overlay on) and department code (its name)."""

    id: str
    department: str


@dataclass(frozen=True)
class FlowDrawing:
    has_di: bool
    """Whether the file has diagram interchange (shapes with positions); without it nothing can be drawn."""
    elements: tuple[FlowElement, ...]
    lanes: tuple[FlowLane, ...]


def latest_state(runs: Sequence[tuple[float, ElementState]]) -> ElementState:
    """An element's state over its runs (``(when it last changed, state)``): in a loop — a correction
    sends the case back to the approval — the latest run wins."""
    if not runs:
        return ElementState.NOT_REACHED
    return max(runs, key=lambda run: (run[0], -STATE_ORDER.index(run[1])))[1]


def element_state(element: FlowElement, ran: dict[str, ElementState], skipped_items: set[str]) -> ElementState:
    """``element``'s state from what the workflow ran (``ran``): an approval of an item that ended as
    not applicable (its prerequisite refused) was completed by the engine, not by the department,
    and is shown as not reached."""
    if element.kind == "approval" and element.item in skipped_items:
        return ElementState.NOT_REACHED
    return ran.get(element.id, ElementState.NOT_REACHED)


def lane_state(items: Sequence[CaseItemRecord], open_tasks: Sequence[TaskRecord], case_status: str) -> LaneState:
    """A department's state in a case from its items and its open tasks (both of that department only)."""
    if any(t.paused_since is not None for t in open_tasks):
        return LaneState.PAUSED
    if any(t.state == TaskState.CLAIMED for t in open_tasks):
        return LaneState.IN_PROGRESS
    if open_tasks:
        return LaneState.TODO
    if any(i.status == ItemStatus.CORRECTION_REQUESTED for i in items):
        return LaneState.CORRECTING
    if case_status == CaseStatus.TERMINATED:
        return LaneState.TERMINATED
    if any(i.status == ItemStatus.IN_REVIEW for i in items):
        return LaneState.NOT_STARTED
    if any(i.status == ItemStatus.REJECTED for i in items):
        return LaneState.REJECTED
    if any(i.status == ItemStatus.APPROVED for i in items):
        return LaneState.APPROVED
    if items:
        return LaneState.NOT_APPLICABLE
    return LaneState.DONE if case_status == CaseStatus.CLOSED else LaneState.IDLE


def clock_task(open_tasks: Sequence[TaskRecord]) -> TaskRecord | None:
    """The open task whose clock the lane shows: the one due first."""
    timed = [t for t in open_tasks if t.due_on is not None and t.limit_days is not None]
    return min(timed, key=lambda t: (t.due_on, t.id)) if timed else None
