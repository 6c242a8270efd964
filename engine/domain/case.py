"""The ``Case`` aggregate: a case with the items and tasks a change needs, and the transitions of
its state. Each transition checks its rule, changes the records, and records the events it causes
(``Case.events``); the use cases persist those with ``record_event`` in the order they were
recorded, and save the records through their repositories.

What the workflow decides (which task opens next, whether the flow finished) stays outside: a
transition takes the workflow's answer as a value and answers the data it writes into the workflow.
The records are the ones the repositories read and write; the aggregate holds no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.case_items import (
    approved,
    correction_requested,
    correction_supplied,
    not_applicable,
    rejected,
)
from engine.domain.decisions import (
    Approve,
    HandOver,
    LicenceGrant,
    Reject,
    RequestCorrection,
    SupplyCorrection,
    TaskAnswer,
    no_decision,
    pickup_record,
)
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.inspections import (
    RESULT_ZH,
    InspectionResult,
    RecordInspection,
    failed_inspection,
    inspection_record,
)
from engine.domain.model import SYSTEM, Actor, CaseStatus, TaskKind, TaskState
from engine.domain.records import CaseItemRecord, CaseRecord, TaskRecord
from forms.checklist import MaterialStatus


@dataclass(frozen=True)
class CaseEvent:
    """An event a transition caused, to be appended to the case's log (``record_event``)."""

    type: str
    data: dict[str, Any]
    actor: Actor
    at: datetime
    task_id: str | None = None


@dataclass(frozen=True)
class ItemRules:
    """What the catalogue says of the item a task is about: its materials (key -> name), which a
    correction names and a supply covers (None: not looked up, names are taken as given), and the
    licence it grants when approved (None: none)."""

    materials: Mapping[str, str] | None = None
    grant: LicenceGrant | None = None


@dataclass(frozen=True)
class TaskDone:
    """A completed task: the data it writes into the workflow, and whether it ended the special
    procedure the task was in (the pause the clock store keeps open)."""

    workflow_data: dict[str, Any]
    ended_pause: bool = False


