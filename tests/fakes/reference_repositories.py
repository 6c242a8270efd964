"""Fake repositories of reference data: bundles and flow versions, the catalogue, e-licences,
holders, bad credit records, shipped data files and the working-day calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from engine.domain.records import BundleRecord, CreditRecord, ELicenceRecord, FlowVersionRecord, HolderRecord
from engine.persistence.clock_store import OverrideRow
from tests.fakes.tables import Tables


def _stamp(tables: Tables, name: str) -> str:
    """A stamp that changes whenever ``bump`` is called (the real ones hash the rows' versions)."""
    return f"{name}:{tables.ids.get(f'{name}_stamp', 0)}"


def _bump(tables: Tables, name: str) -> None:
    tables.next_id(f"{name}_stamp")


class FakeFlowRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add_bundle(self, bundle: BundleRecord) -> None:
        assert bundle.code not in self.tables.table("bundles"), f"bundle {bundle.code} added twice"
        self.tables.put("bundles", bundle.code, bundle)

    def add_version(self, record: FlowVersionRecord, xml: str) -> int:
        version_id = self.tables.next_id("flow_versions")
        self.tables.put("flow_versions", version_id, (replace(record, id=version_id), xml))
        return version_id

    def bundle(self, code: str) -> BundleRecord | None:
        found: BundleRecord | None = self.tables.get("bundles", code)
        return found

    def bundles(self) -> list[BundleRecord]:
        return sorted(self.tables.all("bundles"), key=lambda b: b.code)

    def deployed_count(self) -> int:
        return sum(1 for b in self.tables.all("bundles") if b.deployed_version_id is not None)

    def save_bundle(self, bundle: BundleRecord) -> None:
        assert bundle.code in self.tables.table("bundles"), f"bundle {bundle.code} saved before it was added"
        self.tables.put("bundles", bundle.code, bundle)

    def set_deployed(self, version_id: int, now: datetime) -> None:
        record, xml = self.tables.get("flow_versions", version_id)
        self.tables.put("flow_versions", version_id, (replace(record, deployed_at=now), xml))

    def version(self, version_id: int) -> FlowVersionRecord | None:
        found = self.tables.get("flow_versions", version_id)
        return None if found is None else found[0]

    def version_by_number(self, bundle_code: str, number: int) -> FlowVersionRecord | None:
        return next((v for v in self.versions(bundle_code) if v.version == number), None)

    def versions(self, bundle_code: str | None = None) -> list[FlowVersionRecord]:
        found = [record for record, _ in self.tables.all("flow_versions")
                 if bundle_code is None or record.bundle_code == bundle_code]
        return sorted(found, key=lambda v: (v.bundle_code, v.version))

    def xml(self, version_id: int) -> tuple[bytes, str]:
        record, xml = self.tables.get("flow_versions", version_id)
        return xml.encode("utf-8"), record.process_id


class FakeCatalogueRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def entries(self, kind: str) -> dict[str, dict[str, Any]]:
        return {key: definition for (k, key), definition in self.tables.items("catalogue") if k == kind}

    def replace(self, kind: str, entries: dict[str, dict[str, Any]], now: datetime) -> int:
        stored = self.entries(kind)
        changed = 0
        for key, definition in entries.items():
            if stored.get(key) != definition:
                self.tables.put("catalogue", (kind, key), definition)
                changed += 1
        for key in set(stored) - set(entries):
            self.tables.delete("catalogue", (kind, key))
            changed += 1
        if changed:
            _bump(self.tables, "catalogue")
        return changed

    def stamp(self) -> str:
        return _stamp(self.tables, "catalogue")


class FakeELicenceRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, *licences: ELicenceRecord) -> None:
        for licence in licences:
            licence_id = self.tables.next_id("elicences")
            self.tables.put("elicences", licence_id, replace(licence, id=licence_id))

    def held_by(self, refs: list[str], now: datetime) -> list[ELicenceRecord]:
        newest: dict[tuple[str, str], ELicenceRecord] = {}
        for licence in sorted(self.tables.all("elicences"), key=lambda lic: lic.id):
            if (licence.holder_ref in refs or licence.subject_ref in refs) and (
                    licence.valid_until is None or licence.valid_until > now):
                newest[(licence.type, licence.subject_ref)] = licence
        return sorted(newest.values(), key=lambda lic: (lic.issued_at, lic.id), reverse=True)

    def of_case(self, case_id: int) -> list[ELicenceRecord]:
        return sorted((x for x in self.tables.all("elicences") if x.case_id == case_id), key=lambda lic: lic.id)


class FakeHolderRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, kind: str, ref: str) -> HolderRecord | None:
        found: HolderRecord | None = self.tables.get("holders", (kind, ref))
        return found

    def put(self, holder: HolderRecord) -> None:
        """New attributes win, old ones stay."""
        current = self.get(holder.kind, holder.ref)
        attributes = {**current.attributes, **holder.attributes} if current else holder.attributes
        self.tables.put("holders", (holder.kind, holder.ref), replace(holder, attributes=attributes))


class FakeCreditRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, record: CreditRecord) -> int:
        record_id = self.tables.next_id("credit_records")
        self.tables.put("credit_records", record_id, replace(record, id=record_id))
        return record_id

    def lift(self, ref: str, by: str, now: datetime) -> int:
        in_force = self.of([ref], in_force_only=True)
        for record in in_force:
            self.tables.put("credit_records", record.id, replace(record, lifted_by=by, lifted_at=now))
        return len(in_force)

    def of(self, refs: list[str], in_force_only: bool = False) -> list[CreditRecord]:
        found = [r for r in self.tables.all("credit_records")
                 if r.ref in refs and (r.lifted_at is None or not in_force_only)]
        return sorted(found, key=lambda r: r.id, reverse=True)


class FakeShippedRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, name: str) -> tuple[str, Any] | None:
        found: tuple[str, Any] | None = self.tables.get("shipped_data", name)
        return found

    def put(self, name: str, sha256: str, content: Any, now: datetime) -> None:
        self.tables.put("shipped_data", name, (sha256, content))


class FakeCalendarRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def confirm_year(self, year: int, by: str, now: datetime) -> None:
        self.tables.put("calendar_years", year, (by, now))
        _bump(self.tables, "calendar")

    def confirmed_years(self) -> dict[int, tuple[str, datetime]]:
        return dict(self.tables.items("calendar_years"))

    def delete_override(self, day: date) -> bool:
        gone = self.tables.delete("calendar_overrides", day)
        if gone:
            _bump(self.tables, "calendar")
        return gone

    def overrides(self) -> list[OverrideRow]:
        return sorted(self.tables.all("calendar_overrides"), key=lambda row: row.day)

    def put_override(self, row: OverrideRow) -> None:
        self.tables.put("calendar_overrides", row.day, row)
        _bump(self.tables, "calendar")

    def stamp(self) -> str:
        return _stamp(self.tables, "calendar")
