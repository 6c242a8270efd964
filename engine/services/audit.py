"""The audit trail: account and administration events, and verifying every chain of the log and
that the case rows agree with their events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.domain.audit import GENESIS, HashScheme, LogMark, keyed_event_hash, link_hash, read_from
from engine.domain.documents import chained_digests
from engine.domain.errors import NotFound
from engine.domain.event_replay import Disagreement, disagreements, replay
from engine.domain.model import Actor
from engine.domain.records import AuditEventRecord, case_id_in
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

AUDIT_CHAIN = "audit"
MAX_DISAGREEMENTS = 100
"""Reported at most; the count says how many there are."""


def record_audit(uow: UnitOfWork, event_type: str, actor: Actor, subject: str, data: dict[str, Any],
                 now: datetime) -> AuditEventRecord:
    """Append an account or administration event to its chain, in the caller's transaction."""
    seq, prev = uow.audit.head()
    event = AuditEventRecord(
        seq=seq + 1, type=event_type, actor_user=actor.user, actor_department=actor.department,
        actor_role=actor.role, actor_address=actor.address, subject=subject, data=data, occurred_at=now,
        prev_hash=prev, hash_scheme=int(HashScheme.HMAC_SHA256),
    )
    event.hash = keyed_event_hash(uow.audit_key, prev, event.chained_fields())
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
    unkeyed: int = 0
    """Events verified by their unkeyed SHA-256 (written before the audit key): only a checkpoint
    taken since seals them against a rewrite."""
    disagreements: tuple[Disagreement, ...] = ()
    disagreeing: int = 0
    """How many disagreements there are (at most ``MAX_DISAGREEMENTS`` are listed)."""
    checkpoint_chains: int = 0
    """Chains whose head in the checkpoint given was found unchanged in the log."""
    files_checked: int = 0
    """Material files (by the digests the case chains hold) found in the store with those digests."""
    files_missing: tuple[tuple[str, str], ...] = ()
    """(case number, SHA-256) of files the chains name and the store does not hold."""
    files_altered: tuple[tuple[str, str], ...] = ()
    """(case number, SHA-256) of files whose stored bytes no longer hash to their digest."""
    skipped: int = 0
    """Case chains not read (an incremental run): unchanged since a verification found them sound."""

    @property
    def ok(self) -> bool:
        return self.broken is None and self.disagreeing == 0 and not self.files_missing and not self.files_altered


Sealed = dict[str, tuple[int, str]]
"""Chain heads from a checkpoint, by chain key (``case:<id>``, ``audit``)."""


