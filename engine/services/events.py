"""The case event log: every state change appends its events to the case's hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.audit import HashScheme, keyed_event_hash
from engine.domain.model import Actor
from engine.domain.records import CaseRecord, EventRecord
from engine.services.notifications import notify_event
from engine.services.unit_of_work import UnitOfWork


def record_event(uow: UnitOfWork, case: CaseRecord, event_type: str, actor: Actor, now: datetime,
                 data: dict[str, Any], task_id: str | None = None) -> None:
    """Append the case's next event; the caller saves the case, whose row carries the last seq."""
    event = EventRecord(
        case_id=case.id, type=event_type, actor_user=actor.user, actor_department=actor.department,
        actor_role=actor.role, occurred_at=now, data=data, task_id=task_id, seq=case.event_seq + 1,
        actor_address=actor.address, prev_hash=case.event_hash,
    )
    event.hash_scheme = int(HashScheme.HMAC_SHA256)
    event.hash = keyed_event_hash(uow.audit_key, event.prev_hash, event.chained_fields())
    case.event_seq, case.event_hash = event.seq, event.hash
    uow.events.append(event)
    notify_event(uow, case, event)
