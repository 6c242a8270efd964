"""A simulated case through a flow, entirely in memory: what an administrator sees before deploying it.

The driver plays every desk: the window accepts the case, each department decides its item (approve unless
told otherwise), the window records the supplied correction materials and hands the results over. It uses
``CaseWorkflow`` only and stores nothing. At each wait state it saves the workflow and goes on from the saved
state, as a real case does when its live workflow is not cached, so that data the state cannot hold fails
here rather than in the first real completion. It stops after ``MAX_STEPS`` tasks or ``MAX_SECONDS`` in all
(its script engine refuses to evaluate anything past that moment, so even one long automatic stretch ends),
when the flow waits on something no person can do (a timer, a message), or when the flow itself fails; each
is an answer, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.domain.model import TaskKind
from engine.workflow.case_workflow import CaseWorkflow, UnknownTask, WorkflowError, WorkflowTask
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec
from engine.workflow.step_errors import StepFailed

DECISIONS = ("approve", "reject", "correct")
MAX_STEPS = 200
"""Enough for every shipped flow with three correction rounds on each item; a loop stops here."""
MAX_SECONDS = 10.0
"""The whole run's time limit: a shipped flow's dry-run takes a fraction of a second."""

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
    """Why an unfinished run stopped: ``failed``, ``stalled`` (nothing a person can do) or ``too-long`` (past
    ``max_steps`` tasks or ``max_seconds``)."""
    error: str | None = None
    """What failed or why the run was too long, in English (with the failing step's id when there is one)."""
    error_zh: str | None = None
    """The same in Chinese."""
    failed_step: str | None = None
    """The BPMN id of the automatic step that failed, when one did."""

    @property
    def lanes(self) -> list[str]:
        """The lanes the case went through, in order of first visit."""
        return list(dict.fromkeys(step.lane for step in self.steps if step.lane))


def dry_run(flow: FlowSpec, script_engine: SafeScriptEngine, decisions: Mapping[str, str] | None = None, *,
            max_steps: int = MAX_STEPS, max_seconds: float = MAX_SECONDS) -> DryRun:
    """Run a case through ``flow``. ``decisions``: item code -> ``approve`` (the default), ``reject`` or
    ``correct`` (one correction round, then approval). ``script_engine`` gives the functions flows may call;
    the run uses its own engine with the same functions and the run's deadline."""
    wanted = dict(decisions or {})
    corrected: set[str] = set()
    steps: list[DryRunStep] = []
    deadline = time.monotonic() + max_seconds
    engine = SafeScriptEngine(script_engine.functions, deadline=deadline)
    wf: CaseWorkflow | None = None
    try:
        wf = _saved_and_restored(flow, CaseWorkflow.start(flow, engine), engine)
        while not wf.is_finished():
            waiting = wf.waiting_tasks()
            if not waiting:
                return DryRun(False, steps, [], "stalled")
            if len(steps) >= max_steps or time.monotonic() > deadline:
                return _too_long(steps, _names(waiting), max_steps, max_seconds)
            task = waiting[0]
            decision = _decision(task, wanted, corrected)
            wf.complete(task.id, _update(task, decision))
            steps.append(DryRunStep(task.name, task.title, task.lane, task.kind, task.item, decision))
            wf = _saved_and_restored(flow, wf, engine)
    except (WorkflowError, UnknownTask) as err:
        waiting_names = _names(wf.waiting_tasks()) if wf is not None else []
        if time.monotonic() > deadline:
            return _too_long(steps, waiting_names, max_steps, max_seconds)
        if isinstance(err, StepFailed):
            return DryRun(False, steps, waiting_names, "failed", str(err), err.full_message_zh, err.element_id)
        return DryRun(False, steps, waiting_names, "failed", str(err), f"流程无法继续：{err}")
    return DryRun(True, steps)


def _saved_and_restored(flow: FlowSpec, wf: CaseWorkflow, engine: SafeScriptEngine) -> CaseWorkflow:
    """The workflow after a save and a load, as a real case's next completion may find it."""
    try:
        state = wf.dump()
    except (TypeError, ValueError, OverflowError) as err:  # the JSON encoders' refusals
        raise WorkflowError(f"the case's data cannot be saved: {err}") from err
    return CaseWorkflow.load(flow, state, engine)


def _too_long(steps: list[DryRunStep], waiting: list[str], max_steps: int, max_seconds: float) -> DryRun:
    return DryRun(False, steps, waiting, "too-long",
                  f"the dry-run stopped after {len(steps)} tasks: a run may take at most {max_steps} tasks and "
                  f"{max_seconds:g} seconds",
                  f"试运行在 {len(steps)} 个任务后停止：一次试运行最多 {max_steps} 个任务、{max_seconds:g} 秒")


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
        return {"applicant": {"name": "试运行"}, "case_number": "DRY-RUN", "accepted": dict(_ACCEPTED),
                "site_checks": {}}
    if task.kind == TaskKind.APPROVAL and task.item is not None:
        record: dict[str, Any] = {"decision": decision, "decided_by": "dry-run", "decided_at": _ACCEPTED["at"]}
        if decision == "reject":
            record["reason"] = "试运行：不予许可"
        elif decision == "correct":
            record["materials"], record["reason"] = [], "试运行：补正"
        return {"results": {task.item: record}}
    if task.kind == TaskKind.INSPECTION and task.item is not None:
        return {"inspections": {task.item: {"result": "passed", "inspected_on": _ACCEPTED["at"][:10]}}}
    if task.kind == TaskKind.CORRECTION and task.item is not None:
        return {"corrections": {task.item: {"supplied": [], "recorded_by": "dry-run",
                                            "recorded_at": _ACCEPTED["at"]}}}
    if task.kind == TaskKind.PICKUP:
        return {"pickup": {"delivery": "window", "recipient_name": "试运行", "handed_over_by": "dry-run",
                           "handed_over_at": _ACCEPTED["at"]}}
    return {}