def verify_audit_chains(ctx: ServiceContext, sealed: Sealed | None = None, incremental: bool = False,
                        case: str | None = None) -> ChainReport:
    """Recompute every hash of every case's chain and of the audit chain (keyed events with the
    audit key); stop at the first broken link: an event whose hash does not match its content, an
    unkeyed event after a keyed one, a gap or a reordering of seq, a link to a different
    predecessor, a chain head (on the case row) that is not its last event, or an event that differs
    from the checkpoint's head (``sealed``) or from the head an earlier verification found sound. Then
    replay each case's events and report every case row whose status or item statuses they do not
    explain. Heads, events and rows are read from one snapshot: a change committed in between is no
    broken link. A sound run records every chain's head (``audit_verified``).

    ``incremental`` (the nightly run): only the case chains with events after the log mark of a sound
    verification (``read_from``; before the first, those whose head moved since) are read — whole, so
    that their rows replay — and their earlier head must still be in them; the others are counted as
    ``skipped``; the account chain is read from the event a verification last found sound. What it
    cannot see is a rewrite of a chain, or of the account chain before that event, that has not grown
    since: the full run (weekly, or with a checkpoint) sees that. A checkpoint needs the full run.

    ``case`` (a case number or id): that case's chain alone — its events, its row replayed, its files —
    and not the account chain (nothing is counted as skipped). Unknown: ``NotFound``."""
    if (incremental or case is not None) and sealed:
        raise ValueError("a checkpoint is checked by the full verification, not the incremental one")
    sealed = dict(sealed or {})
    with ctx.uow(False, snapshot=True) as uow:
        key = uow.audit_key
        walk = _Walk(key)
        ids: list[int] | None
        # Where the log stood, recorded by a sound run over every chain (not by one case's).
        mark = None if case is not None else uow.reads.log_mark()
        if case is not None:
            chosen = uow.cases.get(case_id) if (case_id := case_id_in(case)) is not None else None
            chosen = chosen or uow.cases.get_by_number(case)
            if chosen is None:
                raise NotFound(f"case {case} not found", f"办件 {case} 不存在")
            heads, ids = {chosen.id: (chosen.event_seq, chosen.event_hash)}, [chosen.id]
            verified = uow.audit.verified_heads([f"case:{chosen.id}"])
        elif incremental:
            heads, cases = uow.reads.grown_case_heads(read_from(uow.audit.marks()))
            ids = sorted(heads)
            verified = uow.audit.verified_heads([*(f"case:{c}" for c in heads), AUDIT_CHAIN])
            walk.skipped = cases - len(heads)
        else:
            heads, ids, verified = uow.reads.case_heads(), None, uow.audit.verified_heads()
        rows = uow.reads.case_row_states(ids)
        found: list[Disagreement] = []
        disagreeing = 0
        seen_cases: set[int] = set()
        files: dict[str, str] = {}  # digest -> the first case whose chain names it
        with closing(uow.reads.events_in_case_order(ids)) as stream:
            for case_id, number, chain in _group(stream):
                seen_cases.add(case_id)
                for event in chain:
                    for digest in chained_digests(event.type, event.data):
                        files.setdefault(digest, number)
                name = f"case:{case_id}"
                broken = walk.chain(f"case {number}", chain, heads.get(case_id, (0, GENESIS)),
                                    *_seal(sealed, verified, name))
                if broken:
                    return walk.report(broken)
                row = rows.get(case_id)
                if row is not None:
                    more = disagreements(number, replay(chain), row.status, row.items)
                    disagreeing += len(more)
                    found.extend(more[:MAX_DISAGREEMENTS - len(found)])
        for case_id, (seq, _hash) in heads.items():
            if case_id not in seen_cases and seq != 0 and (ids is None or case_id in ids):
                return walk.report(BrokenLink(
                    f"case {case_id}", 1, None, f"the case row says {seq} events exist, none are stored"))
        # The account chain: whole, or in the nightly run from the event a verification found sound
        # (read again: it must still be there, its hash proving the link before it).
        first = verified.get(AUDIT_CHAIN, (1, GENESIS))[0] if incremental else 1
        audit = [] if case is not None else _account_events(uow, first)
        if first > 1 and not audit:  # the sound event is gone: the whole chain says where it ends
            first, audit = 1, _account_events(uow, 1)
        audit_head = uow.audit.stored_head() if case is None else (0, GENESIS)
        broken = None if case is not None else walk.chain(
            AUDIT_CHAIN, audit, audit_head, *_seal(sealed, verified, AUDIT_CHAIN), first=first,
            prev=audit[0].prev_hash if first > 1 and audit else GENESIS)
        if broken is None and sealed:
            missing = sorted(sealed)[0]
            broken = BrokenLink(missing.replace(":", " id "), sealed[missing][0], None,
                                "the checkpoint holds this chain, the log has no event of it")
        report = walk.report(broken, tuple(found), disagreeing)
    if broken is not None:
        return report
    report = _with_files(ctx, report, files)
    if report.ok:
        grown = {f"case:{c}": heads[c] for c in seen_cases if verified.get(f"case:{c}") != heads[c]}
        if verified.get(AUDIT_CHAIN) != audit_head and audit_head[0]:
            grown[AUDIT_CHAIN] = audit_head
        if grown or mark is not None:
            in_transaction(ctx, lambda uow: _record(uow, grown, mark, ctx.clock()))
    return report


def _account_events(uow: UnitOfWork, first: int) -> list[Any]:
    events: list[Any] = []
    after = first - 1
    while batch := uow.audit.all(after_seq=after):
        events.extend(batch)
        after = batch[-1].seq
    return events


def _record(uow: UnitOfWork, grown: Sealed, mark: LogMark | None, now: datetime) -> None:
    """What a sound run saw: the heads of the chains it read, and where the log stood."""
    if grown:
        uow.audit.mark_verified(grown, now)
    if mark is not None:
        uow.audit.add_mark(mark, now)


