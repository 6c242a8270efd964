"""A use case's transaction runs again only for a cause worth it (``engine.persistence.db_errors``),
counted attempt by attempt: a serialization failure, deadlock or lock timeout (SQLite: its database
busy) is retried and the work then done once; a real deadlock between two transactions is resolved
by running the victim again; a lost connection is retried on a fresh one; a unique violation of a
raced key (an Idempotency-Key sent twice) is retried and replayed; an integrity error from a bug
(a NOT NULL violation, a duplicate of a key nobody races for) surfaces at once, unretried.
Each retry is logged with its cause."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from engine.bootstrap import OneThingEngine
from engine.domain.errors import Conflict
from engine.domain.model import SYSTEM
from engine.persistence import tables as t
from engine.persistence.database import make_engine
from engine.persistence.db_errors import RACED_KEYS
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.accounts import CreateUser, create_user
from engine.services.transactions import Applied, Busy, RequestKey, idempotent, in_transaction

DAY = "20261205"
NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


class Attempts:
    """Runs ``work`` inside the retry loop, counting its attempts."""

    def __init__(self, engine: OneThingEngine) -> None:
        self.engine = engine
        self.count = 0

    def run(self, work: Callable[[SqlAlchemyUnitOfWork, int], object]) -> object:
        def attempt(uow: SqlAlchemyUnitOfWork) -> object:
            self.count += 1
            return work(uow, self.count)

        return in_transaction(self.engine.ctx, attempt)


@pytest.fixture
def attempts(engine: OneThingEngine) -> Attempts:
    return Attempts(engine)


@pytest.fixture
def retries(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.INFO, logger="onething.transactions")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "onething.transactions"]


@pytest.fixture
def no_wait(db_url: str) -> Iterator[Engine]:
    """Another client of the database that does not wait for locks (SQLite: no busy timeout)."""
    other = create_engine(db_url, connect_args={"timeout": 0}) if db_url.startswith("sqlite") else make_engine(db_url)
    yield other
    other.dispose()


def contend(uow: SqlAlchemyUnitOfWork, no_wait: Engine, code: str) -> None:
    """Fail the transaction as contention does: PostgreSQL raises ``code``; on SQLite, whose writer
    holds the database's write lock, another client finds the database busy."""
    if uow.connection.dialect.name == "postgresql":
        uow.connection.execute(text(f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}'; END $$"))
    else:
        with no_wait.begin() as other:
            other.execute(insert(t.case_number_counters).values(prefix="OTHER", day=DAY, last_value=1))


def counter(engine: OneThingEngine, prefix: str) -> int | None:
    with engine.db.connect() as conn:
        return conn.execute(select(t.case_number_counters.c.last_value).where(
            t.case_number_counters.c.prefix == prefix)).scalar()


@pytest.mark.parametrize("code", ["40001", "40P01", "55P03"])
def test_contention_is_retried_and_the_work_done_once(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]], no_wait: Engine,
        code: str) -> None:
    def work(uow: SqlAlchemyUnitOfWork, attempt: int) -> int:
        number = uow.counters.next("RT", DAY)
        if attempt == 1:
            contend(uow, no_wait, code)
        return number

    assert attempts.run(work) == 1  # the first attempt's number was rolled back with it
    assert attempts.count == 2
    assert counter(engine, "RT") == 1
    cause = code if engine.db.dialect.name == "postgresql" else "SQLITE_BUSY"
    assert retries() == [f"transaction attempt 1 of 10 failed ({cause})"]


def test_contention_outlasting_the_attempts_answers_busy(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]], no_wait: Engine) -> None:
    engine.ctx.max_attempts = 3
    with pytest.raises(Busy):
        attempts.run(lambda uow, _attempt: contend(uow, no_wait, "40001"))
    assert attempts.count == 3 and len(retries()) == 3


def test_a_not_null_violation_surfaces_at_once(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]]) -> None:
    def work(uow: SqlAlchemyUnitOfWork, _attempt: int) -> None:
        uow.counters.next("RT", DAY)
        uow.connection.execute(insert(t.case_number_counters).values(prefix="BUG", day=None, last_value=1))

    with pytest.raises(IntegrityError):
        attempts.run(work)
    assert attempts.count == 1 and retries() == []
    assert counter(engine, "RT") is None  # rolled back


def test_a_duplicate_of_a_key_nobody_races_for_surfaces_at_once(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]]) -> None:
    def work(uow: SqlAlchemyUnitOfWork, _attempt: int) -> None:
        for _ in range(2):  # a bug: the counter's row inserted twice
            uow.connection.execute(insert(t.case_number_counters).values(prefix="BUG", day=DAY, last_value=1))

    with pytest.raises(IntegrityError):
        attempts.run(work)
    assert attempts.count == 1 and retries() == []


