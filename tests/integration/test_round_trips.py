"""Fewer round trips, same outcome. A write transaction on PostgreSQL runs in psycopg's pipeline
mode (engine/persistence/pipeline.py): its BEGIN goes with its first statement, a write marked
unread (``defer``) waits for the next answer the transaction needs, and the last writes go with
the COMMIT. Whatever happens, what a transaction reads and what it commits are as if each write had
run at once, and a rolled-back transaction leaves nothing behind. On SQLite the same calls run at
once. Read-only units of work on PostgreSQL send no BEGIN/ROLLBACK, unless they ask for one
snapshot. Round trips are counted in libpq's own trace of the protocol (tests/wire_trace.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, insert, text, update
from sqlalchemy.exc import IntegrityError

from engine.bootstrap import OneThingEngine
from engine.domain.decisions import ItemDecision, Reject
from engine.domain.model import Actor
from engine.persistence import tables as t
from engine.persistence.database import make_engine
from engine.persistence.migrate import upgrade
from engine.persistence.pipeline import defer
from engine.persistence.repositories import TaskRepository
from engine.services.cases import StartCase, start_case
from engine.services.tasks import CompleteTask, complete_task
from tests.approvals import approval, approval_of
from tests.conftest import APPLICANT, application
from tests.wire_trace import WireTrace, is_read

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
_EVENT = insert(t.case_events).inline()
_TITLE = update(t.tasks).where(t.tasks.c.id == bindparam("_id"))


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def writer(engine: Engine) -> Engine:
    from engine.persistence.database import writer as marked

    return marked(engine)


def a_case(engine: OneThingEngine) -> tuple[int, list[tuple[str, str]]]:
    clerk = Actor("王窗口", "window", "clerk")
    case_id = int(start_case(StartCase("restaurant", APPLICANT, clerk, **application(engine)), engine.ctx).resource_id)
    with engine.db.connect() as conn:
        tasks = conn.execute(text("SELECT id, department FROM tasks WHERE case_id = :c AND kind = 'approval' "
                                  "ORDER BY item_code"), {"c": case_id}).all()
    return case_id, [(r[0], r[1]) for r in tasks]


def event_row(case_id: int, seq: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"case_id": case_id, "seq": seq, "type": "Note", "actor_user": "测试", "actor_department": "window",
            "actor_role": "clerk", "task_id": None, "data": data, "occurred_at": NOW, "actor_address": None,
            "prev_hash": "", "hash": f"h{seq}"}


def test_deferred_writes_are_read_back_in_their_transaction_and_committed_in_order(
        engine: OneThingEngine, backend: str) -> None:
    case_id, tasks = a_case(engine)
    task_id = tasks[0][0]
    awkward = {"note": "100% 合格, O'Brien said \"ok\"; %(x)s %s \\ end", "n": 3}
    wire = WireTrace(engine.db) if backend == "postgres" else None
    with writer(engine.db).connect() as conn:
        conn.begin()
        defer(conn, _TITLE, {"_id": task_id, "title": "第一次"})
        defer(conn, _TITLE, {"_id": task_id, "title": "第二次"})  # the later write wins, as at once
        defer(conn, _EVENT, [event_row(case_id, 900, awkward), event_row(case_id, 901, {"n": 4})])
        title = conn.execute(text("SELECT title FROM tasks WHERE id = :i"), {"i": task_id}).scalar()
        assert title == "第二次"  # a read sees every write before it
        conn.commit()
    if wire is not None:
        trips = wire.round_trips()
        assert len(trips) == 2, trips  # BEGIN, the writes (each event row its own) and the read; then the COMMIT
        assert [s.split()[0] for s in trips[0]] == ["BEGIN", "UPDATE", "UPDATE", "INSERT", "INSERT", "SELECT"]
        assert trips[1] == ["COMMIT"]
    with engine.db.connect() as conn:
        stored = conn.execute(text("SELECT seq, data FROM case_events WHERE case_id = :c AND seq >= 900 "
                                   "ORDER BY seq"), {"c": case_id}).all()
    assert [(seq, data if isinstance(data, dict) else json.loads(data)) for seq, data in stored] == [
        (900, awkward), (901, {"n": 4})]


def test_a_rolled_back_transaction_leaves_its_deferred_writes_uncommitted(engine: OneThingEngine) -> None:
    case_id, tasks = a_case(engine)
    db = writer(engine.db)
    with db.connect() as conn:
        conn.begin()
        defer(conn, _TITLE, {"_id": tasks[0][0], "title": "不应写入"})
        defer(conn, _EVENT, event_row(case_id, 950, {}))
        conn.rollback()
        conn.begin()
        conn.commit()  # a later transaction on the same connection must not carry them
    with db.connect() as conn:
        conn.begin()
        defer(conn, _EVENT, event_row(case_id, 951, {}))
        conn.close()  # back to the pool, never committed
    with db.connect() as conn:
        conn.begin()
        conn.execute(text("SELECT 1"))
        conn.commit()
    with engine.db.connect() as conn:
        assert conn.execute(text("SELECT title FROM tasks WHERE id = :i"), {"i": tasks[0][0]}).scalar() != "不应写入"
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE seq >= 950")).scalar() == 0


def test_a_statement_not_marked_unread_answers_at_once(engine: OneThingEngine) -> None:
    """Its row count is the statement's own, although writes wait ahead of it."""
    case_id, tasks = a_case(engine)
    with writer(engine.db).connect() as conn:
        conn.begin()
        defer(conn, _TITLE, {"_id": tasks[0][0], "title": "改过"})
        missing = conn.execute(_TITLE, {"_id": "no-such-task", "title": "x"}).rowcount
        matched = conn.execute(_TITLE, {"_id": tasks[1][0], "title": "也改过"}).rowcount
        conn.commit()
    assert (missing, matched) == (0, 1)
    with engine.db.connect() as conn:
        titles = dict(conn.execute(text("SELECT id, title FROM tasks WHERE case_id = :c"), {"c": case_id}).all())
    assert (titles[tasks[0][0]], titles[tasks[1][0]]) == ("改过", "也改过")


