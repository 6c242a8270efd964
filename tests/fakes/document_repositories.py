"""In-memory material files and file reads, as ``engine.persistence.document_store`` keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.domain.documents import MaterialFile
from tests.fakes.tables import Tables


class FakeMaterialFileRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _files(self) -> list[MaterialFile]:
        return list(self.tables.all("material_files"))

    def add(self, files: Sequence[MaterialFile]) -> list[MaterialFile]:
        added = []
        for file in files:
            stored = replace(file, id=self.tables.next_id("material_files"))
            self.tables.put("material_files", stored.id, stored)
            added.append(stored)
        return added

    def for_case(self, case_id: int) -> list[MaterialFile]:
        return sorted((x for x in self._files() if x.case_id == case_id),
                      key=lambda x: (x.material_key, x.version, x.part))

    def get(self, case_id: int, file_id: int) -> MaterialFile | None:
        found: MaterialFile | None = self.tables.get("material_files", file_id)
        return found if found is not None and found.case_id == case_id else None

    def last_version(self, case_id: int, material_key: str) -> int:
        return max((x.version for x in self._files() if x.case_id == case_id and x.material_key == material_key),
                   default=0)

    def case_bytes(self, case_id: int) -> int:
        return sum(x.size for x in self._files() if x.case_id == case_id)

    def all_digests(self) -> list[tuple[int, str]]:
        return sorted({(x.case_id, x.sha256) for x in self._files()})

    def log_read(self, file: MaterialFile, user: str, department: str, what: str, now: datetime) -> None:
        read_id = self.tables.next_id("file_reads")
        self.tables.put("file_reads", read_id, {"id": read_id, "file_id": file.id, "case_id": file.case_id,
                                                "user": user, "department": department, "what": what, "read_at": now})

    def reads(self, case_id: int, limit: int = 200) -> list[dict[str, Any]]:
        rows = [r for r in self.tables.all("file_reads") if r["case_id"] == case_id]
        return sorted(rows, key=lambda r: -int(r["id"]))[:limit]
