"""The files of the cases' materials (metadata only: the bytes are in the file store) and the log of
every read of one (see tables/document.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from engine.domain.documents import MaterialFile, MediaType, UploadStage
from engine.persistence import tables as t
from engine.persistence.rows import values_of

f = t.material_files


def _file(row: object) -> MaterialFile:
    m = row._mapping  # type: ignore[attr-defined]
    return MaterialFile(id=m["id"], case_id=m["case_id"], material_key=m["material_key"], version=m["version"],
                        part=m["part"], sha256=m["sha256"], media_type=MediaType(m["media_type"]), size=int(m["size"]),
                        pages=m["pages"], filename=m["filename"], stage=UploadStage(m["stage"]),
                        uploaded_by=m["uploaded_by"], uploaded_at=m["uploaded_at"])


class MaterialFileRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    _insert = insert(f).returning(f.c.id, sort_by_parameter_order=True)

    def add(self, files: Sequence[MaterialFile]) -> list[MaterialFile]:
        """Insert the files (their ``id`` ignored); answers them with the ids the database gave."""
        if not files:
            return []
        rows = [{k: str(v) if k in ("media_type", "stage") else v for k, v in values_of(x).items() if k != "id"}
                for x in files]
        ids = [int(i) for i in self.conn.execute(self._insert, rows).scalars().all()]
        return [MaterialFile(**{**values_of(x), "id": file_id}) for x, file_id in zip(files, ids, strict=True)]

    def for_case(self, case_id: int) -> list[MaterialFile]:
        """Every file of the case, by material, version and part."""
        rows = self.conn.execute(select(f).where(f.c.case_id == case_id)
                                 .order_by(f.c.material_key, f.c.version, f.c.part))
        return [_file(r) for r in rows]

    def get(self, case_id: int, file_id: int) -> MaterialFile | None:
        row = self.conn.execute(select(f).where(f.c.id == file_id, f.c.case_id == case_id)).first()
        return None if row is None else _file(row)

    def last_version(self, case_id: int, material_key: str) -> int:
        """The material's newest version in the case; 0 before its first upload."""
        found = self.conn.execute(select(func.max(f.c.version)).where(
            f.c.case_id == case_id, f.c.material_key == material_key)).scalar()
        return int(found or 0)

    def case_bytes(self, case_id: int) -> int:
        """What the case's files weigh together (a digest stored twice counted twice: the limit is the
        applicant's, not the store's)."""
        return int(self.conn.execute(select(func.coalesce(func.sum(f.c.size), 0))
                                     .where(f.c.case_id == case_id)).scalar_one())

    def all_digests(self) -> list[tuple[int, str]]:
        """(case id, SHA-256) of every file, for the audit's check of the store."""
        return [(int(r[0]), str(r[1])) for r in self.conn.execute(
            select(f.c.case_id, f.c.sha256).distinct().order_by(f.c.case_id, f.c.sha256))]

    _read = insert(t.file_reads).inline()

    def log_read(self, file: MaterialFile, user: str, department: str, what: str, now: datetime) -> None:
        self.conn.execute(self._read, {"file_id": file.id, "case_id": file.case_id, "user": user,
                                       "department": department, "what": what, "read_at": now})

    def reads(self, case_id: int, limit: int = 200) -> list[dict[str, object]]:
        """The case's file reads, newest first."""
        r = t.file_reads
        rows = self.conn.execute(select(r).where(r.c.case_id == case_id).order_by(r.c.id.desc()).limit(limit))
        return [dict(row._mapping) for row in rows]
