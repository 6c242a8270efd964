"""A simulated case through a flow, entirely in memory: what an administrator sees before deploying it.

The driver plays every desk: the window accepts the case, each department decides its item (approve unless
told otherwise), the window records the supplied correction materials and hands the results over. It uses
``CaseWorkflow`` only, stores nothing, and stops after ``MAX_STEPS`` tasks, when the flow waits on something
no person can do (a timer, a message), or when the flow itself fails; each is an answer, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.domain.model import TaskKind
from engine.workflow.case_workflow import CaseWorkflow, UnknownTask, WorkflowError, WorkflowTask
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec

DECISIONS = ("approve", "reject", "correct")
MAX_STEPS = 200
"""Enough for every shipped flow with three correction rounds on each item; a loop stops here."""

_ACCEPTED = {"by": "dry-run", "at": "2026-01-05T09:00:00+08:00", "channel": "window"}


@dataclass(frozen=True)
class DryRunStep:
    task: str
    """The BPMN id of the user task completed."""
    title: str
    lane: str | None
    kind: str | None
    item: str | None
    decision: str | None = None


@dataclass(frozen=True)
class DryRun:
    finished: bool
    steps: list[DryRunStep] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    """The user tasks still waiting when the run stopped (empty when it finished)."""
    stopped: str | None = None
    """Why an unfinished run stopped: ``failed``, ``stalled`` (nothing a person can do) or ``too-long``."""
    error: str | None = None

    @property
    def lanes(self) -> list[str]:
        """The lanes the case went through, in order of first visit."""
        return list(dict.fromkeys(step.lane for step in self.steps if step.lane))


def dry_run(flow: FlowSpec, script_engine: SafeScriptEngine, decisions: Mapping[str, str] | None = None, *,
            max_steps: int = MAX_STEPS) -> DryRun:
    """Run a case through ``flow``. ``decisions``: item code -> ``approve`` (the default), ``reject`` or
    ``correct`` (one correction round, then approval)."""
    wanted = dict(decisions or {})
    corrected: set[str] = set()
    steps: list[DryRunStep] = []
    wf: CaseWorkflow | None = None
    try:
        wf = CaseWorkflow.start(flow, script_engine)
        while not wf.is_finished():
            waiting = wf.waiting_tasks()
            if not waiting:
                return DryRun(False, steps, [], "stalled")
            if len(steps) >= max_steps:
                return DryRun(False, steps, _names(waiting), "too-long")
            task = waiting[0]
            decision = _decision(task, wanted, corrected)
            wf.complete(task.id, _update(task, decision))
            steps.append(DryRunStep(task.name, task.title, task.lane, task.kind, task.item, decision))
    except (WorkflowError, UnknownTask) as err:
        return DryRun(False, steps, _names(wf.waiting_tasks()) if wf is not None else [], "failed", str(err))
    return DryRun(True, steps)


def _names(tasks: list[WorkflowTask]) -> list[str]:
    return [t.name for t in tasks]


def _decision(task: WorkflowTask, wanted: dict[str, str], corrected: set[str]) -> str | None:
    if task.kind != TaskKind.APPROVAL or task.item is None:
        return None
    decision = wanted.get(task.item, "approve")
    if decision == "correct":
        if task.item in corrected:
            return "approve"
        corrected.add(task.item)
    return decision


def _update(task: WorkflowTask, decision: str | None) -> dict[str, Any]:
    """What the desk would write into the workflow (the shapes of ``engine.domain.decisions``)."""
    if task.kind == TaskKind.INTAKE:
        return {"applicant": {"name": "试运行"}, "case_number": "DRY-RUN", "accepted": dict(_ACCEPTED)}
    if task.kind == TaskKind.APPROVAL and task.item is not None:
        record: dict[str, Any] = {"decision": decision, "decided_by": "dry-run", "decided_at": _ACCEPTED["at"]}
        if decision == "reject":
            record["reason"] = "试运行：不予许可"
        elif decision == "correct":
            record["materials"], record["reason"] = [], "试运行：补正"
        return {"results": {task.item: record}}
    if task.kind == TaskKind.CORRECTION and task.item is not None:
        return {"corrections": {task.item: {"supplied": [], "recorded_by": "dry-run",
                                            "recorded_at": _ACCEPTED["at"]}}}
    if task.kind == TaskKind.PICKUP:
        return {"pickup": {"delivery": "window", "recipient_name": "试运行", "handed_over_by": "dry-run",
                           "handed_over_at": _ACCEPTED["at"]}}
    return {}
