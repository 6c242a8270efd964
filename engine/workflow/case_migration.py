"""Moving a running case's stored workflow onto another version of its flow.

The stored state (``CaseWorkflow.dump``) holds no process spec: each task names its task spec, and the spec
comes from the flow version on load. Restoring the same state with another version's spec therefore moves the
case, provided every task spec it names exists there; SpiffWorkflow would otherwise restore a task without a
spec and fail later, far from the cause. Whether the move is *meaningful* (the elements the case has completed
or waits in are unchanged) is the diff's question (``flow_diff.migration_blockers``); this module answers the
SpiffWorkflow side and reads which task specs a case has touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState as SpiffState

from engine.workflow.case_workflow import CaseWorkflow, WorkflowError
from engine.workflow.flow_diff import bpmn_element_id
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import FlowSpec
from engine.workflow.stored_format import StoredFormatUnknown, upgrade

# Completed, or reached and not yet done (a waiting join or timer, a ready user task, a failed task).
_TOUCHED = SpiffState.COMPLETED | SpiffState.READY | SpiffState.STARTED | SpiffState.WAITING | SpiffState.ERROR


@dataclass(frozen=True)
class StoredTasks:
    """The task specs a stored workflow names: ``touched`` the completed or active ones, ``named`` all of
    them (predicted future tasks included). Subprocess tasks are keyed ``<subprocess spec>/<task spec>``."""

    touched: frozenset[str]
    named: frozenset[str]

    def touched_elements(self) -> frozenset[str]:
        """The BPMN ids of the touched task specs (SpiffWorkflow's wrappers mapped back to their element)."""
        return frozenset(bpmn_element_id(name.rpartition("/")[2]) for name in self.touched)


class StateUnreadable(ValueError):
    """The stored state is not JSON of the serializer's shape."""


def stored_tasks(state: str) -> StoredTasks:
    """Read which task specs ``state`` (a stored ``CaseWorkflow.dump``) names, without restoring it."""
    touched: set[str] = set()
    named: set[str] = set()
    try:
        dct = json.loads(state)
        upgrade(dct)  # a state of an earlier format, in this release's
        for prefix, task in _tasks(dct):
            name = f"{prefix}{task['task_spec']}"
            named.add(name)
            if int(task["state"]) & _TOUCHED:
                touched.add(name)
    except (ValueError, TypeError, KeyError, AttributeError, StoredFormatUnknown) as err:
        raise StateUnreadable(f"the stored workflow cannot be read: {type(err).__name__}: {err}") from err
    return StoredTasks(frozenset(touched), frozenset(named))


def missing_task_specs(tasks: StoredTasks, flow: FlowSpec) -> list[str]:
    """The task specs the stored workflow names that ``flow`` does not have, sorted."""
    missing = []
    for name in tasks.named:
        spec_name, _, task_name = name.rpartition("/")
        spec = flow.spec if not spec_name else flow.subprocess_specs.get(spec_name)
        if spec is None or task_name not in spec.task_specs:
            missing.append(name)
    return sorted(missing)


def rebind_workflow(state: str, flow: FlowSpec, script_engine: SafeScriptEngine) -> CaseWorkflow:
    """The stored workflow restored with ``flow``'s spec. Raises ``WorkflowError`` when ``flow`` lacks a task
    spec the state names, or the state cannot be restored with it."""
    missing = missing_task_specs(stored_tasks(state), flow)
    if missing:
        raise WorkflowError(f"the flow has no task spec {', '.join(missing)}")
    try:
        return CaseWorkflow.load(flow, state, script_engine)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise WorkflowError(f"the workflow cannot be restored with this flow: {type(err).__name__}: {err}") from err


def _tasks(dct: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for task in dct["tasks"].values():
        yield "", task
    for sub in dct.get("subprocesses", {}).values():
        for task in sub["tasks"].values():
            yield f"{sub['spec']}/", task
