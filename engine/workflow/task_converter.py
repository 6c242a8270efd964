"""SpiffWorkflow's task serialization, the same dictionaries in fewer steps.

Writing a workflow converts every task: SpiffWorkflow's ``TaskConverter.to_dict`` looks the parent
up three times (each a dictionary lookup hashing a UUID in Python), writes each UUID as text where
it appears (as the task's id, as its children's parent, in its parent's children), and runs the
registry over an empty internal data. This converter looks the parent up once and writes each id
once per workflow, keeping the text on the workflow; the dictionary it answers is the one
SpiffWorkflow's own would answer (tests/workflow/test_task_converter.py compares them on every path
of the shipped flows), so stored states read back with SpiffWorkflow's ``from_dict`` unchanged.

Reading a workflow back parses each task id four times (as the key of its task, as its id, as its
children's parent, in its parent's children), and ``UUID(text)`` is Python: a quarter of a load.
``uuid_of`` answers the same UUIDs from a bounded table of the ids this process has read, and
SpiffWorkflow's workflow and task converters are pointed at it (``install``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default import workflow as spiff_workflow_converters
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.util.deep_merge import DeepMerge

_IDS = "_onething_id_text"  # on a workflow: UUID -> its text, for the tasks it has had


class FastTaskConverter(TaskConverter):  # type: ignore[misc]
    def to_dict(self, task: Any) -> dict[str, Any]:
        workflow = task.workflow
        texts: dict[UUID, str] | None = workflow.__dict__.get(_IDS)
        if texts is None:
            texts = workflow.__dict__[_IDS] = {}
        parent = workflow.tasks.get(task._parent)
        if parent is None:
            data, delta = task.data, {}
        else:
            data = {}
            delta = {"updates": DeepMerge.get_updated_keys(parent.data, task.data),
                     "deletions": DeepMerge.get_deleted_keys(parent.data, task.data)}
        internal = task.internal_data
        return {
            "id": _text(texts, task.id),
            "parent": _text(texts, task._parent) if parent is not None else None,
            "children": [_text(texts, child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(internal) if internal else {},
            "data": data,
            "delta": delta,
        }


def _text(texts: dict[UUID, str], uuid: UUID) -> str:
    text = texts.get(uuid)
    if text is None:
        text = texts[uuid] = str(uuid)
    return text


_UUIDS: dict[str, UUID] = {}
_UUIDS_MAX = 16384  # some 500 cases of ids, 9 MB with their text (measured); past it the table starts afresh


def uuid_of(text: str) -> UUID:
    """``UUID(text)``, from the table when this process has read the id before."""
    found = _UUIDS.get(text)
    if found is None:
        if len(_UUIDS) >= _UUIDS_MAX:
            _UUIDS.clear()
        found = _UUIDS[text] = UUID(text)
    return found


def install() -> None:
    """Point SpiffWorkflow's converters (its module calls ``UUID`` only to parse ids) at ``uuid_of``."""
    spiff_workflow_converters.UUID = uuid_of
