"""Repositories over one connection: each reads and writes one kind of record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Row, bindparam, insert, lambda_stmt, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.domain.errors import ConcurrentUpdate
from engine.domain.records import (
    BundleRecord,
    CaseItemRecord,
    CaseRecord,
    EventRecord,
    TaskRecord,
    case_id_in,
)
from engine.persistence import tables as t
from engine.persistence.case_search import applicant_columns
from engine.persistence.flow_store import FlowRepository
from engine.persistence.pipeline import defer
from engine.persistence.rows import _Repository, record_of, values_of
from engine.persistence.stamps import STAMP_COLUMNS
from engine.persistence.state_store import WorkflowStateRepository, WorkflowStateValues


@dataclass(frozen=True)
class CaseClockRow:
    id: int
    status: str
    limit_days: int | None
    due_on: date | None
    colour: str | None


# The case's workflow state comes along (a server of several processes mostly serves a case's
# next completion from one that has not got it cached: reading it after the lock cost a round
# trip), its row locked too: after waiting for the lock, PostgreSQL reads the latest version of
# the rows it locks, and the snapshot's of the others, and every completion rewrites the state.
# The case's bundle row and the reference stamps come along too, unlocked: deciding an item checks
# the licence number's format in the catalogue, and an approval that opens needs the bundle, the
# catalogue and the calendar for its clock; each read after the lock was a round trip of its own.
_LOCK_WITH_TASK = (
    select(t.cases, *(c.label(f"task_{c.name}") for c in t.tasks.c),
           *(c.label(f"item_{c.name}") for c in t.case_items.c),
           *(c.label(f"bundle_row_{c.name}") for c in t.bundles.c),
           *(column.label(f"stamp_{n}") for n, column in enumerate(STAMP_COLUMNS)),
           t.workflow_states.c.serializer_version.label("state_version"), t.workflow_states.c.state)
    .join(t.tasks, t.tasks.c.case_id == t.cases.c.id)
    .join(t.workflow_states, t.workflow_states.c.case_id == t.cases.c.id)
    .outerjoin(t.case_items, (t.case_items.c.case_id == t.cases.c.id)
               & (t.case_items.c.item_code == t.tasks.c.item_code))
    .outerjoin(t.bundles, t.bundles.c.code == t.cases.c.bundle_code)
    .where(t.tasks.c.id == bindparam("task_id")).with_for_update(of=[t.cases, t.tasks, t.workflow_states]))


# The columns of a case fixed when the window accepts it; nothing changes them afterwards.
ACCEPTED_ONCE = ("number", "bundle_code", "applicant", "channel", "accepted_at", "accepted_by", "form", "prefilled",
                 "accepted_point", "routing", "intake_place", "agent", "applicant_name", "applicant_id",
                 "applicant_code", "applicant_phone")
_SAVED = [c.key for c in t.cases.columns if c.key not in ACCEPTED_ONCE and c.key != "id"]  # what a save writes


class CaseRepository(_Repository):
    """``states``: the transaction's workflow states, kept by the reads and writes made here.

    A case this transaction holds (read with one of the ``lock`` methods, or added) cannot change
    under it until it ends: its row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's write
    transactions run one at a time, BEGIN IMMEDIATE). Saving it compares versions here, against the
    one this transaction holds, and its UPDATE waits for the COMMIT (``pipeline.defer``). A case not
    held (read with ``get``) is saved by an UPDATE whose row count is read at once (compare-and-swap
    in the database): one round trip more, and the answer whether someone else saved it since."""

    def __init__(self, conn: Connection, states: WorkflowStateRepository, flows: FlowRepository | None = None) -> None:
        super().__init__(conn)
        self._states = states
        self._flows = flows
        self._held: dict[int, int] = {}  # case id -> its version, as this transaction holds it

    _save = update(t.cases).where(t.cases.c.id == bindparam("_id"), t.cases.c.version == bindparam("_expected"))

    _insert = insert(t.cases).returning(t.cases.c.id)

    def add(self, case: CaseRecord) -> int:
        values = {**values_of(case), **applicant_columns(case.applicant)}
        values.pop("id")
        case_id = int(self.conn.execute(self._insert, values).scalar_one())
        self._held[case_id] = case.version
        return case_id

    def _hold(self, case: CaseRecord) -> CaseRecord:
        self._held[case.id] = case.version
        return case

    def get(self, case_id: int) -> CaseRecord | None:
        row = self.conn.execute(select(t.cases).where(t.cases.c.id == case_id)).first()
        return record_of(CaseRecord, row) if row else None

    _id_by_number = select(t.cases.c.id).where(t.cases.c.number == bindparam("number"))
    _id_by_id = select(t.cases.c.id).where(t.cases.c.id == bindparam("id"))

    def id_of(self, ref: str) -> int | None:
        """The id of the case with this id or case number, if there is one (lists filter by it)."""
        case_id = case_id_in(ref)
        if case_id is not None:
            row = self.conn.execute(self._id_by_id, {"id": case_id}).first()
        else:
            row = self.conn.execute(self._id_by_number, {"number": ref}).first()
        return int(row[0]) if row else None

    def get_by_number(self, number: str) -> CaseRecord | None:
        row = self.conn.execute(select(t.cases).where(t.cases.c.number == number)).first()
        return record_of(CaseRecord, row) if row else None

    def materials_overdue(self, now: datetime) -> list[int]:
        """Running cases whose tolerated materials were due before ``now``."""
        rows = self.conn.execute(select(t.cases.c.id).where(
            t.cases.c.materials_due < now, t.cases.c.status.in_(("in_review", "awaiting_pickup")))
            .order_by(t.cases.c.id))
        return [int(r[0]) for r in rows]

    def running_ids(self, bundle_code: str) -> list[int]:
        """The bundle's cases still under review or awaiting pickup, oldest first."""
        rows = self.conn.execute(select(t.cases.c.id).where(
            t.cases.c.bundle_code == bundle_code, t.cases.c.status.in_(("in_review", "awaiting_pickup")))
            .order_by(t.cases.c.id))
        return [int(r[0]) for r in rows]

    _lock = select(t.cases).where(t.cases.c.id == bindparam("id")).with_for_update()
    _lock_by_number = select(t.cases).where(t.cases.c.number == bindparam("number")).with_for_update()
    # A task with its case, both rows locked, and the task's item, if it has one. Should two writers
    # ever take the two locks in opposite orders, PostgreSQL's deadlock error (40P01) is transient:
    # the unit of work runs again. A lambda statement: SQLAlchemy keys its compiled form by the
    # lambda's code, not by walking the ~70 columns on every execution (45-65 µs per completion).
    _lock_with_task = lambda_stmt(lambda: _LOCK_WITH_TASK)
    _task_columns: ClassVar[tuple[tuple[str, int], ...]] = tuple(
        (c.name, len(t.cases.c) + i) for i, c in enumerate(t.tasks.c))
    _item_columns: ClassVar[tuple[tuple[str, int], ...]] = tuple(
        (c.name, len(t.cases.c) + len(t.tasks.c) + i) for i, c in enumerate(t.case_items.c))
    _bundle_columns: ClassVar[tuple[tuple[str, int], ...]] = tuple(
        (c.name, len(t.cases.c) + len(t.tasks.c) + len(t.case_items.c) + i) for i, c in enumerate(t.bundles.c))
    _stamp_columns: ClassVar[slice] = slice(len(t.cases.c) + len(t.tasks.c) + len(t.case_items.c) + len(t.bundles.c),
                                            len(t.cases.c) + len(t.tasks.c) + len(t.case_items.c) + len(t.bundles.c)
                                            + len(STAMP_COLUMNS))

    def timers_due(self, now: datetime) -> list[int]:
        """Running cases whose next BPMN timer is due by ``now``."""
        rows = self.conn.execute(select(t.cases.c.id).where(
            t.cases.c.next_timer_at <= now, t.cases.c.status.in_(("in_review", "awaiting_pickup")))
            .order_by(t.cases.c.next_timer_at))
        return [int(r[0]) for r in rows]

    def running_with_clock(self) -> list[CaseClockRow]:
        """The clocks of the cases under review (the ticker's pass), without their JSON columns."""
        c = t.cases.c
        rows = self.conn.execute(select(c.id, c.status, c.limit_days, c.due_on, c.colour).where(
            c.status == "in_review", c.limit_days.is_not(None)))
        return [CaseClockRow(r.id, r.status, r.limit_days, r.due_on, r.colour) for r in rows]

    def lock(self, case_id: int) -> CaseRecord | None:
        """Read the case for change: SELECT … FOR UPDATE on PostgreSQL (SQLite already holds its
        write lock since BEGIN IMMEDIATE)."""
        row = self.conn.execute(self._lock, {"id": case_id}).first()
        return self._hold(record_of(CaseRecord, row)) if row else None

    def lock_by_number(self, number: str) -> CaseRecord | None:
        row = self.conn.execute(self._lock_by_number, {"number": number}).first()
        return self._hold(record_of(CaseRecord, row)) if row else None

    def lock_with_task(self, task_id: str) -> tuple[CaseRecord, TaskRecord, CaseItemRecord | None] | None:
        """A task, its case and its item (``None`` for a task of no item), read for change in one
        statement (see ``lock``): the task's row is locked too, so that what is read of it is its
        latest state once the lock is granted; the item changes only under its case's lock."""
        row = self.conn.execute(self._lock_with_task, {"task_id": task_id}).first()
        if row is None:
            return None
        task = TaskRecord(**{name: row[i] for name, i in self._task_columns})
        item = (CaseItemRecord(**{name: row[i] for name, i in self._item_columns})
                if row[self._item_columns[0][1]] is not None else None)
        case = self._hold(record_of(CaseRecord, row))
        self._states.keep(case.id, row[-2], row[-1])
        if self._flows is not None and row[self._bundle_columns[0][1]] is not None:
            self._flows.keep(BundleRecord(**{name: row[i] for name, i in self._bundle_columns}),
                             tuple(row[self._stamp_columns]))
        return case, task, item

    def save(self, case: CaseRecord, state: WorkflowStateValues | None = None) -> None:
        """Write the case back if nobody else did since it was read, bumping its version, and with
        it the case's workflow ``state`` if given (see the class for how "nobody else" is known).
        What acceptance fixed (``ACCEPTED_ONCE``) is not written again: re-encoding the form and the
        applicant on every change of status cost more than the rest of the statement."""
        values = values_of(case)
        for name in ACCEPTED_ONCE:
            values.pop(name, None)
        expected = values.pop("version")
        values["_id"], values["_expected"], values["version"] = values.pop("id"), expected, expected + 1
        held = self._held.get(case.id)
        if held is not None and held != expected:  # a stale copy of a case this transaction changed
            raise ConcurrentUpdate(f"case {case.id} changed since version {expected}")
        if state is not None:
            self._states.replace(case.id, *state)
        if held is not None:
            defer(self.conn, self._save, values)
            self._held[case.id] = expected + 1
        elif self.conn.execute(self._save, values).rowcount != 1:
            raise ConcurrentUpdate(f"case {case.id} changed since version {expected}")
        case.version = expected + 1
        if state is not None:
            self._states.keep(case.id, state[0], state[1])


