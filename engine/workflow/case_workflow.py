"""A running case's workflow: start, load, list waiting user tasks, complete one, dump.

The stored JSON and its format: state_serializer.py (writing and reading through SpiffWorkflow's
serializer) and stored_format.py (the format's versions, and how a state stored by an earlier
release, or under an earlier SpiffWorkflow, is read).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.domain.incidents import FailedStep
from engine.workflow.script_engine import SafeScriptEngine, step_failure
from engine.workflow.specs import FlowSpec
from engine.workflow.state_serializer import build_serializer as build_serializer  # re-exported for the tests
from engine.workflow.state_serializer import read_state, storable
from engine.workflow.state_serializer import write_state as write_state  # re-exported for the tests
from engine.workflow.step_errors import StepFailed, StepFailure
from engine.workflow.step_errors import WorkflowError as WorkflowError  # re-exported: callers import it from here
from engine.workflow.stored_format import FORMAT_1_LABEL

SERIALIZER_VERSION = FORMAT_1_LABEL
"""The value of ``workflow_states.serializer_version`` for every state this engine writes or reads:
the specless family of stored states, labelled as its first release labelled it; the exact format
of a state is inside its JSON (stored_format.py), so that a release that changes the format still
reads the rows stored before it."""


class UnknownTask(KeyError):
    pass


@dataclass(frozen=True)
class WorkflowTask:
    """A user task waiting for a person, in our terms."""

    id: str
    name: str
    title: str
    lane: str | None
    kind: str | None
    item: str | None


_SERIALIZER = build_serializer()


class CaseWorkflow:
    def __init__(self, workflow: Any, script_engine: SafeScriptEngine) -> None:
        self._wf = workflow
        # The script engine is not serialized: attach ours every time, or conditions would run
        # through SpiffWorkflow's default eval/exec engine. Subprocesses use their top workflow's.
        self._wf.script_engine = script_engine
        self._running: Any = None
        """The task being run, so that a failure names the step to run again (see ``halt``)."""
        self._halted: list[FailedStep] = []

    @classmethod
    def start(cls, flow: FlowSpec, script_engine: SafeScriptEngine) -> CaseWorkflow:
        wf = cls(BpmnWorkflow(flow.spec, flow.subprocess_specs, script_engine=script_engine), script_engine)
        wf._advance()
        return wf

    @classmethod
    def load(cls, flow: FlowSpec, state: str, script_engine: SafeScriptEngine) -> CaseWorkflow:
        return cls(read_state(_SERIALIZER, state, flow), script_engine)

    def dump(self) -> str:
        return write_state(_SERIALIZER, self._wf)

    def _all_tasks(self) -> Iterator[Any]:
        # Walk the task dictionaries, not the tree: get_tasks() stops at depth 1000.
        yield from self._wf.tasks.values()
        for sub in self._wf.subprocesses.values():
            yield from sub.tasks.values()

    def waiting_tasks(self) -> list[WorkflowTask]:
        return [
            _to_workflow_task(t)
            for t in self._all_tasks()
            if t.state == SpiffState.READY and isinstance(t.task_spec, UserTask)
        ]

    def task_data(self, task_id: str) -> dict[str, Any]:
        return dict(self._find(task_id).data)

    def complete(self, task_id: str, update: Mapping[str, Any]) -> None:
        """Merge ``update`` into the task's data (one level deep for dicts), run it, then advance."""
        task = self._find(task_id)
        if task.state != SpiffState.READY or not isinstance(task.task_spec, UserTask):
            raise UnknownTask(task_id)
        for key, value in update.items():
            current = task.data.get(key)
            if isinstance(current, dict) and isinstance(value, Mapping):
                task.data[key] = {**current, **value}
            else:
                task.data[key] = value
        self._running = task
        self._guard(task.run)
        self._advance()

    def _waiting_timers(self) -> dict[str, Any]:
        return {str(t.id): t for t in self._wf.event_manager.tasks.values()
                if isinstance(t.task_spec.event_definition, TimerEventDefinition)}

    def next_timer_at(self) -> datetime | None:
        """When the earliest waiting timer is due (tz-aware UTC), or ``None``. A timer whose
        expression has not been evaluated yet counts as due now, so that the ticker evaluates it."""
        due: list[datetime] = []
        for task in self._waiting_timers().values():
            value = task.internal_data.get("event_value")
            if isinstance(value, dict):  # a cycle: {"next": iso, ...}
                value = value.get("next")
            try:
                due.append(TimerEventDefinition.get_datetime(value) if isinstance(value, str)
                           else datetime.fromtimestamp(0).astimezone())
            except ValueError:
                due.append(datetime.fromtimestamp(0).astimezone())
        return min(due) if due else None

    def fire_timers(self) -> list[str]:
        """Let every timer that is due fire and the flow move on; answers the names of the timers
        that fired (SpiffWorkflow reads the wall clock for this, in UTC)."""
        before = {task_id: (t, json.dumps(t.internal_data.get("event_value"), sort_keys=True, default=str))
                  for task_id, t in self._waiting_timers().items()}
        self._advance()
        after = self._waiting_timers()
        fired = [t for task_id, (t, value) in before.items() if task_id not in after or json.dumps(
            after[task_id].internal_data.get("event_value"), sort_keys=True, default=str) != value]
        return [t.task_spec.bpmn_name or t.task_spec.name for t in fired]

    def is_finished(self) -> bool:
        return all(t.state & SpiffState.FINISHED_MASK for t in self._all_tasks())

    def _find(self, task_id: str) -> Any:
        try:
            uuid = UUID(task_id)
        except ValueError:
            raise UnknownTask(task_id) from None
        for workflow in (self._wf, *self._wf.subprocesses.values()):
            task = workflow.tasks.get(uuid)
            if task is not None:
                return task
        raise UnknownTask(task_id)

    def _advance(self) -> None:
        self._running = None
        self._guard(self._wf.refresh_timers)
        self._guard(lambda: self._wf.do_engine_steps(will_complete_task=self._note_running))

    def _note_running(self, task: Any) -> None:
        self._running = task

    def halt(self, err: WorkflowError) -> FailedStep:
        """After a run stopped by ``err``: keep the workflow as it stands, which SpiffWorkflow left
        storable (the failing task in ERROR, or the task whose completion failed its successor
        COMPLETED, the rest as it was), and answer the step to run again (``retry``). The halt is
        kept until ``take_halted``."""
        running = self._running
        spec = running.task_spec if running is not None else None
        if isinstance(err, StepFailed):
            element_id, name, message, message_zh = err.element_id, err.element_name, err.message, err.message_zh
            kind = str(err.failure)
        else:
            element_id = getattr(spec, "bpmn_id", None) or (spec.name if spec is not None else None)
            name, message = getattr(spec, "bpmn_name", None), str(err)
            message_zh, kind = f"流程引擎无法执行此步骤：{message}", str(StepFailure.OTHER)
        step = FailedStep(str(running.id) if running is not None else None, element_id, name, kind, message,
                          message_zh)
        self._halted.append(step)
        return step

    def task_completed(self, task_id: str) -> bool:
        """Whether the task ran to completion (its successors may have failed)."""
        return bool(self._find(task_id).state == SpiffState.COMPLETED)

    def take_halted(self) -> list[FailedStep]:
        """The steps that halted since the last call (each is recorded once)."""
        halted, self._halted = self._halted, []
        return halted

    def retry(self, task_id: str | None) -> None:
        """Run a halted step again (``FailedStep.task_id``), then move on as far as the flow goes.
        A failed task is reset to run on its parent's data; a task whose completion failed its
        successor is reset and, if it is a person's task, completed again with the data it had.
        Raises ``WorkflowError`` (``StepFailed``) when it fails again; the workflow is then not
        to be stored."""
        if task_id is not None:
            task = self._find(task_id)
            if task.state & (SpiffState.ERROR | SpiffState.COMPLETED):
                person = isinstance(task.task_spec, UserTask) and task.state == SpiffState.COMPLETED
                data = dict(task.data) if person else None
                self._running = task
                self._guard(lambda: self._wf.reset_from_task_id(task.id, data))
                if person:
                    self._guard(task.run)
        self._advance()

    def dump_or_halt(self) -> str:
        """``dump``, and if a step left a value in the data that cannot be stored, reset that step
        (its data taken again from before it ran), halt there and dump again."""
        for _ in range(8):
            try:
                return self.dump()
            except (TypeError, ValueError, OverflowError) as err:
                if not self._reset_unstorable(err):
                    raise
        return self.dump()

    def _reset_unstorable(self, err: Exception) -> bool:
        for task in self._all_tasks():
            parent = task.parent
            if storable(_SERIALIZER, task.data) or (parent is not None and not storable(_SERIALIZER, parent.data)):
                continue
            spec = task.task_spec
            self._wf.reset_from_task_id(task.id)
            message = f"the data the step left cannot be stored: {type(err).__name__}: {err}"
            self._halted.append(FailedStep(
                str(task.id), getattr(spec, "bpmn_id", None) or spec.name, spec.bpmn_name,
                str(StepFailure.UNSTORABLE), message, f"此步骤产生的数据无法保存：{err}"))
            return True
        return False

    @staticmethod
    def _guard(step: Callable[[], Any]) -> None:
        try:
            step()
        except SpiffWorkflowException as err:
            raise step_failure(err) from err  # StepFailed when a task failed: it names the element
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as err:
            # SpiffWorkflow lets some errors of a flow's own making escape raw (a timer whose value
            # is not a date, say); they are the flow's failure, not the server's.
            raise WorkflowError(f"{type(err).__name__}: {err}") from err


def _to_workflow_task(task: Any) -> WorkflowTask:
    spec = task.task_spec
    props = (spec.extensions or {}).get("properties", {})
    return WorkflowTask(
        id=str(task.id),
        name=spec.name,
        title=spec.bpmn_name or spec.name,
        lane=spec.lane,
        kind=props.get("kind"),
        item=props.get("item"),
    )
