"""Parsing BPMN into executable specs, once per flow version per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.workflow.spiff_parser import FlowParser

MAX_BPMN_BYTES = 2_000_000


class FlowParseError(ValueError):
    def __init__(self, message: str, element_id: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.line = line


@dataclass(frozen=True)
class UserTaskDef:
    """A user task as drawn: its BPMN id, label, lane (a department code) and our properties."""

    name: str
    title: str
    lane: str | None
    kind: str | None
    item: str | None


@dataclass(frozen=True)
class FlowSpec:
    """An executable flow. ``spec`` and ``subprocess_specs`` are SpiffWorkflow objects that never
    leave ``engine.workflow``."""

    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    user_tasks: tuple[UserTaskDef, ...]


def _xml_parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: uploaded XML is hostile until proven otherwise.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True,
    )


def parse_flow(xml: bytes, process_id: str) -> FlowSpec:
    if len(xml) > MAX_BPMN_BYTES:
        raise FlowParseError(f"BPMN file is larger than {MAX_BPMN_BYTES} bytes")
    try:
        root = etree.fromstring(xml, parser=_xml_parser())
    except etree.XMLSyntaxError as err:
        raise FlowParseError(f"not well-formed XML: {err}", line=err.lineno) from err
    parser = FlowParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as err:
        raise FlowParseError(str(err), getattr(err, "id", None), getattr(err, "line_number", None)) from err
    return FlowSpec(process_id, spec, subprocess_specs, _user_tasks(spec))


def _user_tasks(spec: Any) -> tuple[UserTaskDef, ...]:
    found = []
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, UserTask):
            continue
        props = (task_spec.extensions or {}).get("properties", {})
        found.append(UserTaskDef(
            name=task_spec.name,
            title=task_spec.bpmn_name or task_spec.name,
            lane=task_spec.lane,
            kind=props.get("kind"),
            item=props.get("item"),
        ))
    return tuple(sorted(found, key=lambda t: t.name))


class SpecCache:
    """Parsed flows keyed by flow-version id. Versions are immutable, so entries never go stale."""

    def __init__(self) -> None:
        self._specs: dict[int, FlowSpec] = {}
        self._lock = threading.Lock()

    def put(self, version_id: int, spec: FlowSpec) -> None:
        with self._lock:
            self._specs[version_id] = spec

    def get(self, version_id: int, load: Callable[[], tuple[bytes, str]]) -> FlowSpec:
        """The cached spec; on a miss (a version deployed by another process) parse it once."""
        spec = self._specs.get(version_id)
        if spec is None:
            xml, process_id = load()
            spec = parse_flow(xml, process_id)
            self.put(version_id, spec)
        return spec

    def __contains__(self, version_id: int) -> bool:
        return version_id in self._specs