def test_a_failing_deferred_write_fails_its_transaction(engine: OneThingEngine) -> None:
    case_id, tasks = a_case(engine)
    # The error comes at once on SQLite, with the COMMIT's round trip on PostgreSQL.
    with writer(engine.db).connect() as conn, pytest.raises(IntegrityError):
        conn.begin()
        defer(conn, _TITLE, {"_id": tasks[0][0], "title": "不应写入"})
        defer(conn, _EVENT, [event_row(case_id, 960, {}), event_row(case_id, 960, {})])  # seq taken twice
        conn.commit()
    with engine.db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE seq = 960")).scalar() == 0
        assert conn.execute(text("SELECT title FROM tasks WHERE id = :i"), {"i": tasks[0][0]}).scalar() != "不应写入"
    with engine.ctx.uow(True) as uow:  # the connection went back to the pool in a usable state
        assert uow.connection.execute(text("SELECT count(*) FROM tasks")).scalar()


def test_a_completion_on_postgresql_is_two_round_trips_its_lock_then_its_writes_with_the_commit(
        engine: OneThingEngine, backend: str) -> None:
    """BEGIN with the locking read; then every write, the case's UPDATE among them (its version
    compared in the process: the case is locked), with the COMMIT. The locking read brings along what a decision may
    need besides the case, the task and the item: the bundle's row and the catalogue's and
    calendar's stamps (approving an item that grants a licence checks the number's format in the
    catalogue; an approval that opens others starts their clocks), and the approvals an item opens
    are settled from the workflow's own data (linkage.py): a refusal, an approval that opens
    nothing and the business licence that opens three approvals are each two round trips."""
    if backend != "postgres":
        pytest.skip("round trips are PostgreSQL's; SQLite runs in the process")
    wire = WireTrace(engine.db)

    def complete(task_id: str, department: str, decision: ItemDecision, *writes: str) -> None:
        wire.round_trips()
        complete_task(CompleteTask(task_id, decision, Actor("审批员", department)), engine.ctx)
        trips = wire.round_trips()
        assert len(trips) == 2, trips
        assert trips[0][0] == "BEGIN" and "FOR UPDATE" in trips[0][1] and len(trips[0]) == 2, trips[0]
        sent = "\n".join(trips[1])
        assert all(kind in sent for kind in ("UPDATE tasks", "UPDATE case_items", "INSERT INTO case_events",
                                             "UPDATE workflow_states", "UPDATE cases", *writes)), sent
        assert trips[1][-1] == "COMMIT"

    _, tasks = a_case(engine)  # open at acceptance, by item code: the health certificate, the licence
    (health, wj), _ = tasks
    complete(health, wj, Reject("体检不合格"))

    _, tasks = a_case(engine)
    (health, wj), (licence, scjg) = tasks
    decision = approval_of(engine, health)  # its own read, before counting
    complete(health, wj, decision)  # it opens no task
    decision = approval_of(engine, licence)
    complete(licence, scjg, decision, "INSERT INTO tasks")  # it opens three approvals


