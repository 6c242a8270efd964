"""Read-side queries for lists and inboxes: served from the projection tables, never by loading
a workflow."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, func, literal, select

from engine.domain.records import EventRecord
from engine.persistence import tables as t
from engine.persistence.rows import record_of

T = TypeVar("T")


COUNT_CAP = 10_000
"""Lists count their matches up to this many: beyond it the count says "more than" (``total_exact``
false) rather than reading every match of a long list (a province's closed cases) on each page."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    """How many match, or ``COUNT_CAP`` when more do (``total_exact`` false)."""
    page: int
    per_page: int
    total_exact: bool = True
    next_key: tuple[Any, ...] | None = None
    """The sort key of the page's last item when more follow: the next page starts after it (keyset
    paging, as cheap at the millionth row as at the first)."""


def count_matches(conn: Connection, table: Table, conditions: list[ColumnElement[bool]], found: int,
                  complete: bool) -> tuple[int, bool]:
    """How many rows match, counted up to ``COUNT_CAP``, and whether that is all of them; not counted
    when the page already holds them all (``complete``: a first page that is not full, the usual inbox)."""
    if complete:
        return found, True
    matches = select(literal(1)).select_from(table).where(*conditions).limit(COUNT_CAP + 1).subquery()
    counted = int(conn.execute(select(func.count()).select_from(matches)).scalar_one())
    return min(counted, COUNT_CAP), counted <= COUNT_CAP


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
