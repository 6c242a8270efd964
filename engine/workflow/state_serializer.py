"""Writing a case's workflow as stored JSON and reading it back, through SpiffWorkflow's public
serializer API: a ``BpmnWorkflowSerializer`` configured with our converters (``build_serializer``).

The stored JSON leaves out the process spec: flow versions are immutable, so the spec comes from
the ``SpecCache`` on load instead of being rebuilt from JSON every time (it is over half of
SpiffWorkflow's own serialization). Task data is not walked in Python before the JSON encoder sees
it: ``StoredStateRegistry`` converts the workflow's own objects and leaves the values of the data
to the encoder's ``default`` (SpiffWorkflow's encoder), as SpiffWorkflow's ``serialize_json``
does. The text is written by orjson rather than ``json`` (engine/domain/jsoncodec.py), which is
why ``serialize_json`` itself is not called. The format and its versions: stored_format.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_FORMAT
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import NoneTask
from SpiffWorkflow.task import Task

from engine.domain import jsoncodec
from engine.workflow import stored_format
from engine.workflow.specs import FlowSpec
from engine.workflow.spiff_parser import ParallelJoin, PassThroughTask
from engine.workflow.step_errors import WorkflowError
from engine.workflow.stored_format import FORMAT, FORMAT_KEY, SPIFF_FORMAT_KEY, StoredFormatUnknown
from engine.workflow.task_converter import FastTaskConverter, link_children, text_of, uuid_of


class StoredStateRegistry(DefaultRegistry):  # type: ignore[misc]
    """SpiffWorkflow's registry, converting what it knows one level at a time: a registered object
    through its converter, a dictionary with its callables left out, anything else as it is. The
    JSON encoder's ``default`` (``encode_value``) converts the registered values it meets inside
    task data. This is what SpiffWorkflow's own ``serialize_json`` has its registry do."""

    def __init__(self) -> None:
        super().__init__()
        self.encode_value = create_encoder(self)().default

    def convert(self, obj: Any, **kwargs: Any) -> Any:
        typename = self.typenames.get(obj.__class__)
        if typename is not None:
            return self.convert_to_dict[typename](obj, **kwargs)
        if isinstance(obj, dict):
            return self.clean(obj)
        return obj


class _TaskIdsAsText:
    """``mapping_to_dict`` writing a workflow's task ids (its tasks' and its subprocesses' keys)
    through the id table, as ``str`` would write them."""

    registry: Any

    def mapping_to_dict(self, mapping: Mapping[Any, Any], **kwargs: Any) -> dict[str, Any]:
        convert = self.registry.convert
        return {text_of(key) if type(key) is UUID else str(key): convert(value, **kwargs)
                for key, value in mapping.items()}


class _SpeclessWorkflowConverter(_TaskIdsAsText, BpmnWorkflowConverter):  # type: ignore[misc]
    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)  # without the spec
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], flow: FlowSpec | None = None) -> Any:
        if flow is None:
            raise WorkflowError("a stored workflow can only be restored with its flow spec")
        workflow = self.target_class(flow.spec, flow.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], uuid_of, workflow=workflow)
        link_children(workflow.tasks, dct["tasks"])
        workflow.task_tree = workflow.tasks.get(uuid_of(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _SubWorkflowConverter(_TaskIdsAsText, BpmnSubWorkflowConverter):  # type: ignore[misc]
    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = self.mapping_from_dict(dct["tasks"], uuid_of, workflow=subprocess)
        link_children(subprocess.tasks, dct["tasks"])
        subprocess.task_tree = subprocess.tasks.get(uuid_of(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


def build_serializer(task_converter: type = FastTaskConverter) -> BpmnWorkflowSerializer:
    """The serializer of the stored format; the tests build one with SpiffWorkflow's own
    ``TaskConverter`` to compare with ours."""
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    config[BpmnSubWorkflow] = _SubWorkflowConverter
    config[Task] = task_converter
    registry = BpmnWorkflowSerializer.configure(config, StoredStateRegistry())
    return BpmnWorkflowSerializer(registry, version=SPIFF_FORMAT)


def write_state(serializer: BpmnWorkflowSerializer, workflow: BpmnWorkflow) -> str:
    """``workflow`` as stored JSON, written by ``serializer`` (see ``build_serializer``)."""
    dct = serializer.to_dict(workflow)
    dct[SPIFF_FORMAT_KEY] = serializer.VERSION
    dct[FORMAT_KEY] = FORMAT
    return jsoncodec.dumps(dct, default=serializer.registry.encode_value)


def read_state(serializer: BpmnWorkflowSerializer, state: str, flow: FlowSpec) -> BpmnWorkflow:
    """The workflow stored as ``state`` (of this release's format or an earlier one), on ``flow``."""
    dct = jsoncodec.loads(state)
    if not isinstance(dct, dict):
        raise StoredFormatUnknown("a stored state that is not a JSON object")
    stored_format.upgrade(dct)
    del dct[FORMAT_KEY]
    if dct.get(SPIFF_FORMAT_KEY) == serializer.VERSION:
        del dct[SPIFF_FORMAT_KEY]
    else:
        upgrade_spiff_format(serializer, dct, flow)
    return serializer.from_dict(dct, flow=flow)


def storable(serializer: BpmnWorkflowSerializer, data: Any) -> bool:
    """Whether ``data`` (a task's data) can be written by ``serializer``."""
    try:
        jsoncodec.dumps(data, default=serializer.registry.encode_value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def upgrade_spiff_format(serializer: BpmnWorkflowSerializer, dct: dict[str, Any], flow: FlowSpec) -> None:
    """Run SpiffWorkflow's migrations from the serializer format ``dct`` was written in to the
    running release's, in place. They read the process spec, which we do not store: the flow's
    spec, as the running release parsed it, is put in for them and taken out again."""
    version = dct.get(SPIFF_FORMAT_KEY)
    if version not in MIGRATIONS:
        raise StoredFormatUnknown(
            f"SpiffWorkflow serializer format {version!r} has no migration to {serializer.VERSION}")
    specs = _spec_registry()
    dct["spec"] = specs.convert(flow.spec)
    dct["subprocess_specs"] = {name: specs.convert(spec) for name, spec in flow.subprocess_specs.items()}
    serializer.migrate(dct)  # pops the version key
    for key in ("spec", "subprocess_specs", "VERSION"):  # VERSION: some of SpiffWorkflow's steps leave it
        dct.pop(key, None)


def _spec_registry() -> Any:
    """A registry that writes specs whole, as SpiffWorkflow's migrations expect to find them."""
    config = dict(SPIFF_CONFIG)
    config[PassThroughTask] = config[NoneTask]
    config[ParallelJoin] = config[ParallelGateway]
    return BpmnWorkflowSerializer.configure(config)
