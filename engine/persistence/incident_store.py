"""The incidents of cases: automatic steps that failed at run time (``engine.domain.incidents``)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from engine.domain.incidents import IncidentRecord, IncidentStatus
from engine.persistence import tables as t
from engine.persistence.rows import record_of, values_of

_COLUMNS = t.incidents.c


class IncidentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, incident: IncidentRecord) -> int:
        values = values_of(incident)
        del values["id"]
        incident.id = int(self.conn.execute(insert(t.incidents).values(**values).returning(_COLUMNS.id)).scalar_one())
        return incident.id

    def get(self, incident_id: int, lock: bool = False) -> IncidentRecord | None:
        query = select(t.incidents).where(_COLUMNS.id == incident_id)
        if lock:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return record_of(IncidentRecord, row) if row is not None else None

    def save(self, incident: IncidentRecord) -> None:
        values = values_of(incident)
        del values["id"]
        self.conn.execute(update(t.incidents).where(_COLUMNS.id == incident.id).values(**values))

    def open_for_case(self, case_id: int) -> list[IncidentRecord]:
        rows = self.conn.execute(select(t.incidents).where(
            _COLUMNS.case_id == case_id, _COLUMNS.status == IncidentStatus.OPEN).order_by(_COLUMNS.id))
        return [record_of(IncidentRecord, row) for row in rows]

    def listed(self, status: str | None, bundle_code: str | None, limit: int) -> list[IncidentRecord]:
        """Newest first, optionally of one status and one bundle."""
        query = select(t.incidents)
        if status is not None:
            query = query.where(_COLUMNS.status == status)
        if bundle_code is not None:
            query = query.where(_COLUMNS.bundle_code == bundle_code)
        rows = self.conn.execute(query.order_by(_COLUMNS.opened_at.desc(), _COLUMNS.id.desc()).limit(limit))
        return [record_of(IncidentRecord, row) for row in rows]