class TaskRepository(_Repository):
    """A case's tasks, once read (``of_case``) or known to be none (``new_case``), are kept for the
    rest of the transaction, and every write through here keeps that list true."""

    _get = select(t.tasks).where(t.tasks.c.id == bindparam("id"))
    _open_for_case = select(t.tasks).where(t.tasks.c.case_id == bindparam("case_id"),
                                           t.tasks.c.state.in_(("ready", "claimed")))
    _of_case_query = select(t.tasks).where(t.tasks.c.case_id == bindparam("case_id"))

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._of_case: dict[int, dict[str, TaskRecord]] = {}

    def new_case(self, case_id: int) -> None:
        """The case was created in this transaction: it has no task yet."""
        self._of_case[case_id] = {}

    def of_case(self, case_id: int) -> list[TaskRecord]:
        """Every task of the case, oldest first."""
        known = self._of_case.get(case_id)
        if known is None:
            rows = self.conn.execute(self._of_case_query, {"case_id": case_id})
            known = self._of_case[case_id] = {r.id: record_of(TaskRecord, r) for r in rows}
        return sorted(known.values(), key=lambda task: (task.created_at, task.id))

    def _known(self, task: TaskRecord) -> None:
        known = self._of_case.get(task.case_id)
        if known is not None:
            known[task.id] = task

    def get(self, task_id: str) -> TaskRecord | None:
        row = self.conn.execute(self._get, {"id": task_id}).first()
        return record_of(TaskRecord, row) if row else None

    def open_with_clock(self) -> list[TaskRecord]:
        """Every open task whose working-day clock runs (the ticker's pass)."""
        rows = self.conn.execute(select(t.tasks).where(t.tasks.c.state.in_(("ready", "claimed")),
                                                       t.tasks.c.limit_days.is_not(None)))
        return [record_of(TaskRecord, r) for r in rows]

    def open_for_case(self, case_id: int) -> list[TaskRecord]:
        return [record_of(TaskRecord, r) for r in self.conn.execute(self._open_for_case, {"case_id": case_id})]

    # Hot paths execute prepared statements with a parameter dict: building a fresh statement
    # from keyword values costs more than the SQLite round trip itself.
    _insert = insert(t.tasks).inline()
    _update = update(t.tasks).where(t.tasks.c.id == bindparam("_id"))

    def add(self, *tasks: TaskRecord) -> None:
        for task in tasks:
            self._known(task)
        defer(self.conn, self._insert, [values_of(task) for task in tasks])

    # The open states are written into the statement: a literal IN list is an "expanding"
    # parameter, which SQLAlchemy refuses to run for more than one task at a time.
    _cancel = update(t.tasks).where(t.tasks.c.id == bindparam("_id"), t.tasks.c.state.in_(
        [literal_column("'ready'"), literal_column("'claimed'")]))

    def cancel(self, *task_ids: str) -> None:
        """Mark open tasks cancelled (the workflow dropped them)."""
        for known in self._of_case.values():
            for task_id in task_ids:
                task = known.get(task_id)
                if task is not None and task.state in ("ready", "claimed"):
                    known[task_id] = replace(task, state="cancelled")
        defer(self.conn, self._cancel, [{"_id": task_id, "state": "cancelled"} for task_id in task_ids])

    def save(self, task: TaskRecord) -> None:
        """Write a task back; its case is locked (see ``pipeline.defer``)."""
        self._known(task)
        values = values_of(task)
        values["_id"] = values.pop("id")
        defer(self.conn, self._update, values)


