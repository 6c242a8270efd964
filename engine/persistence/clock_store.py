"""Repositories of the working-day clocks: calendar overrides and confirmed years, pauses,
extensions, and the supervisors' warning queue."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, select, update

from engine.persistence import tables as t
from engine.persistence.queries import Page, count_matches
from engine.persistence.sql_days import deadline_of
from engine.persistence.stamps import CALENDAR, ReferenceStamps, stamp_of


@dataclass(frozen=True)
class OverrideRow:
    day: date
    kind: str
    reason: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class PauseRow:
    id: int
    task_id: str
    case_id: int
    procedure: str
    reason: str
    started_at: datetime
    started_by: str
    ended_at: datetime | None
    ended_by: str | None


@dataclass(frozen=True)
class ExtensionRow:
    id: int
    task_id: str
    case_id: int
    days: int
    reason: str
    approved_by: str
    approved_at: datetime


@dataclass(frozen=True)
class WarningRow:
    id: int
    case_id: int
    case_number: str
    task_id: str | None
    department: str
    colour: str
    previous: str | None
    due_on: date
    remaining_days: int
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class CalendarRepository:
    _stamp_query = select(*CALENDAR)

    def __init__(self, conn: Connection, stamps: ReferenceStamps | None = None) -> None:
        self.conn = conn
        self._stamps = stamps
        self._stamp: str | None = None

    def stamp(self) -> str:
        """Changes whenever an override or a confirmed year is added, changed or removed; read once
        per transaction (and again after a change through this repository)."""
        if self._stamp is None:
            if self._stamps is not None:  # first read: with the catalogue's, in one statement
                self._stamp, self._stamps = self._stamps.calendar(), None
            else:
                self._stamp = stamp_of(tuple(self.conn.execute(self._stamp_query).one()))
        return self._stamp

    def overrides(self) -> list[OverrideRow]:
        rows = self.conn.execute(select(t.calendar_overrides).order_by(t.calendar_overrides.c.day))
        return [OverrideRow(**r._mapping) for r in rows]

    def put_override(self, row: OverrideRow) -> None:
        self._stamp, self._stamps = None, None
        self.conn.execute(delete(t.calendar_overrides).where(t.calendar_overrides.c.day == row.day))
        self.conn.execute(insert(t.calendar_overrides).values(**row.__dict__))

    def delete_override(self, day: date) -> bool:
        self._stamp, self._stamps = None, None
        return bool(self.conn.execute(delete(t.calendar_overrides).where(t.calendar_overrides.c.day == day)).rowcount)

    def confirmed_years(self) -> dict[int, tuple[str, datetime]]:
        rows = self.conn.execute(select(t.calendar_years))
        return {int(r.year): (str(r.confirmed_by), r.confirmed_at) for r in rows}

    def confirm_year(self, year: int, by: str, now: datetime) -> None:
        self._stamp, self._stamps = None, None
        self.conn.execute(delete(t.calendar_years).where(t.calendar_years.c.year == year))
        self.conn.execute(insert(t.calendar_years).values(year=year, confirmed_by=by, confirmed_at=now))


class ClockRepository:
    """Pauses and extensions of tasks' clocks. A case's pauses are read once per transaction until
    a pause starts or ends through here."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._of_case: dict[int, list[PauseRow]] = {}

    def pauses(self, task_ids: Collection[str]) -> list[PauseRow]:
        if not task_ids:
            return []
        rows = self.conn.execute(select(t.task_pauses).where(t.task_pauses.c.task_id.in_(sorted(task_ids)))
                                 .order_by(t.task_pauses.c.id))
        return [PauseRow(**r._mapping) for r in rows]

    _pauses_of_case = select(t.task_pauses).where(t.task_pauses.c.case_id == bindparam("case_id")).order_by(
        t.task_pauses.c.id)

    def pauses_of_case(self, case_id: int) -> list[PauseRow]:
        known = self._of_case.get(case_id)
        if known is None:
            rows = self.conn.execute(self._pauses_of_case, {"case_id": case_id})
            known = self._of_case[case_id] = [PauseRow(**r._mapping) for r in rows]
        return list(known)

    def add_pause(self, **values: Any) -> None:
        self._of_case.clear()
        self.conn.execute(insert(t.task_pauses).values(**values))

    def end_pause(self, task_id: str, by: str, now: datetime) -> int:
        self._of_case.clear()
        return int(self.conn.execute(update(t.task_pauses).where(
            t.task_pauses.c.task_id == task_id, t.task_pauses.c.ended_at.is_(None)).values(
            ended_at=now, ended_by=by)).rowcount)

    def extensions(self, task_ids: Collection[str]) -> list[ExtensionRow]:
        if not task_ids:
            return []
        rows = self.conn.execute(select(t.task_extensions).where(
            t.task_extensions.c.task_id.in_(sorted(task_ids))).order_by(t.task_extensions.c.id))
        return [ExtensionRow(**r._mapping) for r in rows]

    def add_extension(self, **values: Any) -> None:
        self.conn.execute(insert(t.task_extensions).values(**values))


class WarningRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, **values: Any) -> None:
        self.conn.execute(insert(t.supervision_warnings).values(**values))

    def list(self, department: str | None, colour: str | None, unacknowledged: bool,
             departments: Collection[str] | None, limit: int, offset: int) -> Page[WarningRow]:
        """Newest first, read backwards along ``(raised_at, id)``; counted up to ``COUNT_CAP``."""
        w = t.supervision_warnings
        conditions: list[ColumnElement[bool]] = []
        if department:
            conditions.append(w.c.department == department)
        if departments is not None:
            conditions.append(w.c.department.in_(sorted(departments)))
        if colour:
            conditions.append(w.c.colour == colour)
        if unacknowledged:
            conditions.append(w.c.acknowledged_at.is_(None))
        rows = [WarningRow(**r._mapping) for r in self.conn.execute(
            select(w).where(*conditions).order_by(w.c.raised_at.desc(), w.c.id.desc()).limit(limit).offset(offset))]
        total, exact = count_matches(self.conn, w, conditions, len(rows), offset == 0 and len(rows) < limit)
        return Page(rows, total, offset // limit + 1, limit, exact)

    def late_without_red(self, due_since: date) -> Sequence[tuple[int, str]]:
        """(case id, task id) of the approvals due on ``due_since`` or later, completed after the end
        of their stored due day, whose stored colour is not red: late by the on-time figures
        (``department_figures``, the same comparison) but never carded red. The due day bounds the
        scan on the (state, due_on) index: the completed approvals of all time are not read."""
        tasks = t.tasks.c
        rows = self.conn.execute(
            select(tasks.case_id, tasks.id)
            .where(tasks.kind == "approval", tasks.state == "completed", tasks.due_on >= due_since,
                   tasks.completed_at.is_not(None), tasks.completed_at >= deadline_of(tasks.due_on),
                   func.coalesce(tasks.colour, "") != "red")
            .order_by(tasks.case_id, tasks.id))
        return [(int(case_id), str(task_id)) for case_id, task_id in rows]

    def get(self, warning_id: int) -> WarningRow | None:
        row = self.conn.execute(select(t.supervision_warnings).where(t.supervision_warnings.c.id == warning_id)).first()
        return WarningRow(**row._mapping) if row else None

    def acknowledge(self, warning_id: int, by: str, now: datetime) -> None:
        self.conn.execute(update(t.supervision_warnings).where(t.supervision_warnings.c.id == warning_id)
                          .values(acknowledged_by=by, acknowledged_at=now))
