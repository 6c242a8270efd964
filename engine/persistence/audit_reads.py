"""What the audit verification reads besides the events: each case's chain head, status and items'
statuses, and where the event log stands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, String, cast, func, literal, or_, select, text

from engine.domain.audit import LogMark
from engine.persistence import tables as t


@dataclass
class CaseRowState:
    status: str
    items: dict[str, str] = field(default_factory=dict)
    """Each item's status, by item code."""


def case_row_states(conn: Connection, case_ids: Sequence[int] | None = None) -> dict[int, CaseRowState]:
    """Every case's (or these cases') status and item statuses as the rows hold them (two statements
    per thousand cases, no join)."""
    if case_ids is None:
        return _row_states(conn, None)
    states: dict[int, CaseRowState] = {}
    for start in range(0, len(case_ids), 1000):
        states.update(_row_states(conn, case_ids[start:start + 1000]))
    return states


def _row_states(conn: Connection, case_ids: Sequence[int] | None) -> dict[int, CaseRowState]:
    cases = select(t.cases.c.id, t.cases.c.status)
    items = select(t.case_items.c.case_id, t.case_items.c.item_code, t.case_items.c.status)
    if case_ids is not None:
        cases, items = cases.where(t.cases.c.id.in_(case_ids)), items.where(t.case_items.c.case_id.in_(case_ids))
    states = {int(r[0]): CaseRowState(str(r[1])) for r in conn.execute(cases)}
    for case_id, item_code, status in conn.execute(items):
        state = states.get(int(case_id))
        if state is not None:
            state.items[str(item_code)] = str(status)
    return states


def case_heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Each case's chain head as its row keeps it: last event seq and hash."""
    rows = conn.execute(select(t.cases.c.id, t.cases.c.event_seq, t.cases.c.event_hash))
    return {int(r[0]): (int(r[1]), str(r[2])) for r in rows}


def grown_case_heads(conn: Connection, after: LogMark | None) -> tuple[dict[int, tuple[int, str]], int]:
    """The heads of the case chains that grew since the sound verifications, and how many cases there
    are. ``after``: the chains with an event after that mark (a range of the events' key: as cheap at
    twenty million cases as at two); None: every case's head compared with the one verified (one
    anti-join in the database)."""
    c = t.cases.c
    if after is not None:
        grown = select(t.case_events.c.case_id).where(t.case_events.c.id > after.through_event).distinct()
        rows = conn.execute(select(c.id, c.event_seq, c.event_hash).where(c.id.in_(grown.scalar_subquery())))
    else:
        v = t.audit_verified.c
        chain = literal("case:") + cast(c.id, String)
        rows = conn.execute(select(c.id, c.event_seq, c.event_hash)
                            .select_from(t.cases.outerjoin(t.audit_verified, v.chain == chain))
                            .where(or_(v.chain.is_(None), v.seq != c.event_seq, v.hash != c.event_hash)))
    heads = {int(r[0]): (int(r[1]), str(r[2])) for r in rows}
    return heads, int(conn.execute(select(func.count()).select_from(t.cases)).scalar_one())


def log_mark(conn: Connection) -> LogMark:
    """Where the case event log stands in this transaction's snapshot."""
    through = int(conn.execute(select(func.coalesce(func.max(t.case_events.c.id), 0))).scalar_one())
    if conn.dialect.name != "postgresql":  # one writer at a time: a later event takes a larger id
        return LogMark(through)
    xmin, xmax = conn.execute(text("SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint "
                                   "FROM pg_current_snapshot() AS s")).one()
    return LogMark(through, int(xmin), int(xmax))
