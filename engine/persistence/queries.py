"""Read-side queries for lists and inboxes: served from the projection tables, never by loading
a workflow."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, func, select

from engine.domain.records import EventRecord
from engine.persistence import tables as t
from engine.persistence.rows import record_of

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


def _total(conn: Connection, table: Table, conditions: list[ColumnElement[bool]], found: int, page: int,
           per_page: int) -> int:
    """How many rows match: counted only when the page cannot tell (a first page that is not
    full holds them all, which is the usual inbox)."""
    if page == 1 and found < per_page:
        return found
    return int(conn.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one())


def case_heads(conn: Connection) -> dict[int, tuple[int, str]]:
    """Each case's chain head as its row keeps it: last event seq and hash."""
    rows = conn.execute(select(t.cases.c.id, t.cases.c.event_seq, t.cases.c.event_hash))
    return {int(r[0]): (int(r[1]), str(r[2])) for r in rows}


def events_in_case_order(conn: Connection) -> Generator[tuple[int, str, EventRecord], None, None]:
    """Every case event with its case's number, by case and seq, streamed in batches."""
    query = (select(t.case_events, t.cases.c.number.label("case_number"))
             .join(t.cases, t.cases.c.id == t.case_events.c.case_id)
             .order_by(t.case_events.c.case_id, t.case_events.c.seq)
             .execution_options(yield_per=2000))
    with conn.execute(query) as result:  # closes the server-side cursor when the caller stops early
        for row in result:
            yield int(row.case_id), str(row.case_number), record_of(EventRecord, row)


def events_of_cases(conn: Connection, case_ids: Sequence[int]) -> Generator[tuple[int, str, EventRecord], None, None]:
    """The events of these cases with their case's number, by case and seq, a thousand cases a
    statement, read along the (case_id, seq) unique index."""
    ordered = sorted(set(case_ids))
    for start in range(0, len(ordered), 1000):
        query = (select(t.case_events, t.cases.c.number.label("case_number"))
                 .join(t.cases, t.cases.c.id == t.case_events.c.case_id)
                 .where(t.case_events.c.case_id.in_(ordered[start:start + 1000]))
                 .order_by(t.case_events.c.case_id, t.case_events.c.seq))
        for row in conn.execute(query):
            yield int(row.case_id), str(row.case_number), record_of(EventRecord, row)
