"""What a case's events say its row should hold: the case status and each item's status.

Every change of a case's status and of an item's progress is written together with its event, in
one transaction; replaying the events therefore gives what the rows hold. A row changed without a
matching event (an UPDATE straight into the database) disagrees with the replay. Only what the
events determine is compared: an item no event names is still in review.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.domain.model import CaseStatus, ItemStatus

_ITEM_EVENTS = {
    "ItemApproved": ItemStatus.APPROVED,
    "ItemRejected": ItemStatus.REJECTED,
    "CorrectionRequested": ItemStatus.CORRECTION_REQUESTED,
    "CorrectionSupplied": ItemStatus.IN_REVIEW,
    "ItemNotApplicable": ItemStatus.NOT_APPLICABLE,
}
_STATUS_EVENTS = ("CaseClosed", "ResultsReady", "CaseInReview")
"""Each of these carries the status the case moved to in ``data["to"]``."""


class ReplayedEvent(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


@dataclass
class ReplayedCase:
    status: str | None = None
    """None until the case's acceptance is replayed."""
    items: dict[str, str] = field(default_factory=dict)

    def apply(self, event: ReplayedEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == "CaseAccepted":
            self.status = CaseStatus.IN_REVIEW
        elif event.type in _STATUS_EVENTS and isinstance(data.get("to"), str):
            self.status = data["to"]
        elif event.type == "CaseTerminated":
            self.status = CaseStatus.TERMINATED
        elif event.type in _ITEM_EVENTS and isinstance(data.get("item"), str):
            self.items[data["item"]] = _ITEM_EVENTS[event.type]


def replay(events: Iterable[ReplayedEvent]) -> ReplayedCase:
    case = ReplayedCase()
    for event in events:
        case.apply(event)
    return case


@dataclass(frozen=True)
class Disagreement:
    """A case row (or one of its item rows) that its events do not explain."""

    case: str
    """The case number."""
    what: str
    """``status``, or ``item <code>``."""
    row: str
    events: str

    def describe(self) -> str:
        return f"case {self.case}: {self.what} is {self.row!r} in the row, the events say {self.events!r}"


def disagreements(number: str, replayed: ReplayedCase, status: str,
                  items: Mapping[str, str]) -> list[Disagreement]:
    """Where the case row's ``status`` and its item rows' statuses differ from the replay."""
    found = []
    if replayed.status is not None and replayed.status != status:
        found.append(Disagreement(number, "status", status, str(replayed.status)))
    for code, item_status in sorted(items.items()):
        expected = replayed.items.get(code, ItemStatus.IN_REVIEW)
        if item_status != expected:
            found.append(Disagreement(number, f"item {code}", item_status, str(expected)))
    return found
