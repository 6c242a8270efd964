"""The cases' workflow states (SpiffWorkflow's serializer JSON and its version)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from engine.persistence import tables as t
from engine.persistence.pipeline import defer
from engine.persistence.rows import _Repository

WorkflowStateValues = tuple[str, str, datetime]
"""A workflow state to store: serializer version, state JSON, when."""


class WorkflowStateRepository(_Repository):
    """A state read or written in the transaction is kept for the rest of it (``keep``)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._kept: dict[int, tuple[str, str]] = {}

    def keep(self, case_id: int, serializer_version: str, state: str) -> None:
        self._kept[case_id] = (serializer_version, state)

    def get(self, case_id: int) -> tuple[str, str] | None:
        if case_id in self._kept:
            return self._kept[case_id]
        row = self.conn.execute(
            select(t.workflow_states.c.serializer_version, t.workflow_states.c.state)
            .where(t.workflow_states.c.case_id == case_id)
        ).first()
        return (row[0], row[1]) if row else None

    _insert = insert(t.workflow_states).inline()

    def add(self, case_id: int, serializer_version: str, state: str, now: datetime) -> None:
        defer(self.conn, self._insert, {"case_id": case_id, "serializer_version": serializer_version,
                                        "state": state, "updated_at": now})
        self.keep(case_id, serializer_version, state)

    _replace = update(t.workflow_states).where(t.workflow_states.c.case_id == bindparam("_case_id"))

    def replace(self, case_id: int, serializer_version: str, state: str, now: datetime) -> None:
        defer(self.conn, self._replace, {"_case_id": case_id, "serializer_version": serializer_version,
                                         "state": state, "updated_at": now})
        self.keep(case_id, serializer_version, state)