def test_repeated_statements_go_prepared_unless_turned_off(db_url: str, backend: str) -> None:
    """psycopg prepares a statement run repeatedly on a connection (protocol-level, by name) and
    then sends only its name and values; with prepared statements off (behind PgBouncer before
    1.21) every statement goes unnamed."""
    if backend != "postgres":
        pytest.skip("prepared statements are PostgreSQL's")
    upgrade(db_url)
    query = "SELECT count(*) FROM tasks WHERE state = %(state)s"
    for prepared in (True, False):
        engine = make_engine(db_url, pool_size=1, prepared_statements=prepared)
        wire = WireTrace(engine)
        for _ in range(4):  # committed: psycopg forgets what it prepared when it sends a ROLLBACK
            with engine.begin() as conn:
                conn.exec_driver_sql(query, {"state": "ready"})
        raw = "\n".join("\n".join(trip) for trip in wire.round_trips())
        names = wire.prepared_names()
        engine.dispose()
        # Prepared: once, in a round trip of its own (psycopg prepares outside a pipeline so), then
        # run by name; otherwise sent whole each time.
        assert raw.count("SELECT count(*) FROM tasks") == (5 if prepared else 4)
        assert bool(names) is prepared, (prepared, names)


def test_a_deferred_cancel_keeps_its_literal_state_list(engine: OneThingEngine) -> None:
    """``TaskRepository.cancel`` filters on a literal IN list."""
    _, tasks = a_case(engine)
    open_id, done_id = tasks[0][0], tasks[1][0]
    with writer(engine.db).connect() as conn:
        conn.begin()
        conn.execute(text("UPDATE tasks SET state = 'completed' WHERE id = :i"), {"i": done_id})
        TaskRepository(conn).cancel(open_id, done_id)
        conn.commit()
    with engine.db.connect() as conn:
        states = dict(conn.execute(text("SELECT id, state FROM tasks WHERE id IN (:a, :b)"),
                                   {"a": open_id, "b": done_id}).all())
    assert states == {open_id: "cancelled", done_id: "completed"}


def test_reads_on_postgresql_run_without_a_transaction_and_writes_inside_one(engine: OneThingEngine,
                                                                          backend: str) -> None:
    """A read-only unit of work sends no BEGIN and no ROLLBACK on PostgreSQL: each statement is its
    own transaction, as each already read its own snapshot under READ COMMITTED. A write unit of
    work is one transaction throughout."""
    if backend != "postgres":
        pytest.skip("SQLite reads keep their transaction")

    def transaction_starts(write: bool) -> tuple[Any, Any]:
        with engine.ctx.uow(write) as uow:
            first = uow.connection.execute(text("SELECT now()")).scalar()
            uow.connection.execute(text("SELECT pg_sleep(0.02)"))
            return first, uow.connection.execute(text("SELECT now()")).scalar()

    first, second = transaction_starts(False)
    assert second > first
    first, second = transaction_starts(True)  # on the connection the read gave back: a transaction again
    assert second == first
    with pytest.raises(ZeroDivisionError), engine.ctx.uow(False) as uow:
        uow.connection.execute(text("SELECT 1"))
        raise ZeroDivisionError  # a read that fails gives its connection back transactional too
    first, second = transaction_starts(True)
    assert second == first


def test_a_read_only_unit_of_work_cannot_commit(engine: OneThingEngine) -> None:
    with engine.ctx.uow(False) as uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()


def test_a_snapshot_read_does_not_see_what_commits_after_its_first_read(engine: OneThingEngine) -> None:
    """What the audit verification reads with: the chain heads and the events of one moment."""
    case_id, _ = a_case(engine)
    count = text("SELECT count(*) FROM case_events WHERE case_id = :c")
    with engine.ctx.uow(False, snapshot=True) as uow:
        before = uow.connection.execute(count, {"c": case_id}).scalar()
        with engine.db.begin() as other:
            other.execute(insert(t.case_events), event_row(case_id, 970, {}))
        assert uow.connection.execute(count, {"c": case_id}).scalar() == before
    with engine.ctx.uow(False) as uow:
        assert uow.connection.execute(count, {"c": case_id}).scalar() == before + 1


def statements(engine: Engine) -> list[str]:
    """The SQL of every statement the engine executes from now on, on either database."""
    sent: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    return sent


