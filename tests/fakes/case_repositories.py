"""Fake repositories of cases and what hangs off them: workflow states, tasks, items, events,
Idempotency-Keys and case-number counters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from engine.domain.errors import ConcurrentUpdate
from engine.domain.records import CaseItemRecord, CaseRecord, EventRecord, TaskRecord, case_id_in
from engine.persistence.repositories import CaseClockRow
from engine.persistence.state_store import WorkflowStateValues
from tests.fakes.tables import FakeDatabase, Tables

RUNNING = ("in_review", "awaiting_pickup")
OPEN = ("ready", "claimed")


class FakeWorkflowStateRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, case_id: int, serializer_version: str, state: str, now: datetime) -> None:
        self.tables.put("workflow_states", case_id, (serializer_version, state))

    def get(self, case_id: int) -> tuple[str, str] | None:
        found: tuple[str, str] | None = self.tables.get("workflow_states", case_id)
        return found


class FakeCaseRepository:
    """Saves compare the version read with the committed one, as the database's checked UPDATE
    does: a case another unit of work changed since raises ``ConcurrentUpdate``."""

    def __init__(self, tables: Tables, db: FakeDatabase, states: FakeWorkflowStateRepository) -> None:
        self.tables = tables
        self.db = db
        self.states = states

    def _cases(self) -> list[CaseRecord]:
        return sorted(self.tables.all("cases"), key=lambda case: case.id)

    def add(self, case: CaseRecord) -> int:
        if any(c.number == case.number for c in self.tables.all("cases")):
            raise AssertionError(f"case number {case.number} is taken (the unique index would refuse it)")
        case_id = self.tables.next_id("cases")
        self.tables.put("cases", case_id, replace(case, id=case_id))
        return case_id

    def get(self, case_id: int) -> CaseRecord | None:
        found: CaseRecord | None = self.tables.get("cases", case_id)
        return found

    def get_by_number(self, number: str) -> CaseRecord | None:
        return next((case for case in self._cases() if case.number == number), None)

    def id_of(self, ref: str) -> int | None:
        case_id = case_id_in(ref)
        found = self.get(case_id) if case_id is not None else self.get_by_number(ref)
        return found.id if found else None

    def lock(self, case_id: int) -> CaseRecord | None:
        return self.get(case_id)

    def lock_by_number(self, number: str) -> CaseRecord | None:
        return self.get_by_number(number)

    def lock_with_task(self, task_id: str) -> tuple[CaseRecord, TaskRecord, CaseItemRecord | None] | None:
        task: TaskRecord | None = self.tables.get("tasks", task_id)
        if task is None:
            return None
        case = self.get(task.case_id)
        assert case is not None, f"task {task_id} of no case"
        item = self.tables.get("case_items", (case.id, task.item_code)) if task.item_code else None
        return case, task, item

    def materials_overdue(self, now: datetime) -> list[int]:
        return [c.id for c in self._cases()
                if c.materials_due is not None and c.materials_due < now and c.status in RUNNING]

    def running_ids(self, bundle_code: str) -> list[int]:
        return [c.id for c in self._cases() if c.bundle_code == bundle_code and c.status in RUNNING]

    def running_with_clock(self) -> list[CaseClockRow]:
        return [CaseClockRow(c.id, c.status, c.limit_days, c.due_on, c.colour) for c in self._cases()
                if c.status == "in_review" and c.limit_days is not None]

    def save(self, case: CaseRecord, state: WorkflowStateValues | None = None) -> None:
        expected = case.version
        mine: CaseRecord | None = self.tables.get("cases", case.id)
        committed: CaseRecord | None = self.db.committed_record("cases", case.id)
        if mine is None or mine.version != expected or (committed is not None and committed.version > expected):
            raise ConcurrentUpdate(f"case {case.id} changed since version {expected}")
        case.version = expected + 1
        # What acceptance fixed is never written again (``ACCEPTED_ONCE`` in the real repository).
        self.tables.put("cases", case.id, replace(case, number=mine.number, bundle_code=mine.bundle_code,
                                                  applicant=mine.applicant, channel=mine.channel,
                                                  accepted_at=mine.accepted_at, accepted_by=mine.accepted_by,
                                                  form=mine.form, prefilled=mine.prefilled))
        if state is not None:
            self.states.add(case.id, state[0], state[1], state[2])

    def timers_due(self, now: datetime) -> list[int]:
        due = [c for c in self._cases() if c.next_timer_at is not None and c.next_timer_at <= now
               and c.status in RUNNING]
        return [c.id for c in sorted(due, key=lambda c: (c.next_timer_at, c.id))]


class FakeTaskRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _tasks(self, case_id: int | None = None) -> list[TaskRecord]:
        tasks = [t for t in self.tables.all("tasks") if case_id is None or t.case_id == case_id]
        return sorted(tasks, key=lambda task: (task.created_at, task.id))

    def add(self, *tasks: TaskRecord) -> None:
        for task in tasks:
            assert task.id not in self.tables.table("tasks"), f"task {task.id} added twice"
            self.tables.put("tasks", task.id, task)

    def cancel(self, *task_ids: str) -> None:
        for task_id in task_ids:
            task = self.get(task_id)
            if task is not None and task.state in OPEN:
                self.tables.put("tasks", task_id, replace(task, state="cancelled"))

    def get(self, task_id: str) -> TaskRecord | None:
        found: TaskRecord | None = self.tables.get("tasks", task_id)
        return found

    def new_case(self, case_id: int) -> None:
        assert not self._tasks(case_id), f"case {case_id} is new but has tasks"

    def of_case(self, case_id: int) -> list[TaskRecord]:
        return self._tasks(case_id)

    def open_for_case(self, case_id: int) -> list[TaskRecord]:
        return [t for t in self._tasks(case_id) if t.state in OPEN]

    def open_with_clock(self) -> list[TaskRecord]:
        return [t for t in self._tasks() if t.state in OPEN and t.limit_days is not None]

    def save(self, task: TaskRecord) -> None:
        assert task.id in self.tables.table("tasks"), f"task {task.id} saved before it was added"
        self.tables.put("tasks", task.id, task)


class FakeCaseItemRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, *items: CaseItemRecord, new_case: bool = False) -> None:
        for item in items:
            self.tables.put("case_items", (item.case_id, item.item_code), item)

    def for_case(self, case_id: int) -> list[CaseItemRecord]:
        return [item for item in self.tables.all("case_items") if item.case_id == case_id]

    def save(self, item: CaseItemRecord) -> None:
        key = (item.case_id, item.item_code)
        assert key in self.tables.table("case_items"), f"item {key} saved before it was added"
        self.tables.put("case_items", key, item)


class FakeEventRepository:
    """Append-only, as the real one: nothing here changes or removes an event."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def append(self, event: EventRecord) -> EventRecord:
        key = (event.case_id, event.seq)
        assert key not in self.tables.table("case_events"), f"event {key} appended twice"
        self.tables.put("case_events", key, replace(event, id=self.tables.next_id("case_events")))
        return event

    def flush(self) -> None:
        """Nothing waits: every append is in the tables at once."""

    def for_case(self, case_id: int) -> list[EventRecord]:
        return sorted((e for e in self.tables.all("case_events") if e.case_id == case_id), key=lambda e: e.seq)

    def new_case(self, case_id: int) -> None:
        assert not self.for_case(case_id), f"case {case_id} is new but has events"


@dataclass(frozen=True)
class StoredKey:
    key: str
    fingerprint: str
    resource_type: str
    resource_id: str
    status_code: int
    created_at: datetime


class FakeIdempotencyRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, key: str, fingerprint: str, resource_type: str, resource_id: str, status_code: int,
            now: datetime) -> None:
        assert key not in self.tables.table("idempotency_keys"), f"Idempotency-Key {key} stored twice"
        self.tables.put("idempotency_keys", key, StoredKey(key, fingerprint, resource_type, resource_id,
                                                           status_code, now))

    def get(self, key: str) -> StoredKey | None:
        found: StoredKey | None = self.tables.get("idempotency_keys", key)
        return found


class FakeCounterRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def next(self, prefix: str, day: str) -> int:
        counters = self.tables.table("case_number_counters")
        counters[(prefix, day)] = counters.get((prefix, day), 0) + 1
        return int(counters[(prefix, day)])