class CaseItemRepository(_Repository):
    """A case's items are read once per transaction (the pickup's decision, e-licences, savings and
    answer each ask); the records handed out are the ones ``save`` writes back."""

    _for_case = select(t.case_items).where(t.case_items.c.case_id == bindparam("case_id"))

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._of_case: dict[int, list[CaseItemRecord]] = {}

    def for_case(self, case_id: int) -> list[CaseItemRecord]:
        items = self._of_case.get(case_id)
        if items is None:
            rows = self.conn.execute(self._for_case, {"case_id": case_id})
            items = self._of_case[case_id] = [record_of(CaseItemRecord, r) for r in rows]
        return list(items)

    _insert = insert(t.case_items).inline()
    _update = update(t.case_items).where(
        t.case_items.c.case_id == bindparam("_case_id"), t.case_items.c.item_code == bindparam("_item_code"))

    def add(self, *items: CaseItemRecord, new_case: bool = False) -> None:
        """``new_case``: these are all the items of a case created in this transaction."""
        for item in items:
            self._of_case.pop(item.case_id, None)
        if new_case:
            for item in items:
                self._of_case.setdefault(item.case_id, []).append(item)
        defer(self.conn, self._insert, [values_of(item) for item in items])

    def save(self, item: CaseItemRecord) -> None:
        """Write an item back; items change only under their case's lock (see ``pipeline.defer``)."""
        known = self._of_case.get(item.case_id)
        if known is not None:
            self._of_case[item.case_id] = [item if i.item_code == item.item_code else i for i in known]
        values = values_of(item)
        values["_case_id"], values["_item_code"] = values.pop("case_id"), values.pop("item_code")
        defer(self.conn, self._update, values)


