"""The audit trail: account and administration events, and verifying every chain of the log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.audit import GENESIS, event_hash
from engine.domain.model import Actor
from engine.domain.records import AuditEventRecord
from engine.persistence.queries import case_heads, events_in_case_order
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.context import ServiceContext


def record_audit(uow: SqlAlchemyUnitOfWork, event_type: str, actor: Actor, subject: str, data: dict[str, Any],
                 now: datetime) -> AuditEventRecord:
    """Append an account or administration event to its chain, in the caller's transaction."""
    seq, prev = uow.audit.head()
    event = AuditEventRecord(
        seq=seq + 1, type=event_type, actor_user=actor.user, actor_department=actor.department,
        actor_role=actor.role, actor_address=actor.address, subject=subject, data=data, occurred_at=now,
        prev_hash=prev,
    )
    event.hash = event_hash(prev, event.chained_fields())
    uow.audit.append(event)
    return event


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    """``case <number>`` or ``audit``."""
    seq: int
    event_id: int | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    chains: int
    events: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_audit_chains(ctx: ServiceContext) -> ChainReport:
    """Recompute every hash of every case's chain and of the audit chain; stop at the first broken
    link: an event whose hash does not match its content, a gap or a reordering of seq, a link to a
    different predecessor, or a chain head (on the case row) that is not its last event. The heads
    and the events are read from one snapshot: a change committed in between is no broken link."""
    with ctx.uow(False, snapshot=True) as uow:
        chains, events = 0, 0
        heads = case_heads(uow.connection)
        seen_cases: set[int] = set()
        with closing(events_in_case_order(uow.connection)) as rows:
            for case_id, number, chain in _group(rows):
                chains += 1
                seen_cases.add(case_id)
                broken, count = _walk(f"case {number}", chain, heads.get(case_id, (0, GENESIS)))
                events += count
                if broken:
                    return ChainReport(chains, events, broken)
        for case_id, (seq, _hash) in heads.items():
            if case_id not in seen_cases and seq != 0:
                return ChainReport(chains, events, BrokenLink(
                    f"case {case_id}", 1, None, f"the case row says {seq} events exist, none are stored"))
        audit: list[Any] = []
        after = 0
        while batch := uow.audit.all(after_seq=after):
            audit.extend(batch)
            after = batch[-1].seq
        chains += 1
        broken, count = _walk("audit", audit, uow.audit.stored_head())
        return ChainReport(chains, events + count, broken)


def _group(rows: Iterator[tuple[int, str, Any]]) -> Iterator[tuple[int, str, list[Any]]]:
    current: list[Any] = []
    key: tuple[int, str] | None = None
    for case_id, number, event in rows:
        if key is not None and key[0] != case_id:
            yield key[0], key[1], current
            current = []
        key = (case_id, number)
        current.append(event)
    if key is not None:
        yield key[0], key[1], current


def _walk(chain: str, events: list[Any], head: tuple[int, str]) -> tuple[BrokenLink | None, int]:
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return BrokenLink(chain, event.seq, event.id, f"expected event {expected_seq} here, found {event.seq}"
                              ), expected_seq
        if event.prev_hash != prev:
            return BrokenLink(chain, event.seq, event.id, "does not link to the event before it"), expected_seq
        if event_hash(prev, event.chained_fields()) != event.hash:
            return BrokenLink(chain, event.seq, event.id, "its content does not match its hash"), expected_seq
        prev = event.hash
    last_seq = len(events)
    if head != (last_seq, prev):
        return BrokenLink(chain, head[0], None,
                          f"the chain head says event {head[0]}, the log ends at event {last_seq}"), last_seq
    return None, last_seq


def list_audit_events(ctx: ServiceContext, after_seq: int, limit: int) -> list[AuditEventRecord]:
    with ctx.uow(False) as uow:
        return uow.audit.all(after_seq=after_seq, limit=limit)
