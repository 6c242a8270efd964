"""How two versions of a flow differ, and whether a running case may move to the newer one.

Plain data: ``engine.workflow.flow_diff.diff_flows`` reads the two BPMN files and fills a ``FlowDiff``.
Elements are compared by BPMN id, so renaming an id reads as one element removed and another added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ASPECTS = ("type", "name", "lane", "incoming", "outgoing", "condition", "timer", "script", "properties",
           "attached_to", "default")
"""What is compared for each element: its BPMN type (event definitions included), label, lane, the
sequence flows into and out of it (for a sequence flow: its source and target), its condition, its timer,
its script(s), its extension properties (``kind``, ``item``...), the activity a boundary event is attached
to, and a gateway's default flow."""


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    aspects: tuple[str, ...]
    """Which of ``ASPECTS`` differ, in that order."""
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"element_id": self.element_id, "aspects": list(self.aspects), "before": self.before,
                "after": self.after}


@dataclass(frozen=True)
class ElementInfo:
    """What a person reads an element by, so that a diff need not be shown as raw BPMN ids."""

    type: str
    """The BPMN local name (``userTask``, ``exclusiveGateway``, ``sequenceFlow``...)."""
    name: str | None = None
    lane: str | None = None
    """The lane's name: a department code in the shipped flows."""
    kind: str | None = None
    """A task's ``kind`` property (intake, approval, correction, pickup)."""
    item: str | None = None
    source: str | None = None
    """A sequence flow's source and target element ids."""
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "lane": self.lane, "kind": self.kind, "item": self.item,
                "source": self.source, "target": self.target}


@dataclass(frozen=True)
class FlowDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ElementChange, ...] = ()
    elements: dict[str, ElementInfo] = field(default_factory=dict, compare=False, hash=False)
    """The elements named above, and the ends of the sequence flows among them: the new version's
    description, the old one's for a removed element."""

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def changed_ids(self) -> frozenset[str]:
        return frozenset(c.element_id for c in self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {"added": list(self.added), "removed": list(self.removed),
                "changed": [c.to_dict() for c in self.changed],
                "elements": {key: info.to_dict() for key, info in self.elements.items()}}


def migration_blockers(diff: FlowDiff, touched_element_ids: Iterable[str]) -> list[str]:
    """The elements a case has completed or is waiting in that the new version changed or removed.

    A running case may move to the new version only if this is empty: its recorded history and open tasks
    must still mean the same thing there. Added elements never block. Answered sorted, without repeats.
    """
    moved = set(diff.removed) | diff.changed_ids()
    return sorted({element_id for element_id in touched_element_ids if element_id in moved})