class EventRepository(_Repository):
    """Append-only: there is no update or delete here, on purpose. Appended events are written
    together when the unit of work commits, or earlier with ``flush`` (on PostgreSQL they then
    wait for the connection's next round trip, see ``pipeline.defer``)."""

    _insert = insert(t.case_events).inline()

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._pending: list[dict[str, Any]] = []
        # A case's events once read (or known to be none), with those appended since: the timeline
        # of an answer and the savings of a closing case need not read them again.
        self._of_case: dict[int, list[EventRecord]] = {}

    def new_case(self, case_id: int) -> None:
        """The case was created in this transaction: it has no event yet."""
        self._of_case[case_id] = []

    def append(self, event: EventRecord) -> EventRecord:
        values = values_of(event)
        values.pop("id")
        self._pending.append(values)
        known = self._of_case.get(event.case_id)
        if known is not None:
            known.append(event)
        return event

    def flush(self) -> None:
        if self._pending:
            defer(self.conn, self._insert, self._pending)
            self._pending = []

    _for_case = select(t.case_events).where(t.case_events.c.case_id == bindparam("case_id")).order_by(
        t.case_events.c.seq)

    def for_case(self, case_id: int) -> list[EventRecord]:
        """Every event of the case, in order, those of this transaction included."""
        known = self._of_case.get(case_id)
        if known is None:
            self.flush()
            rows = self.conn.execute(self._for_case, {"case_id": case_id})
            known = self._of_case[case_id] = [record_of(EventRecord, r) for r in rows]
        return sorted(known, key=lambda event: event.seq)


