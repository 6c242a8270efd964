"""The embedded registries, their imports, the lookup audit (数据调用留痕) and what shared data gave
each case (see tables/registry.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, tuple_, update

from engine.domain.registries import RegistryCounts, RegistryRecord
from engine.domain.shared_data import CaseSharedData, LookupEntry, LookupFilter, LookupVolume
from engine.persistence import tables as t
from engine.persistence.pipeline import defer
from engine.persistence.rows import record_of, values_of


class RegistryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _find = (select(t.registry_records, t.registry_subjects.c.subject.label("found_by"))
             .join(t.registry_subjects, t.registry_subjects.c.record_id == t.registry_records.c.id)
             .where(tuple_(t.registry_records.c.kind, t.registry_subjects.c.subject)
                    .in_(bindparam("pairs", expanding=True)))
             .order_by(t.registry_records.c.id))

    def find(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[RegistryRecord]]:
        """The records of each (kind, subject) pair, in one statement."""
        found: dict[tuple[str, str], list[RegistryRecord]] = {pair: [] for pair in pairs}
        if not pairs:
            return found
        rows = self.conn.execute(self._find, {"pairs": list(pairs)}).all()
        subjects = self._subjects_of([r.id for r in rows])
        for row in rows:
            record = record_of(RegistryRecord, row)
            record.subjects = subjects.get(record.id, ())
            found[(row.kind, row.found_by)].append(record)
        return found

    def _subjects_of(self, ids: list[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        rows = self.conn.execute(select(t.registry_subjects).where(t.registry_subjects.c.record_id.in_(ids))
                                 .order_by(t.registry_subjects.c.record_id, t.registry_subjects.c.subject))
        subjects: dict[int, list[str]] = {}
        for row in rows:
            subjects.setdefault(row.record_id, []).append(row.subject)
        return {record_id: tuple(found) for record_id, found in subjects.items()}

    def refs(self, kind: str) -> dict[str, int]:
        """Each record of ``kind``: its ref and id."""
        rows = self.conn.execute(select(t.registry_records.c.ref, t.registry_records.c.id)
                                 .where(t.registry_records.c.kind == kind))
        return {row.ref: row.id for row in rows}

    def get(self, kind: str, ref: str) -> RegistryRecord | None:
        row = self.conn.execute(select(t.registry_records).where(
            t.registry_records.c.kind == kind, t.registry_records.c.ref == ref)).first()
        if row is None:
            return None
        record = record_of(RegistryRecord, row)
        record.subjects = self._subjects_of([record.id]).get(record.id, ())
        return record

    # One INSERT for many rows answering their ids in the rows' order (SQLAlchemy's insertmanyvalues).
    _insert = insert(t.registry_records).returning(t.registry_records.c.id, sort_by_parameter_order=True)
    _update = update(t.registry_records).where(t.registry_records.c.id == bindparam("_id"))
    _link = insert(t.registry_subjects).inline()

    def put(self, records: Sequence[RegistryRecord]) -> tuple[int, int]:
        """Insert or replace each record (by kind and ref) and the subjects it is found by; answers
        how many were created and how many updated."""
        existing: dict[tuple[str, str], int] = {}
        for kind in {r.kind for r in records}:
            existing.update({(kind, ref): record_id for ref, record_id in self.refs(kind).items()})
        fresh = [r for r in records if (r.kind, r.ref) not in existing]
        known = [r for r in records if (r.kind, r.ref) in existing]
        if fresh:
            ids = self.conn.execute(self._insert, [_row(r) for r in fresh]).scalars().all()
            for record, record_id in zip(fresh, ids, strict=True):
                record.id = int(record_id)
        if known:
            for record in known:
                record.id = existing[(record.kind, record.ref)]
            self.conn.execute(self._update, [{**_row(r), "_id": r.id} for r in known])
            for start in range(0, len(known), 500):
                self.conn.execute(delete(t.registry_subjects).where(
                    t.registry_subjects.c.record_id.in_([r.id for r in known[start:start + 500]])))
        defer(self.conn, self._link, [{"record_id": r.id, "subject": s} for r in records for s in r.subjects])
        return len(fresh), len(known)

    def remove(self, kind: str, keep: set[str]) -> int:
        """Delete the records of ``kind`` whose ref is not in ``keep``; answers how many."""
        gone = [record_id for ref, record_id in self.refs(kind).items() if ref not in keep]
        for start in range(0, len(gone), 500):
            self.conn.execute(delete(t.registry_records).where(t.registry_records.c.id.in_(gone[start:start + 500])))
        return len(gone)

    def counts(self) -> list[RegistryCounts]:
        records = {row[0]: int(row[1]) for row in self.conn.execute(
            select(t.registry_records.c.kind, func.count()).group_by(t.registry_records.c.kind))}
        imported = {row[0]: row[1] for row in self.conn.execute(
            select(t.registry_imports.c.kind, func.max(t.registry_imports.c.imported_at))
            .group_by(t.registry_imports.c.kind))}
        return [RegistryCounts(kind, records.get(kind, 0), imported.get(kind))
                for kind in sorted(set(records) | set(imported))]

    _log = insert(t.registry_imports).returning(t.registry_imports.c.id)

    def log_import(self, values: dict[str, Any]) -> int:
        return int(self.conn.execute(self._log, values).scalar_one())

    def imports(self, kind: str | None, limit: int = 50) -> list[dict[str, Any]]:
        query = select(t.registry_imports).order_by(t.registry_imports.c.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(t.registry_imports.c.kind == kind)
        return [dict(row._mapping) for row in self.conn.execute(query)]


def _row(record: RegistryRecord) -> dict[str, Any]:
    values = values_of(record)
    del values["id"], values["subjects"]  # the key is the database's; the subjects have their table
    return values


class LookupRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _insert = insert(t.data_lookups).returning(t.data_lookups.c.id, sort_by_parameter_order=True)

    def add(self, entries: Sequence[LookupEntry]) -> list[int]:
        """One statement for an intake's lookups (SQLAlchemy's insertmanyvalues), their ids in order."""
        if not entries:
            return []
        rows = [{k: v for k, v in values_of(e).items() if k != "id"} for e in entries]
        ids = [int(i) for i in self.conn.execute(self._insert, rows).scalars().all()]
        for entry, lookup_id in zip(entries, ids, strict=True):
            entry.id = lookup_id
        return ids

    def link(self, ids: Sequence[int], case_id: int, draft: str | None = None) -> None:
        """The lookups made for an intake (these, and those made while the window prepared the
        ``draft``) belong to the case it accepted."""
        c = t.data_lookups.c
        if ids:
            defer(self.conn, update(t.data_lookups).where(c.id.in_(list(ids)), c.case_id.is_(None))
                  .values(case_id=case_id), {})
        if draft:
            defer(self.conn, update(t.data_lookups).where(c.draft == draft, c.case_id.is_(None))
                  .values(case_id=case_id), {})

    def find(self, query: LookupFilter) -> list[LookupEntry]:
        c = t.data_lookups.c
        conditions = [column == value for column, value in (
            (c.user, query.user), (c.kind, query.kind), (c.case_id, query.case_id), (c.draft, query.draft),
            (c.subject, query.subject)) if value is not None]
        if query.since is not None:
            conditions.append(c.occurred_at >= query.since)
        if query.until is not None:
            conditions.append(c.occurred_at < query.until)
        if query.before_id is not None:
            conditions.append(c.id < query.before_id)
        rows = self.conn.execute(select(t.data_lookups).where(*conditions).order_by(c.id.desc()).limit(query.limit))
        return [record_of(LookupEntry, row) for row in rows]

    def case_numbers(self, ids: Collection[int]) -> dict[int, str]:
        """The case number of each of these case ids, in one statement."""
        if not ids:
            return {}
        rows = self.conn.execute(select(t.cases.c.id, t.cases.c.number).where(t.cases.c.id.in_(sorted(ids))))
        return {int(row.id): str(row.number) for row in rows}

    def volume(self, since: datetime, until: datetime) -> list[LookupVolume]:
        """Lookups per user in the period, with how many subjects they concerned."""
        c = t.data_lookups.c
        rows = self.conn.execute(
            select(c.user, func.count(), func.count(c.subject.distinct()), func.max(c.occurred_at))
            .where(c.occurred_at >= since, c.occurred_at < until).group_by(c.user).order_by(func.count().desc()))
        return [LookupVolume(row[0], int(row[1]), int(row[2]), row[3]) for row in rows]


class CaseSharedDataRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _insert = insert(t.case_shared_data).inline()

    def add(self, shared: CaseSharedData) -> None:
        defer(self.conn, self._insert, values_of(shared))

    def get(self, case_id: int) -> CaseSharedData | None:
        row = self.conn.execute(select(t.case_shared_data).where(t.case_shared_data.c.case_id == case_id)).first()
        return record_of(CaseSharedData, row) if row else None
