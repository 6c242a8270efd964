"""What the audit verification compares the event log with: each case's status and its items'."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from engine.persistence import tables as t


@dataclass
class CaseRowState:
    status: str
    items: dict[str, str] = field(default_factory=dict)
    """Each item's status, by item code."""


def case_row_states(conn: Connection) -> dict[int, CaseRowState]:
    """Every case's status and item statuses as the rows hold them (two statements, no join)."""
    states = {int(r[0]): CaseRowState(str(r[1])) for r in conn.execute(select(t.cases.c.id, t.cases.c.status))}
    rows = conn.execute(select(t.case_items.c.case_id, t.case_items.c.item_code, t.case_items.c.status))
    for case_id, item_code, status in rows:
        state = states.get(int(case_id))
        if state is not None:
            state.items[str(item_code)] = str(status)
    return states
