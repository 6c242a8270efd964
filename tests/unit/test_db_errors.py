"""Which database errors are retried, and why (``engine.persistence.db_errors``): by SQLSTATE or
SQLite's result code, never by message text. The errors are the drivers' own: psycopg's classes,
SQLite's raised by a real SQLite database, and on PostgreSQL (TEST_DATABASE_URL) each SQLSTATE
raised by the server through the engine's driver, a real unique and a real NOT NULL violation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.persistence.db_errors import RACED_KEYS, is_transient, is_unavailable, retry_cause, sqlite_code
from engine.persistence.migrate import upgrade
from tests.conftest import PG_URL, database_url


def wrapped(orig: Exception) -> DBAPIError:
    """``orig`` as SQLAlchemy hands it over (``DBAPIError.instance`` picks the subclass)."""
    driver = sqlite3.Error if isinstance(orig, sqlite3.Error) else psycopg.Error
    err = DBAPIError.instance("SELECT 1", {}, orig, driver)
    assert isinstance(err, DBAPIError)
    return err


# psycopg's class of each code -> (what retry_cause answers, whether it is the database being unavailable)
PSYCOPG_CLASSES = [
    (errors.SerializationFailure, "40001", False),
    (errors.DeadlockDetected, "40P01", False),
    (errors.LockNotAvailable, "55P03", False),
    (errors.AdminShutdown, "57P01", True),
    (errors.CrashShutdown, "57P02", True),
    (errors.CannotConnectNow, "57P03", True),
    (errors.ConnectionException, "08000", True),
    (errors.ConnectionFailure, "08006", True),
    (errors.SqlclientUnableToEstablishSqlconnection, "08001", True),
    (errors.UniqueViolation, None, False),  # made by hand: no constraint named, so no raced key
    (errors.NotNullViolation, None, False),
    (errors.ForeignKeyViolation, None, False),
    (errors.QueryCanceled, None, False),  # a statement timeout: running it again would time out again
    (errors.UndefinedTable, None, False),
    (errors.DivisionByZero, None, False),
]


@pytest.mark.parametrize(("cls", "cause", "unavailable"), PSYCOPG_CLASSES,
                         ids=[cls.__name__ for cls, _, _ in PSYCOPG_CLASSES])
def test_psycopg_errors_are_known_by_their_class(cls: type[Exception], cause: str | None, unavailable: bool) -> None:
    err = wrapped(cls("whatever the message says: deadlock, lock timeout, could not connect"))
    assert retry_cause(err) == cause
    assert is_transient(err) is (cause is not None)
    assert is_unavailable(err) is unavailable


def test_a_libpq_error_without_sqlstate_is_a_connection_lost() -> None:
    # What psycopg raises when it cannot connect or the socket dies: the server sent no code.
    refused = wrapped(psycopg.OperationalError('connection to server at "127.0.0.1" failed'))
    assert isinstance(refused, OperationalError)
    assert is_unavailable(refused) and retry_cause(refused) == "connection lost"


def test_an_invalidated_connection_is_unavailability_whatever_its_error() -> None:
    invalidated = DBAPIError("SELECT 1", {}, psycopg.DatabaseError("gone"), connection_invalidated=True)
    assert is_unavailable(invalidated) and is_transient(invalidated)


def test_message_text_decides_nothing() -> None:
    # The old rules matched these words; an error class that says nothing of the kind is not retried.
    for words in ("deadlock detected", "could not serialize access", "terminating connection",
                  "server closed the connection", "database is locked"):
        assert not is_transient(wrapped(psycopg.ProgrammingError(words)))
        assert not is_transient(wrapped(psycopg.IntegrityError(words)))
        assert not is_unavailable(wrapped(psycopg.DataError(words)))
    assert not is_transient(ValueError("deadlock detected")) and not is_unavailable(ValueError("connection refused"))


# SQLite, raised by a real database file.

@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'errors.sqlite3'}", connect_args={"timeout": 0})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER CONSTRAINT pk_t PRIMARY KEY, v TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO t VALUES (1, 'one')"))
    yield engine
    engine.dispose()


def raised(engine: Engine, *statements: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return caught.value


def test_sqlite_busy_is_retried(sqlite_file: Engine, tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "errors.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock; the engine's connections do not wait (timeout 0)
    try:
        busy = raised(sqlite_file, "INSERT INTO t VALUES (2, 'two')")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(busy, OperationalError) and sqlite_code(busy) == 5
    assert retry_cause(busy) == "SQLITE_BUSY"
    assert not is_unavailable(busy)  # a busy database is contention, not a database gone


def test_sqlite_locked_is_retried(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE t (k INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    reading = conn.execute("SELECT k FROM t")
    reading.fetchone()  # a statement still reading the table
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("DROP TABLE t")
    conn.close()
    locked = wrapped(caught.value)
    assert sqlite_code(locked) == 6
    assert retry_cause(locked) == "SQLITE_LOCKED" and not is_unavailable(locked)


def test_sqlite_integrity_and_other_errors_are_not_retried(sqlite_file: Engine) -> None:
    duplicate = raised(sqlite_file, "INSERT INTO t VALUES (1, 'again')")
    missing = raised(sqlite_file, "INSERT INTO t VALUES (3, NULL)")
    no_table = raised(sqlite_file, "SELECT * FROM nowhere")
    assert isinstance(duplicate, IntegrityError) and isinstance(missing, IntegrityError)
    assert isinstance(no_table, OperationalError)  # SQLite's "no such table" is an OperationalError
    for err in (duplicate, missing, no_table):
        assert retry_cause(err) is None and not is_unavailable(err)


# PostgreSQL, raised by the server through the engine's driver.

@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests run in CI")
    url = database_url("postgres", tmp_path)
    upgrade(url)
    from engine.persistence.database import make_engine

    engine = make_engine(url)
    yield engine
    engine.dispose()


SERVER_CODES = [
    ("40001", "40001", False), ("40P01", "40P01", False), ("55P03", "55P03", False),
    ("57P01", "57P01", True), ("57P02", "57P02", True), ("57P03", "57P03", True),
    ("08000", "08000", True), ("08006", "08006", True), ("08P01", "08P01", True),
    ("23505", None, False), ("23502", None, False), ("23503", None, False), ("57014", None, False),
    ("42P01", None, False), ("22012", None, False), ("P0001", None, False),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("code", "cause", "unavailable"), SERVER_CODES, ids=[c for c, _, _ in SERVER_CODES])
def test_each_sqlstate_the_server_raises(pg: Engine, code: str, cause: str | None, unavailable: bool) -> None:
    # The message is one the old text rules would have taken for a lost connection: it decides nothing.
    err = raised(pg, f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{code}', "
                     "MESSAGE = 'terminating connection: could not connect, deadlock'; END $$")
    assert retry_cause(err) == cause
    assert is_unavailable(err) is unavailable


@pytest.mark.postgres
def test_a_unique_violation_is_retried_on_a_raced_key_alone(pg: Engine) -> None:
    raced = raised(pg, "INSERT INTO idempotency_keys (key, fingerprint, resource_type, resource_id, status_code, "
                       "created_at) SELECT 'k', 'f', 'case', '1', 201, now() FROM generate_series(1, 2)")
    bug = raised(pg, "INSERT INTO case_number_counters (prefix, day, last_value) "
                     "SELECT 'YX', '20261205', 1 FROM generate_series(1, 2)")
    assert isinstance(raced, IntegrityError) and isinstance(bug, IntegrityError)
    assert "pk_idempotency_keys" in RACED_KEYS and "pk_case_number_counters" not in RACED_KEYS
    assert retry_cause(raced) == "23505 pk_idempotency_keys"
    assert retry_cause(bug) is None and not is_unavailable(bug)


@pytest.mark.postgres
def test_a_not_null_violation_is_not_retried(pg: Engine) -> None:
    err = raised(pg, "INSERT INTO case_number_counters (prefix, day, last_value) VALUES ('YX', NULL, 1)")
    assert isinstance(err, IntegrityError) and retry_cause(err) is None


@pytest.mark.postgres
def test_a_terminated_backend_is_a_lost_connection(pg: Engine) -> None:
    with pg.connect() as victim:
        pid = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
        victim.rollback()
        with pg.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
        with pytest.raises(DBAPIError) as caught:
            victim.execute(text("SELECT 1"))
    assert is_unavailable(caught.value) and retry_cause(caught.value) is not None
