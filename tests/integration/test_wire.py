"""Write transactions written out on the wire (engine/persistence/wire.py, PostgreSQL): however a
write transaction ends without its commit, nothing it wrote survives and the connection goes back
to the pool with no transaction open on the server; one the server still holds open when it comes
back is rolled back there, and one that cannot even say so is dropped, never handed out again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.persistence import wire
from engine.persistence.database import make_engine, writer

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"  # SQLite's transactions are the driver's own: nothing is written out


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS wire_probe (n integer)"))
        conn.execute(text("DELETE FROM wire_probe"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE wire_probe"))
    engine.dispose()


def rows(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT n FROM wire_probe ORDER BY n"))]


def server_status(engine: Engine) -> int:
    """The transaction status psycopg2 reads off the pooled connection (0: idle, none open)."""
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        status: int = dbapi.get_transaction_status()  # type: ignore[attr-defined]
        conn.rollback()
        return status


def test_a_write_transaction_rolled_back_after_a_statement_leaves_nothing_and_no_open_transaction(
        db: Engine) -> None:
    with pytest.raises(RuntimeError), writer(db).begin() as conn:
        conn.execute(text("INSERT INTO wire_probe VALUES (1)"))  # went out with BEGIN in front
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None and dbapi.autocommit  # the transaction is ours, not the driver's
        assert wire.in_transaction(dbapi)
        raise RuntimeError("the use case failed")
    assert rows(db) == []
    assert server_status(db) == 0
    with writer(db).begin() as conn:  # the same pooled connection serves the next write
        conn.execute(text("INSERT INTO wire_probe VALUES (2)"))
    assert rows(db) == [2]


def test_a_write_transaction_that_sent_nothing_rolls_back_without_a_round_trip(
        db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    send = wire._send

    def counted(dbapi_connection: Any, sql: str) -> None:
        sent.append(sql)
        send(dbapi_connection, sql)

    monkeypatch.setattr(wire, "_send", counted)
    with pytest.raises(RuntimeError), writer(db).begin():
        raise RuntimeError("refused before any statement")
    assert sent == []  # BEGIN never went out, so there was nothing to roll back
    assert server_status(db) == 0


def test_a_connection_checked_in_with_a_transaction_open_on_the_server_is_rolled_back_there(
        db: Engine) -> None:
    raw = db.raw_connection()  # past SQLAlchemy: a transaction the pool knows nothing of
    dbapi: Any = raw.dbapi_connection
    dbapi.autocommit = True
    cursor = dbapi.cursor()
    cursor.execute("BEGIN; INSERT INTO wire_probe VALUES (3)")
    cursor.close()
    assert dbapi.get_transaction_status() != 0
    raw.close()  # back to the pool: the checkin listener
    assert dbapi.get_transaction_status() == 0
    assert rows(db) == []
    assert server_status(db) == 0


def test_a_connection_that_fails_its_rollback_on_checkin_is_dropped_not_reused(db: Engine) -> None:
    raw = db.raw_connection()
    dbapi: Any = raw.dbapi_connection
    dbapi.autocommit = True
    cursor = dbapi.cursor()
    cursor.execute("BEGIN")
    cursor.close()
    with db.connect() as other:  # a second connection ends the first one's backend, as a restart would
        pid = dbapi.info.backend_pid
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    raw.close()  # the ROLLBACK fails: the pool invalidates the connection
    with db.connect() as conn:
        assert conn.connection.dbapi_connection is not dbapi  # a fresh one
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