class Case:
    """A case as one change sees it: its record, the items and tasks that change loaded, and the
    events its transitions recorded and nobody persisted yet."""

    def __init__(self, record: CaseRecord, items: Iterable[CaseItemRecord] = (),
                 tasks: Iterable[TaskRecord] = ()) -> None:
        self.record = record
        self.items = {item.item_code: item for item in items}
        self.tasks = {task.id: task for task in tasks}
        self.events: list[CaseEvent] = []
        self._changed_items: dict[str, CaseItemRecord] = {}

    def take_events(self) -> list[CaseEvent]:
        """The events recorded since the last call, oldest first, for the caller to persist."""
        events, self.events = self.events, []
        return events

    def take_changed_items(self) -> list[CaseItemRecord]:
        """The items a transition changed since the last call, for the caller to save."""
        changed, self._changed_items = list(self._changed_items.values()), {}
        return changed

    def _record(self, event_type: str, data: dict[str, Any], actor: Actor, at: datetime,
                task_id: str | None = None) -> None:
        self.events.append(CaseEvent(event_type, data, actor, at, task_id))

    def _changed(self, item: CaseItemRecord) -> None:
        self._changed_items[item.item_code] = item

    # -- completing a task ------------------------------------------------------------------

    def complete_task(self, task_id: str, answer: TaskAnswer | None, actor: Actor, now: datetime,
                      rules: ItemRules = ItemRules()) -> TaskDone:
        """The task's answer, checked for the task's kind: a department decides its item (approve,
        reject, request a correction), the window records a correction's materials or hands the
        results over. The task is completed by ``actor``; the item and the case change with it."""
        task = self.tasks[task_id]
        item = self.items.get(task.item_code or "")
        decision: str | None = None
        if task.kind == TaskKind.APPROVAL and item is not None:
            data, decision = self._decide(task, item, answer, actor, now, rules)
        elif task.kind == TaskKind.CORRECTION and item is not None:
            data = self._take_correction(task, item, answer, actor, now, rules)
        elif task.kind == TaskKind.INSPECTION and item is not None:
            data, decision = self._inspect(task, item, answer, actor, now)
        elif task.kind == TaskKind.PICKUP:
            # The task endpoint carries no hand-over: a pickup answered there is one at the window
            # with nobody named, refused as such.
            record = pickup_record(answer if isinstance(answer, HandOver) else HandOver(), actor, now)
            self._record("ResultsHandedOver", dict(record), actor, now, task.id)
            data = {"pickup": record}
        else:
            raise InvalidInput(f"tasks of kind {task.kind!r} cannot be completed here",
                               f"此类任务（{task.kind}）不能在此办理")
        ended_pause = task.paused_since is not None  # deciding ends the special procedure with it
        task.paused_since = None
        task.state, task.completed_at, task.completed_by = TaskState.COMPLETED, now, actor.user
        task.assignee = task.assignee or actor.user
        task.decision = decision
        return TaskDone(data, ended_pause)

    def _decide(self, task: TaskRecord, item: CaseItemRecord, answer: TaskAnswer | None, actor: Actor,
                now: datetime, rules: ItemRules) -> tuple[dict[str, Any], str]:
        """The department's decision on its item; answers its result and the task's decision."""
        if isinstance(answer, Approve):
            if (failed := failed_inspection(item.inspection)) is not None:
                raise failed
            result, event = approved(item, answer, actor, now, rules.grant), "ItemApproved"
        elif isinstance(answer, Reject):
            result, event = rejected(item, answer, actor, now), "ItemRejected"
        elif isinstance(answer, RequestCorrection):
            result, event = correction_requested(item, answer, actor, now, rules.materials), "CorrectionRequested"
        else:
            raise no_decision()
        self._changed(item)
        self._record(event, result[1], actor, now, task.id)
        return {"results": {item.item_code: result[0]}}, answer.decision.value

    def _inspect(self, task: TaskRecord, item: CaseItemRecord, answer: TaskAnswer | None, actor: Actor,
                 now: datetime) -> tuple[dict[str, Any], str]:
        """The department records its site inspection (现场核查) on the item; the approval reads it."""
        if not isinstance(answer, RecordInspection):
            raise InvalidInput("an inspection is completed with its result",
                               "现场核查任务须填写核查结论（合格或不合格）",
                               {"result": ["请选择核查结论：passed（合格）或 failed（不合格）"]})
        record = inspection_record(answer, self.record.accepted_at, actor, now)
        item.inspection = record
        self._changed(item)
        self._record("SiteInspected", {"item": item.item_code, "result": record["result"],
                                       "result_zh": RESULT_ZH[InspectionResult(record["result"])],
                                       "inspected_on": record["inspected_on"], "findings": record["findings"]},
                     actor, now, task.id)
        return {"inspections": {item.item_code: {"result": record["result"],
                                                 "inspected_on": record["inspected_on"]}}}, record["result"]

    def _take_correction(self, task: TaskRecord, item: CaseItemRecord, answer: TaskAnswer | None, actor: Actor,
                         now: datetime, rules: ItemRules) -> dict[str, Any]:
        supply = answer if isinstance(answer, SupplyCorrection) else SupplyCorrection()
        supplied, event_data = correction_supplied(item, supply, rules.materials)
        self._back_to_checklist(supplied)
        self._changed(item)
        self._record("CorrectionSupplied", event_data, actor, now, task.id)
        return {"corrections": {item.item_code: {"supplied": supplied, "recorded_by": actor.user,
                                                 "recorded_at": now.isoformat()}}}

    def _back_to_checklist(self, supplied: list[str]) -> None:
        """Materials supplied for a correction count as submitted in the case's checklist; a
        tolerated (容缺) material supplied this way is no longer outstanding."""
        case = self.record
        listed = [key for key in supplied if key in case.materials]
        if not listed:
            return
        case.materials = {**case.materials, **dict.fromkeys(listed, str(MaterialStatus.SUBMITTED))}
        if MaterialStatus.TOLERATED not in case.materials.values():
            case.materials_due = None

    # -- linked items (联动) -------------------------------------------------------------------

    def refuse_for_prerequisite(self, item_code: str, prerequisite: str, prerequisite_name: str,
                                prerequisite_refused: bool, now: datetime) -> dict[str, Any]:
        """An item whose prerequisite was refused (or is itself not applicable) is not decided: it
        ends as not applicable, by the system, with the reason. Answers what it writes into the
        workflow as its result. An item the aggregate does not hold is left as stored."""
        reason = (f"前置事项“{prerequisite_name}”{'不予许可' if prerequisite_refused else '不适用'}，"
                  "本事项不再办理")
        item = self.items.get(item_code)
        if item is not None:
            not_applicable(item, reason, now)
            self._changed(item)
        self._record("ItemNotApplicable", {"item": item_code, "prerequisite": prerequisite, "reason": reason},
                     SYSTEM, now)
        return {"results": {item_code: {"decision": "not_applicable", "reason": reason,
                                        "decided_by": SYSTEM.user, "decided_at": now.isoformat()}}}

    # -- the case's own status ----------------------------------------------------------------

    def move_on(self, finished: bool, results_ready: bool, actor: Actor, now: datetime) -> bool:
        """The case follows its workflow: closed once the flow finished (by ``actor``, who handed the
        results over), awaiting pickup once the pickup opened, in review otherwise. Answers whether
        the status changed (its event recorded)."""
        case = self.record
        before = case.status
        if finished:
            case.status, case.closed_at = CaseStatus.CLOSED, now
        elif results_ready:
            case.status = CaseStatus.AWAITING_PICKUP
        else:
            case.status = CaseStatus.IN_REVIEW
        if case.status == before:
            return False
        event = {CaseStatus.CLOSED: "CaseClosed", CaseStatus.AWAITING_PICKUP: "ResultsReady",
                 CaseStatus.IN_REVIEW: "CaseInReview"}[CaseStatus(case.status)]
        self._record(event, {"from": before, "to": case.status}, actor if event == "CaseClosed" else SYSTEM, now)
        return True

    # -- tolerated materials (容缺) ------------------------------------------------------------

    def outstanding_materials(self) -> list[str]:
        """The tolerated materials not supplied yet, by key."""
        return sorted(k for k, v in self.record.materials.items() if v == MaterialStatus.TOLERATED)

    def supply_tolerated(self, supplied: list[str], actor: Actor, now: datetime, online: bool = False) -> None:
        """The applicant supplies tolerated materials after acceptance (``online``: uploaded, not
        brought to the window): each counts as submitted; once none is outstanding, the case no
        longer has a day to supply them by."""
        case = self.record
        if CaseStatus(case.status).is_finished:
            raise Conflict(f"case {case.number} is {case.status}", f"办件 {case.number} 已办结或终止")
        outstanding = set(self.outstanding_materials())
        wrong = [k for k in supplied if k not in outstanding]
        if wrong:
            raise InvalidInput(
                f"not outstanding for this case: {', '.join(wrong)}",
                f"以下材料不是本办件待补交的容缺材料：{'、'.join(wrong)}",
                {"supplied": [f"待补交：{'、'.join(sorted(outstanding)) or '无'}"]})
        case.materials = {**case.materials, **dict.fromkeys(supplied, str(MaterialStatus.SUBMITTED))}
        left = sorted(outstanding - set(supplied))
        if not left:
            case.materials_due = None
        data: dict[str, Any] = {"supplied": sorted(set(supplied)), "outstanding": left}
        if online:
            data["channel"] = "online"
        self._record("MaterialsSupplied", data, actor, now)

    def materials_overdue(self, now: datetime) -> bool:
        """The case runs and the day for its tolerated materials has passed."""
        case = self.record
        return (not CaseStatus(case.status).is_finished and case.materials_due is not None
                and case.materials_due < now)

    def terminate_for_overdue_materials(self, now: datetime) -> list[TaskRecord]:
        """办件终止: the tolerated materials were not all supplied by their day. Every open task the
        aggregate holds is cancelled (answered, for the caller to save), then the case."""
        case = self.record
        if not self.materials_overdue(now):
            raise Conflict(f"case {case.number} has no tolerated material overdue",
                           f"办件 {case.number} 没有逾期未补齐的容缺材料")
        assert case.materials_due is not None
        missing = self.outstanding_materials()
        cancelled = [task for task in self.tasks.values() if TaskState(task.state).is_open]
        for task in cancelled:
            task.state = TaskState.CANCELLED
            self._record("TaskCancelled", {"task": task.name}, SYSTEM, now, task.id)
        before, case.status, case.closed_at = case.status, CaseStatus.TERMINATED, now
        self._record("CaseTerminated", {"from": before, "reason": "容缺材料逾期未补齐", "missing": missing,
                                        "due": case.materials_due.isoformat()}, SYSTEM, now)
        return cancelled
