"""Fake repositories of clocks and what follows from them: pauses and extensions, supervision
warnings, incidents, and the savings of closed cases."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from engine.domain.incidents import IncidentRecord, IncidentStatus
from engine.domain.savings import CaseSavings
from engine.domain.savings_table import ChannelTrips
from engine.domain.savings_totals import ScopeTotals, totals_of
from engine.persistence.clock_store import ExtensionRow, PauseRow, WarningRow
from engine.persistence.queries import COUNT_CAP, Page
from engine.persistence.savings_store import SavingsFilter, StoredSavings
from tests.fakes.tables import Tables


def deadline_of(due_on: date) -> datetime:
    """The instant a due day ends in Asia/Shanghai (UTC+8 all year), as ``department_stats.deadline_of``."""
    return datetime.combine(due_on, time(16), UTC)


class FakeClockRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _pauses(self) -> list[PauseRow]:
        return sorted(self.tables.all("task_pauses"), key=lambda p: p.id)

    def add_extension(self, **values: Any) -> None:
        extension_id = self.tables.next_id("task_extensions")
        self.tables.put("task_extensions", extension_id, ExtensionRow(id=extension_id, **values))

    def add_pause(self, **values: Any) -> None:
        pause_id = self.tables.next_id("task_pauses")
        values = {"ended_at": None, "ended_by": None, **values}
        self.tables.put("task_pauses", pause_id, PauseRow(id=pause_id, **values))

    def end_pause(self, task_id: str, by: str, now: datetime) -> int:
        running = [p for p in self._pauses() if p.task_id == task_id and p.ended_at is None]
        for pause in running:
            self.tables.put("task_pauses", pause.id, replace(pause, ended_at=now, ended_by=by))
        return len(running)

    def extensions(self, task_ids: Collection[str]) -> list[ExtensionRow]:
        found = [e for e in self.tables.all("task_extensions") if e.task_id in task_ids]
        return sorted(found, key=lambda e: e.id)

    def pauses(self, task_ids: Collection[str]) -> list[PauseRow]:
        return [p for p in self._pauses() if p.task_id in task_ids]

    def pauses_of_case(self, case_id: int) -> list[PauseRow]:
        return [p for p in self._pauses() if p.case_id == case_id]


class FakeWarningRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def acknowledge(self, warning_id: int, by: str, now: datetime) -> None:
        warning = self.get(warning_id)
        if warning is not None:
            self.tables.put("warnings", warning_id, replace(warning, acknowledged_by=by, acknowledged_at=now))

    def add(self, **values: Any) -> None:
        warning_id = self.tables.next_id("warnings")
        values = {"acknowledged_by": None, "acknowledged_at": None, **values}
        self.tables.put("warnings", warning_id, WarningRow(id=warning_id, **values))

    def get(self, warning_id: int) -> WarningRow | None:
        found: WarningRow | None = self.tables.get("warnings", warning_id)
        return found

    def late_without_red(self, due_since: date) -> Sequence[tuple[int, str]]:
        late = [t for t in self.tables.all("tasks")
                if t.kind == "approval" and t.state == "completed" and t.due_on is not None
                and t.due_on >= due_since and t.completed_at is not None
                and t.completed_at >= deadline_of(t.due_on) and (t.colour or "") != "red"]
        return sorted((t.case_id, t.id) for t in late)

    def list(self, department: str | None, colour: str | None, unacknowledged: bool,
             departments: Collection[str] | None, limit: int, offset: int) -> Page[WarningRow]:
        found = [w for w in self.tables.all("warnings")
                 if (not department or w.department == department)
                 and (departments is None or w.department in departments)
                 and (not colour or w.colour == colour)
                 and (not unacknowledged or w.acknowledged_at is None)]
        found.sort(key=lambda w: (w.raised_at, w.id), reverse=True)
        return Page(found[offset:offset + limit], min(len(found), COUNT_CAP), offset // limit + 1, limit,
                    len(found) <= COUNT_CAP)


class FakeIncidentRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, incident: IncidentRecord) -> int:
        incident.id = self.tables.next_id("incidents")
        self.tables.put("incidents", incident.id, incident)
        return incident.id

    def get(self, incident_id: int, lock: bool = False) -> IncidentRecord | None:
        found: IncidentRecord | None = self.tables.get("incidents", incident_id)
        return found

    def listed(self, status: str | None, bundle_code: str | None, limit: int) -> list[IncidentRecord]:
        found = [i for i in self.tables.all("incidents")
                 if (status is None or i.status == status) and (bundle_code is None or i.bundle_code == bundle_code)]
        return sorted(found, key=lambda i: (i.opened_at, i.id), reverse=True)[:limit]

    def open_for_case(self, case_id: int) -> list[IncidentRecord]:
        found = [i for i in self.tables.all("incidents") if i.case_id == case_id and i.status == IncidentStatus.OPEN]
        return sorted(found, key=lambda i: i.id)

    def save(self, incident: IncidentRecord) -> None:
        assert incident.id in self.tables.table("incidents"), f"incident {incident.id} saved before it was added"
        self.tables.put("incidents", incident.id, incident)


class FakeSavingsRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _matching(self, flt: SavingsFilter) -> list[StoredSavings]:
        found = [s for s in self.tables.all("case_savings")
                 if (flt.bundle_code is None or s.savings.bundle_code == flt.bundle_code)
                 and (flt.closed_from is None or s.closed_at >= flt.closed_from)
                 and (flt.closed_before is None or s.closed_at < flt.closed_before)
                 and (flt.department is None or flt.department in s.departments)
                 and (flt.points is None or s.accepted_point in flt.points)]
        return sorted(found, key=lambda s: (s.closed_at, s.case_id))

    def add(self, *stored: StoredSavings) -> None:
        for row in stored:
            assert row.case_id not in self.tables.table("case_savings"), f"savings of case {row.case_id} twice"
            self.tables.put("case_savings", row.case_id, row)

    def case_savings(self, flt: SavingsFilter) -> list[CaseSavings]:
        return [s.savings for s in self._matching(flt)]

    def closed_without_savings(self) -> list[int]:
        stored = self.tables.table("case_savings")
        return sorted(c.id for c in self.tables.all("cases") if c.status == "closed" and c.id not in stored)

    def get(self, case_id: int) -> StoredSavings | None:
        found: StoredSavings | None = self.tables.get("case_savings", case_id)
        # Departments and the point are not read back, as the real one does not.
        return None if found is None else replace(found, departments=(), accepted_point=None)

    def totals(self, flt: SavingsFilter) -> list[ScopeTotals]:
        by_bundle: dict[str, list[CaseSavings]] = {}
        for row in self._matching(flt):
            by_bundle.setdefault(row.savings.bundle_code, []).append(row.savings)
        return [totals_of(rows, code) for code, rows in sorted(by_bundle.items())]

    def trips_by_channel(self, flt: SavingsFilter) -> list[ChannelTrips]:
        groups: dict[tuple[str, str], list[CaseSavings]] = {}
        for row in self._matching(flt):
            groups.setdefault((row.savings.channel, row.savings.result_delivery), []).append(row.savings)
        return [ChannelTrips(channel, delivery, len(rows), sum(r.trips.baseline for r in rows),
                             sum(r.trips.actual for r in rows))
                for (channel, delivery), rows in sorted(sorted(groups.items(), key=lambda kv: kv[0][1]),
                                                        key=lambda kv: kv[0][0], reverse=True)]