def test_a_holder_refresh_keeps_old_attributes_and_waits_for_the_commit(db: Engine, backend: str) -> None:
    from engine.domain.records import HolderRecord
    from engine.persistence.catalogue_store import HolderRepository

    later = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    with writer(db).begin() as conn:
        HolderRepository(conn).put(HolderRecord("person", "11010519491231002X", "陈小明",
                                                {"phone": "13800138000", "address": None}, NOW))
    wire = WireTrace(db) if backend == "postgres" else None
    with writer(db).begin() as conn:
        holders = HolderRepository(conn)
        refreshed = {"phone": "13900139000", "credit_code": "9135"}
        holders.put(HolderRecord("person", "11010519491231002X", "陈晓明", refreshed, later))
    if wire is not None:  # one upsert, no read of the current row: BEGIN, it and COMMIT in one round trip
        trips = wire.round_trips()
        assert len(trips) == 1 and trips[0][0] == "BEGIN" and trips[0][-1] == "COMMIT", trips
    with db.connect() as conn:
        held = HolderRepository(conn).get("person", "11010519491231002X")
    assert held is not None
    assert held.name == "陈晓明"
    assert held.attributes == {"phone": "13900139000", "address": None, "credit_code": "9135"}
    assert held.updated_at == later


def test_intake_and_pickup_answer_the_case_without_reading_back_what_they_wrote(
        engine: OneThingEngine, client: Any, backend: str) -> None:
    from tests.conftest import CLERK, REVIEWERS, case_body

    def reads_of(sent: list[str], table: str) -> int:
        return sum(1 for s in sent if is_read([s]) and f"FROM {table}" in s)

    def writes_alone(trips: list[list[str]]) -> list[list[str]]:
        """Round trips that carry writes and no read: only the compare-and-swap's and the COMMIT's
        should."""
        return [trip for trip in trips if not is_read(trip)
                and not trip[-1].startswith("UPDATE cases") and trip[-1] != "COMMIT"]

    body = case_body(client)  # its reads are not the intake's
    wire = WireTrace(engine.db) if backend == "postgres" else None
    sent = statements(engine.db)
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    assert len(started.json["tasks"]) == 3  # the intake and the two approvals it opened (licence, health)
    assert [e["type"] for e in started.json["timeline"]] == ["CaseAccepted"] + ["TaskOpened"] * 2
    # A case created in the transaction: its items, tasks and events are known without a read.
    assert [reads_of(sent, table) for table in ("case_items", "tasks", "case_events")] == [0, 0, 0]
    stamps_read_alone = [s for s in sent if "max(catalogue_entries.updated_at)" in s and "FROM bundles" not in s]
    assert stamps_read_alone == []  # the reference data's stamps come with the bundle's row

    waiting = list(started.json["open_tasks"])
    while waiting:
        task = waiting.pop()
        if wire is not None:
            wire.round_trips()
        done = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task),
                           headers=REVIEWERS[task["department"]])
        assert done.status_code == 200, done.json
        waiting += done.json["opened_tasks"]  # the food permit, after the licence: its reviewer's department
        if wire is not None:  # the writes go with the COMMIT, the licence's that opens three approvals too
            trips = wire.round_trips()
            commits = [trip for trip in trips if trip and trip[-1] == "COMMIT"]
            assert len(commits) == 1 and writes_alone(trips) == [], (task["item"], trips)
        if task["item"] == "cy.yyzz":  # the sign and the fire inspection open for other departments
            waiting += [t for t in client.get(f"/api/tasks?case={started.json['number']}").json["items"]
                        if t["item"] in ("cy.zp", "cy.xf")]
    sent.clear()
    if wire is not None:
        wire.round_trips()
    handed = client.post(f"/api/cases/{started.json['id']}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    # Items, tasks, events and pauses are read once each although finding the pickup, the hand-over,
    # the savings and the answer all use them.
    assert [reads_of(sent, table) for table in ("case_items", "tasks", "case_events", "task_pauses")] == [1, 1, 1, 1]
    assert [s for s in sent if "max(catalogue_entries.updated_at)" in s and "FROM bundles" not in s] == []
    if wire is not None:
        trips = wire.round_trips()
        commits = [trip for trip in trips if trip and trip[-1] == "COMMIT"]
        assert len(commits) == 1 and writes_alone(trips) == [], trips
        assert any("INSERT INTO elicences" in s for trip in trips for s in trip)
    assert handed.json == client.get(f"/api/cases/{started.json['id']}", headers=CLERK).json
