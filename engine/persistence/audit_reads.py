"""What the audit verification compares the event log with: each case's status and its items'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

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
