"""In-memory registries, lookup audit and per-case shared data (engine.persistence.registry_store)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from engine.domain.registries import RegistryCounts, RegistryRecord
from engine.domain.shared_data import CaseSharedData, LookupEntry, LookupFilter, LookupVolume
from tests.fakes.tables import Tables


class FakeRegistryRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def find(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[RegistryRecord]]:
        records = sorted(self.tables.all("registry_records"), key=lambda r: r.id)
        return {(kind, subject): [r for r in records if r.kind == kind and subject in r.subjects]
                for kind, subject in pairs}

    def get(self, kind: str, ref: str) -> RegistryRecord | None:
        return self.tables.get("registry_records", (kind, ref))  # type: ignore[no-any-return]

    def refs(self, kind: str) -> dict[str, int]:
        return {r.ref: r.id for r in self.tables.all("registry_records") if r.kind == kind}

    def put(self, records: Sequence[RegistryRecord]) -> tuple[int, int]:
        created = updated = 0
        for record in records:
            current = self.get(record.kind, record.ref)
            if current is None:
                record.id = self.tables.next_id("registry_records")
                created += 1
            else:
                record.id = current.id
                updated += 1
            self.tables.put("registry_records", (record.kind, record.ref), record)
        return created, updated

    def remove(self, kind: str, keep: set[str]) -> int:
        gone = [ref for ref in self.refs(kind) if ref not in keep]
        for ref in gone:
            self.tables.delete("registry_records", (kind, ref))
        return len(gone)

    def counts(self) -> list[RegistryCounts]:
        records = self.tables.all("registry_records")
        imports = self.tables.all("registry_imports")
        kinds = sorted({r.kind for r in records} | {i["kind"] for i in imports})
        return [RegistryCounts(kind, sum(1 for r in records if r.kind == kind),
                               max((i["imported_at"] for i in imports if i["kind"] == kind), default=None))
                for kind in kinds]

    def log_import(self, values: dict[str, Any]) -> int:
        import_id = self.tables.next_id("registry_imports")
        self.tables.put("registry_imports", import_id, {**values, "id": import_id})
        return import_id

    def imports(self, kind: str | None, limit: int = 50) -> list[dict[str, Any]]:
        found = [i for i in self.tables.all("registry_imports") if kind is None or i["kind"] == kind]
        return sorted(found, key=lambda i: -i["id"])[:limit]


class FakeLookupRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, entries: Sequence[LookupEntry]) -> list[int]:
        for entry in entries:
            entry.id = self.tables.next_id("data_lookups")
            self.tables.put("data_lookups", entry.id, entry)
        return [entry.id for entry in entries]

    def link(self, ids: Sequence[int], case_id: int, draft: str | None = None) -> None:
        for entry in self.tables.all("data_lookups"):
            if entry.case_id is None and (entry.id in ids or (draft and entry.draft == draft)):
                entry.case_id = case_id
                self.tables.put("data_lookups", entry.id, entry)

    def find(self, query: LookupFilter) -> list[LookupEntry]:
        def matches(e: LookupEntry) -> bool:
            return all(want is None or have == want for have, want in (
                (e.user, query.user), (e.kind, query.kind), (e.case_id, query.case_id), (e.draft, query.draft),
                (e.subject, query.subject))) and (query.since is None or e.occurred_at >= query.since) \
                and (query.until is None or e.occurred_at < query.until) \
                and (query.before_id is None or e.id < query.before_id)

        found = [e for e in self.tables.all("data_lookups") if matches(e)]
        return sorted(found, key=lambda e: -e.id)[:query.limit]

    def case_numbers(self, ids: Collection[int]) -> dict[int, str]:
        cases = {c.id: c.number for c in self.tables.all("cases")}
        return {case_id: cases[case_id] for case_id in ids if case_id in cases}

    def volume(self, since: datetime, until: datetime) -> list[LookupVolume]:
        per_user: dict[str, list[LookupEntry]] = {}
        for entry in self.tables.all("data_lookups"):
            if since <= entry.occurred_at < until:
                per_user.setdefault(entry.user, []).append(entry)
        volumes = [LookupVolume(user, len(found), len({e.subject for e in found}), max(e.occurred_at for e in found))
                   for user, found in per_user.items()]
        return sorted(volumes, key=lambda v: -v.lookups)


class FakeCaseSharedDataRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, shared: CaseSharedData) -> None:
        self.tables.put("case_shared_data", shared.case_id, shared)

    def get(self, case_id: int) -> CaseSharedData | None:
        return self.tables.get("case_shared_data", case_id)  # type: ignore[no-any-return]
