"""SpiffWorkflow's task serialization, the same dictionaries in fewer steps.

Writing a workflow converts every task: SpiffWorkflow's ``TaskConverter.to_dict`` looks the parent
up three times (each a dictionary lookup hashing a UUID in Python), writes each UUID as text where
it appears (as the task's id, as its children's parent, in its parent's children), and runs the
registry over an empty internal data. This converter looks the parent up once and takes each id's
text from a bounded table of the ids this process has read or written; the dictionary it answers
is the one SpiffWorkflow's own would answer (tests/workflow/test_task_converter.py compares them on
every path of the shipped flows), so stored states stay in SpiffWorkflow's format.

Reading a workflow back parses each task id four times (as the key of its task, as its id, as its
children's parent, in its parent's children), and ``UUID(text)`` is Python: a quarter of a load.
``uuid_of`` answers the same UUIDs from the same table. The converter is SpiffWorkflow's public
extension point: ``build_serializer`` (engine/workflow/state_serializer.py) registers it for
``Task`` in the serializer's configuration, and it reads and sets a task only through its public
attributes (``parent``, ``children``, ``internal_data``...). A task's children are tasks, so a task
read back gets them once all of its workflow's tasks exist (``link_children``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState


class FastTaskConverter(TaskConverter):  # type: ignore[misc]
    def to_dict(self, task: Any) -> dict[str, Any]:
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            data = {}
            delta = {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                     "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
        internal = task.internal_data
        return {
            "id": text_of(task.id),
            "parent": text_of(parent.id) if parent is not None else None,
            "children": [text_of(child.id) for child in task.children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Any:
        """The task, its parent set (read before it: a workflow's tasks are stored parents first),
        its children not yet: ``link_children`` sets them."""
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=uuid_of(dct["id"]))
        parent = workflow.tasks.get(uuid_of(dct["parent"])) if dct["parent"] is not None else None
        task.parent = parent
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and parent is not None:
            data = DeepMerge.merge({}, parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


def link_children(tasks: Mapping[UUID, Any], stored: Mapping[str, Mapping[str, Any]]) -> None:
    """Give each task of ``tasks`` (read from ``stored``, in its order) its children as stored."""
    by_text = dict(zip(stored, tasks.values(), strict=True))
    for text, dct in stored.items():
        children = dct["children"]
        if children:
            by_text[text].children = [by_text[child] for child in children]


_UUIDS: dict[str, UUID] = {}
_TEXTS: dict[UUID, str] = {}
_UUIDS_MAX = 16384  # some 500 cases of ids, both tables with their ids and text 10 MB; past it they start afresh


def uuid_of(text: str) -> UUID:
    """``UUID(text)``, from the table when this process has read or written the id before."""
    found = _UUIDS.get(text)
    if found is None:
        if len(_UUIDS) >= _UUIDS_MAX:
            _forget()
        found = _UUIDS[text] = UUID(text)
        _TEXTS[found] = text
    return found


def text_of(uuid: UUID) -> str:
    """``str(uuid)``, from the table when this process has read or written the id before."""
    text = _TEXTS.get(uuid)
    if text is None:
        if len(_TEXTS) >= _UUIDS_MAX:
            _forget()
        text = _TEXTS[uuid] = str(uuid)
        _UUIDS[text] = uuid
    return text


def _forget() -> None:
    _UUIDS.clear()
    _TEXTS.clear()