def _seal(sealed: Sealed, verified: Sealed, name: str) -> tuple[tuple[int, str] | None, bool]:
    """The head a chain must still hold: the checkpoint's (taken out of ``sealed``, which then lists
    the chains it holds that the log lacks), else the one the last sound verification recorded; and
    whether it is the checkpoint's."""
    head = sealed.pop(name, None)
    return (head, True) if head is not None else (verified.get(name), False)


def _with_files(ctx: ServiceContext, report: ChainReport, files: dict[str, str]) -> ChainReport:
    """The report with the store checked against every digest the case chains hold: each file's
    bytes read back and hashed again."""
    if ctx.files is None or not files:
        return report
    found: dict[str, list[tuple[str, str]]] = {"ok": [], "missing": [], "altered": []}
    for digest, number in sorted(files.items(), key=lambda pair: (pair[1], pair[0])):
        found[ctx.files.check(digest)].append((number, digest))
    return replace(report, files_checked=len(found["ok"]), files_missing=tuple(found["missing"]),
                   files_altered=tuple(found["altered"]))


class _Walk:
    """Counts over every chain walked so far."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.chains = self.events = self.unkeyed = self.sealed = self.skipped = 0

    def report(self, broken: BrokenLink | None, found: tuple[Disagreement, ...] = (),
               disagreeing: int = 0) -> ChainReport:
        return ChainReport(self.chains, self.events, broken, self.unkeyed, found, disagreeing, self.sealed,
                           skipped=self.skipped)

    def chain(self, name: str, events: list[Any], head: tuple[int, str],
              sealed: tuple[int, str] | None, by_checkpoint: bool = True, first: int = 1,
              prev: str = GENESIS) -> BrokenLink | None:
        """``sealed``: an event the chain must still hold, as the checkpoint (``by_checkpoint``) or the
        last sound verification saw it. ``events`` from seq ``first`` on, the first linking to ``prev``."""
        sealer = "the checkpoint" if by_checkpoint else "the last verification"
        self.chains += 1
        keyed = False
        for expected_seq, event in enumerate(events, start=first):
            self.events += 1
            if event.seq != expected_seq:
                return BrokenLink(name, event.seq, event.id, f"expected event {expected_seq} here, found {event.seq}")
            if event.prev_hash != prev:
                return BrokenLink(name, event.seq, event.id, "does not link to the event before it")
            if event.hash_scheme == HashScheme.SHA256:
                if keyed:
                    return BrokenLink(name, event.seq, event.id, "an unkeyed event after keyed ones: it was "
                                                                  "written without the audit key")
                self.unkeyed += 1
            else:
                keyed = True
            expected = link_hash(event.hash_scheme, self.key, prev, event.chained_fields())
            if expected is None:
                return BrokenLink(name, event.seq, event.id, f"unknown hash scheme {event.hash_scheme}")
            if expected != event.hash:
                return BrokenLink(name, event.seq, event.id, "its content does not match its hash" + (
                    " (a keyed hash: forged, or ONETHING_AUDIT_KEY is not the key it was written with)"
                    if keyed else ""))
            if sealed is not None and event.seq == sealed[0]:
                if event.hash != sealed[1]:
                    return BrokenLink(name, event.seq, event.id, f"differs from the event {sealer} sealed")
                self.sealed += by_checkpoint
                sealed = None
            prev = event.hash
        last_seq = first - 1 + len(events)
        if sealed is not None:
            return BrokenLink(name, sealed[0], None,
                              f"{sealer} sealed event {sealed[0]}, the log ends at event {last_seq}")
        if head != (last_seq, prev):
            return BrokenLink(name, head[0], None,
                              f"the chain head says event {head[0]}, the log ends at event {last_seq}")
        return None


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


def list_audit_events(ctx: ServiceContext, after_seq: int, limit: int,
                      before_seq: int | None = None) -> list[AuditEventRecord]:
    """Oldest first after ``after_seq``; given ``before_seq``, the newest before it, newest first."""
    with ctx.uow(False) as uow:
        return uow.audit.all(after_seq=after_seq, limit=limit, before_seq=before_seq)