# PostgreSQL alone: SQLite's writers queue (BEGIN IMMEDIATE), so nothing there races, deadlocks or
# loses its connection to a server.
on_postgres = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])


@on_postgres
def test_an_idempotency_key_inserted_first_by_a_concurrent_request_is_retried_and_replayed(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]]) -> None:
    key = RequestKey("twice", "fingerprint")

    def the_other_request_commits_first() -> None:
        with engine.ctx.uow(True) as other:
            other.idempotency.add(key.key, key.fingerprint, "case", "7", 201, NOW)
            other.commit()

    def work(uow: SqlAlchemyUnitOfWork, attempt: int) -> Applied:
        def apply() -> Applied:
            if attempt == 1:  # after this request found the key unused
                the_other_request_commits_first()
            return Applied("case", "8", 201)

        return idempotent(uow, key, "case", apply, NOW)

    applied = attempts.run(work)
    assert isinstance(applied, Applied)
    assert (applied.resource_id, applied.replayed) == ("7", True)  # the other request's answer
    assert attempts.count == 2
    assert retries() == ["transaction attempt 1 of 10 failed (23505 pk_idempotency_keys)"]


@on_postgres
def test_a_deadlock_between_two_transactions_is_resolved_by_running_the_victim_again(
        engine: OneThingEngine, retries: Callable[[], list[str]]) -> None:
    with engine.ctx.uow(True) as uow:
        for prefix in ("A", "B"):
            uow.counters.next(prefix, DAY)
        uow.commit()
    both_hold_one = threading.Barrier(2, timeout=10)
    counts = {"AB": 0, "BA": 0}

    def take(order: str) -> None:
        def work(uow: SqlAlchemyUnitOfWork) -> None:
            counts[order] += 1
            uow.counters.next(order[0], DAY)  # the upsert locks the counter's row
            if counts[order] == 1:
                both_hold_one.wait()
            uow.counters.next(order[1], DAY)

        in_transaction(engine.ctx, work)

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(take, "AB"), pool.submit(take, "BA")]:
            done.result()
    assert sorted(counts.values()) == [1, 2]  # PostgreSQL chose one victim, which ran again
    assert counter(engine, "A") == counter(engine, "B") == 3
    assert retries() == ["transaction attempt 1 of 10 failed (40P01)"]


@on_postgres
def test_a_lost_connection_is_retried_on_a_fresh_one(
        engine: OneThingEngine, attempts: Attempts, retries: Callable[[], list[str]],
        no_wait: Engine) -> None:
    backends: list[int] = []

    def work(uow: SqlAlchemyUnitOfWork, attempt: int) -> None:
        backends.append(uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        if attempt == 1:
            with no_wait.connect() as admin:  # as a restart, or an administrator, would
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backends[0]})
                admin.commit()
        uow.counters.next("RT", DAY)

    attempts.run(work)
    assert attempts.count == 2 and backends[0] != backends[1]
    assert counter(engine, "RT") == 1
    [logged] = retries()
    assert logged in ("transaction attempt 1 of 10 failed (57P01)",
                      "transaction attempt 1 of 10 failed (connection lost)")


def test_every_raced_key_is_a_key_of_the_migrated_database(engine: OneThingEngine) -> None:
    # A renamed constraint would silently turn its concurrent duplicates back into errors.
    schema = inspect(engine.db)
    keys = set()
    for table in schema.get_table_names():
        keys.add(schema.get_pk_constraint(table)["name"])
        keys.update(u["name"] for u in schema.get_unique_constraints(table))
    assert set(RACED_KEYS) <= keys, set(RACED_KEYS) - keys


def test_one_login_created_twice_at_once_is_created_once_and_refused_once(engine: OneThingEngine) -> None:
    def create(login: str) -> str:
        barrier.wait()
        try:
            create_user(CreateUser(login, "同名", "window", ["clerk"], "test-password-1", SYSTEM), engine.ctx)
            return "done"
        except Conflict:
            return "conflict"  # the raced insert ran again and found the user (uq_users_login)

    for n in range(6):
        barrier = threading.Barrier(2, timeout=10)
        with ThreadPoolExecutor(2) as pool:
            answers = sorted(pool.map(create, [f"twice.{n}"] * 2))
        assert answers == ["conflict", "done"]
    with engine.db.connect() as conn:
        created = conn.execute(select(t.users.c.login).where(t.users.c.login.like("twice.%"))).scalars().all()
    assert sorted(created) == [f"twice.{n}" for n in range(6)]
