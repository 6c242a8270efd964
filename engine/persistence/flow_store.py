"""The flows: bundles (their definition and deployed version) and the stored BPMN versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, select, update

from engine.domain.records import BundleRecord, FlowVersionRecord
from engine.persistence import tables as t
from engine.persistence.rows import _Repository, record_of, values_of
from engine.persistence.stamps import STAMP_COLUMNS, ReferenceStamps

_VERSION_COLUMNS = tuple(c for c in t.flow_versions.c if c.name != "xml")


class FlowRepository(_Repository):
    _bundle = select(t.bundles).where(t.bundles.c.code == bindparam("code"))
    _bundle_and_stamps = select(t.bundles, *STAMP_COLUMNS).where(t.bundles.c.code == bindparam("code"))

    def __init__(self, conn: Connection, stamps: ReferenceStamps | None = None) -> None:
        super().__init__(conn)
        self._bundles: dict[str, BundleRecord | None] = {}
        self._stamps = stamps

    def bundle(self, code: str) -> BundleRecord | None:
        """The bundle row, read once per transaction (intake and pickup ask for it several times).
        Given the transaction's ``stamps``, the first read brings the catalogue's and the
        calendar's stamps along: whoever reads a bundle to change a case needs them next."""
        if code not in self._bundles:
            if self._stamps is not None and not self._stamps.read:
                row = self.conn.execute(self._bundle_and_stamps, {"code": code}).first()
                if row is not None:
                    self._stamps.take(tuple(row[len(t.bundles.c):]))
            else:
                row = self.conn.execute(self._bundle, {"code": code}).first()
            self._bundles[code] = record_of(BundleRecord, row) if row else None
        return self._bundles[code]

    def deployed_count(self) -> int:
        """How many bundles run a deployed flow: the health check's one statement."""
        query = select(func.count()).select_from(t.bundles).where(t.bundles.c.deployed_version_id.is_not(None))
        return int(self.conn.execute(query).scalar_one())

    def keep(self, bundle: BundleRecord, stamps: tuple[object, ...]) -> None:
        """A bundle row (and the reference stamps, ``STAMP_COLUMNS`` in order) another statement of
        this transaction read along: ``bundle`` then reads nothing."""
        self._bundles.setdefault(bundle.code, bundle)
        if self._stamps is not None:
            self._stamps.take(stamps)

    def bundles(self) -> list[BundleRecord]:
        return [record_of(BundleRecord, r) for r in self.conn.execute(select(t.bundles).order_by(t.bundles.c.code))]

    def add_bundle(self, bundle: BundleRecord) -> None:
        self._bundles.pop(bundle.code, None)
        self.conn.execute(insert(t.bundles).values(**values_of(bundle)))

    def save_bundle(self, bundle: BundleRecord) -> None:
        self._bundles.pop(bundle.code, None)
        self.conn.execute(update(t.bundles).where(t.bundles.c.code == bundle.code).values(**values_of(bundle)))

    def versions(self, bundle_code: str | None = None) -> list[FlowVersionRecord]:
        """The versions without their BPMN text (``xml`` reads it), oldest first."""
        query = select(*_VERSION_COLUMNS).order_by(t.flow_versions.c.bundle_code, t.flow_versions.c.version)
        if bundle_code is not None:
            query = query.where(t.flow_versions.c.bundle_code == bundle_code)
        return [record_of(FlowVersionRecord, r) for r in self.conn.execute(query)]

    def version(self, version_id: int) -> FlowVersionRecord | None:
        row = self.conn.execute(select(t.flow_versions).where(t.flow_versions.c.id == version_id)).first()
        return record_of(FlowVersionRecord, row) if row else None

    def version_by_number(self, bundle_code: str, number: int) -> FlowVersionRecord | None:
        row = self.conn.execute(select(t.flow_versions).where(
            t.flow_versions.c.bundle_code == bundle_code, t.flow_versions.c.version == number)).first()
        return record_of(FlowVersionRecord, row) if row else None

    def xml(self, version_id: int) -> tuple[bytes, str]:
        row = self.conn.execute(
            select(t.flow_versions.c.xml, t.flow_versions.c.process_id).where(t.flow_versions.c.id == version_id)
        ).one()
        return row[0].encode("utf-8"), row[1]

    def add_version(self, record: FlowVersionRecord, xml: str) -> int:
        values = values_of(record)
        values.pop("id")
        values["xml"] = xml
        return int(self.conn.execute(
            insert(t.flow_versions).values(**values).returning(t.flow_versions.c.id)).scalar_one())

    def set_deployed(self, version_id: int, now: datetime) -> None:
        self.conn.execute(update(t.flow_versions).where(t.flow_versions.c.id == version_id).values(deployed_at=now))