class IdempotencyRepository(_Repository):
    def get(self, key: str) -> Row[Any] | None:
        return self.conn.execute(select(t.idempotency_keys).where(t.idempotency_keys.c.key == key)).first()

    def add(self, key: str, fingerprint: str, resource_type: str, resource_id: str, status_code: int,
            now: datetime) -> None:
        # A concurrent duplicate violates pk_idempotency_keys, named in db_errors.RACED_KEYS: that one
        # unique violation is retried, and the use case's retry then replays the stored answer.
        self.conn.execute(insert(t.idempotency_keys).values(
            key=key, fingerprint=fingerprint, resource_type=resource_type, resource_id=resource_id,
            status_code=status_code, created_at=now))


class CounterRepository(_Repository):
    _next: ClassVar[dict[str, Any]] = {}  # dialect name -> the prepared upsert

    def next(self, prefix: str, day: str) -> int:
        """The next sequence number of the day, atomically (INSERT … ON CONFLICT DO UPDATE)."""
        dialect = self.conn.dialect.name
        stmt = self._next.get(dialect)
        if stmt is None:
            module: Any = postgresql if dialect == "postgresql" else sqlite
            stmt = self._next[dialect] = module.insert(t.case_number_counters).on_conflict_do_update(
                index_elements=["prefix", "day"],
                set_={"last_value": t.case_number_counters.c.last_value + 1},
            ).returning(t.case_number_counters.c.last_value)
        return int(self.conn.execute(stmt, {"prefix": prefix, "day": day, "last_value": 1}).scalar_one())
