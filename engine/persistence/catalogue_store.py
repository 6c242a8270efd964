"""Repositories of the catalogue dictionaries, the e-licence store and the holder registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, cast, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from engine.domain.records import CreditRecord, ELicenceRecord, HolderRecord
from engine.persistence import tables as t
from engine.persistence.pipeline import defer
from engine.persistence.rows import record_of, values_of
from engine.persistence.stamps import CATALOGUE, ReferenceStamps, stamp_of


class CatalogueRepository:
    _stamp_query = select(*CATALOGUE)

    def __init__(self, conn: Connection, stamps: ReferenceStamps | None = None) -> None:
        self.conn = conn
        self._stamps = stamps
        self._stamp: str | None = None

    def entries(self, kind: str) -> dict[str, dict[str, Any]]:
        rows = self.conn.execute(select(t.catalogue_entries.c.key, t.catalogue_entries.c.definition)
                                 .where(t.catalogue_entries.c.kind == kind))
        return {str(r[0]): dict(r[1]) for r in rows}

    def stamp(self) -> str:
        """Changes whenever an entry is added, changed or removed. Read once per transaction
        (this repository lives as long as its transaction), again after a change through it."""
        if self._stamp is None:
            if self._stamps is not None:  # first read: with the calendar's, in one statement
                self._stamp, self._stamps = self._stamps.catalogue(), None
            else:
                self._stamp = stamp_of(tuple(self.conn.execute(self._stamp_query).one()))
        return self._stamp

    def replace(self, kind: str, entries: dict[str, dict[str, Any]], now: datetime) -> int:
        """Make the stored entries of ``kind`` exactly ``entries``; answers how many changed."""
        self._stamp, self._stamps = None, None
        stored = self.entries(kind)
        changed = 0
        for key, definition in entries.items():
            if key not in stored:
                self.conn.execute(insert(t.catalogue_entries).values(kind=kind, key=key, definition=definition,
                                                                     updated_at=now))
                changed += 1
            elif stored[key] != definition:
                self.conn.execute(update(t.catalogue_entries).where(
                    t.catalogue_entries.c.kind == kind, t.catalogue_entries.c.key == key)
                    .values(definition=definition, updated_at=now))
                changed += 1
        gone = set(stored) - set(entries)
        if gone:
            self.conn.execute(delete(t.catalogue_entries).where(
                t.catalogue_entries.c.kind == kind, t.catalogue_entries.c.key.in_(sorted(gone))))
        return changed + len(gone)


class ELicenceRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _insert = insert(t.elicences).inline()

    def add(self, *licences: ELicenceRecord) -> None:
        rows = [values_of(licence) for licence in licences]
        for row in rows:
            row.pop("id")
        if rows:
            defer(self.conn, self._insert, rows)

    _held_by = select(t.elicences).where(t.elicences.c.id.in_(select(func.max(t.elicences.c.id)).where(
        or_(t.elicences.c.holder_ref.in_(bindparam("holders", expanding=True)),
            t.elicences.c.subject_ref.in_(bindparam("subjects", expanding=True))),
        or_(t.elicences.c.valid_until.is_(None), t.elicences.c.valid_until > bindparam("now")),
    ).group_by(t.elicences.c.type, t.elicences.c.subject_ref))).order_by(
        t.elicences.c.issued_at.desc(), t.elicences.c.id.desc())

    def held_by(self, refs: list[str], now: datetime) -> list[ELicenceRecord]:
        """The newest valid licence of each type and subject that these persons or enterprises (ID
        numbers, credit codes) hold or are the subject of, newest first: a parent's own licences,
        those about each child the parent holds, an employee's card the employer holds. One row
        per type and subject, however many licences were issued. Which of them a case may reuse
        is the caller's to decide: those about the case's subject."""
        if not refs:
            return []
        rows = self.conn.execute(self._held_by, {"holders": refs, "subjects": refs, "now": now})
        return [record_of(ELicenceRecord, r) for r in rows]

    def of_case(self, case_id: int) -> list[ELicenceRecord]:
        rows = self.conn.execute(select(t.elicences).where(t.elicences.c.case_id == case_id)
                                 .order_by(t.elicences.c.id))
        return [record_of(ELicenceRecord, r) for r in rows]


class HolderRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _get = select(t.holders).where(t.holders.c.kind == bindparam("kind"), t.holders.c.ref == bindparam("ref"))

    def get(self, kind: str, ref: str) -> HolderRecord | None:
        row = self.conn.execute(self._get, {"kind": kind, "ref": ref}).first()
        return record_of(HolderRecord, row) if row else None

    _insert = insert(t.holders).inline()
    _update = update(t.holders).where(t.holders.c.kind == bindparam("_kind"), t.holders.c.ref == bindparam("_ref"))

    # PostgreSQL merges in the statement itself (jsonb's || keeps the old keys the new lack, null
    # values included), so that the write waits for the transaction's next round trip.
    _upsert = pg_insert(t.holders)
    _upsert = _upsert.on_conflict_do_update(
        index_elements=[t.holders.c.kind, t.holders.c.ref],
        set_={"name": _upsert.excluded.name, "updated_at": _upsert.excluded.updated_at,
              "attributes": cast(cast(t.holders.c.attributes, JSONB).op("||")(cast(_upsert.excluded.attributes, JSONB)),
                                 t.holders.c.attributes.type)})

    def put(self, holder: HolderRecord) -> None:
        """Insert or refresh a holder's shared data (new attributes win, old ones stay). On SQLite a
        holder inserted by a concurrent transaction makes this one fail on its key, and be run again."""
        if self.conn.dialect.name == "postgresql":  # SQLite's json_patch would drop null values
            defer(self.conn, self._upsert, values_of(holder))
            return
        current = self.get(holder.kind, holder.ref)
        if current is None:
            defer(self.conn, self._insert, values_of(holder))
            return
        defer(self.conn, self._update, {"_kind": holder.kind, "_ref": holder.ref, "name": holder.name,
                                        "attributes": {**current.attributes, **holder.attributes},
                                        "updated_at": holder.updated_at})


class CreditRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _all = select(t.credit_records).where(t.credit_records.c.ref.in_(bindparam("refs", expanding=True))).order_by(
        t.credit_records.c.id.desc())
    _in_force = _all.where(t.credit_records.c.lifted_at.is_(None))

    def of(self, refs: list[str], in_force_only: bool = False) -> list[CreditRecord]:
        """The records of these holders (ID numbers, credit codes), newest first."""
        if not refs:
            return []
        rows = self.conn.execute(self._in_force if in_force_only else self._all, {"refs": refs})
        return [record_of(CreditRecord, r) for r in rows]

    def add(self, record: CreditRecord) -> int:
        values = values_of(record)
        values.pop("id")
        return int(self.conn.execute(insert(t.credit_records).values(**values)
                                     .returning(t.credit_records.c.id)).scalar_one())

    def lift(self, ref: str, by: str, now: datetime) -> int:
        """Lift every record in force of ``ref``; answers how many."""
        result = self.conn.execute(update(t.credit_records).where(
            t.credit_records.c.ref == ref, t.credit_records.c.lifted_at.is_(None)).values(lifted_by=by, lifted_at=now))
        return int(result.rowcount)


class ShippedRepository:
    """The content of each shipped data file as last deployed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, name: str) -> tuple[str, Any] | None:
        row = self.conn.execute(select(t.shipped_data.c.sha256, t.shipped_data.c.content)
                                .where(t.shipped_data.c.name == name)).first()
        return (str(row[0]), row[1]) if row else None

    def put(self, name: str, sha256: str, content: Any, now: datetime) -> None:
        self.conn.execute(delete(t.shipped_data).where(t.shipped_data.c.name == name))
        self.conn.execute(insert(t.shipped_data).values(name=name, sha256=sha256, content=content, deployed_at=now))
