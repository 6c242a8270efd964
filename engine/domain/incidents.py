"""Incidents: an automatic step of a case's flow (a script, a gateway condition, a timer) failed at
run time. What people decided stays recorded; the case waits at the failing step until an
administrator retries it, after fixing the flow and moving the case onto the fixed version.

An incident holds no form data: only where the flow failed and the error, so that administrators,
who see no case's personal data, can act on it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.domain.records import EventRecord

MAX_MESSAGE = 2000
"""Characters kept of an error message (an element's name or a value can be long)."""
MAX_NAME = 255


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class FailedStep:
    """Where a case's flow stopped and why, as the workflow adapter reports it.

    ``task_id`` is the workflow task to run again on retry (the failing step itself, or the step
    whose completion made the failing one fail, as with a timer evaluated on entry)."""

    task_id: str | None
    element_id: str | None
    element_name: str | None
    error_type: str
    message: str
    message_zh: str


@dataclass
class IncidentRecord:
    id: int
    case_id: int
    case_number: str
    bundle_code: str
    flow_version_id: int
    task_id: str | None
    element_id: str | None
    element_name: str | None
    error_type: str
    message: str
    message_zh: str
    status: str
    opened_at: datetime
    opened_by: str
    attempts: int = 0
    last_attempt_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN

    def failed_again(self, step: FailedStep, now: datetime) -> None:
        """A retry failed: the incident stays open with the new error."""
        self.attempts += 1
        self.last_attempt_at = now
        self.task_id = step.task_id or self.task_id
        self.element_id, self.element_name = step.element_id, clip(step.element_name, MAX_NAME)
        self.error_type = step.error_type
        self.message, self.message_zh = clip(step.message) or "", clip(step.message_zh) or ""

    def resolve(self, by: str, now: datetime) -> None:
        self.attempts += 1
        self.last_attempt_at = now
        self.status = IncidentStatus.RESOLVED
        self.resolved_at, self.resolved_by = now, by

    def event_data(self) -> dict[str, Any]:
        """What the case's event chain records of it."""
        return {"incident": self.id, "element_id": self.element_id, "element_name": self.element_name,
                "error_type": self.error_type, "message": self.message, "message_zh": self.message_zh}


def new_incident(case_id: int, case_number: str, bundle_code: str, flow_version_id: int, step: FailedStep,
                 by: str, now: datetime) -> IncidentRecord:
    return IncidentRecord(
        id=0, case_id=case_id, case_number=case_number, bundle_code=bundle_code, flow_version_id=flow_version_id,
        task_id=step.task_id, element_id=clip(step.element_id, MAX_NAME),
        element_name=clip(step.element_name, MAX_NAME), error_type=step.error_type,
        message=clip(step.message) or "", message_zh=clip(step.message_zh) or "",
        status=IncidentStatus.OPEN, opened_at=now, opened_by=by)


def clip(text: str | None, limit: int = MAX_MESSAGE) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…"


def open_incidents(events: Iterable[EventRecord]) -> list[dict[str, Any]]:
    """The incidents still open on a case, read from its own event chain (``IncidentOpened`` not
    followed by an ``IncidentResolved`` of the same incident), so that a case's detail shows them
    without another query. Each is the opening event's data with ``opened_at``."""
    found: dict[Any, dict[str, Any]] = {}
    for event in events:
        if event.type == "IncidentOpened":
            found[event.data.get("incident")] = {**event.data, "opened_at": event.occurred_at}
        elif event.type == "IncidentResolved":
            found.pop(event.data.get("incident"), None)
    return list(found.values())
