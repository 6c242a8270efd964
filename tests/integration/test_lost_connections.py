"""A database server that restarts under a running engine (PostgreSQL). A pooled connection is
pinged before use only when it has lain idle (a busy server spares the round trip); a dead one is
replaced before anyone uses it. A connection that dies between two requests fails its first
statement: a write then starts over on a fresh connection and succeeds, a read answers 503 in the
API's error shape, and the next request is served."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.bootstrap import OneThingEngine
from engine.persistence import database
from engine.persistence.database import make_engine
from engine.persistence.migrate import upgrade
from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS, case_body

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "postgres"  # connections dying under the pool are a server's matter: no SQLite run


@pytest.fixture
def pg_url(db_url: str) -> str:
    return db_url


def kill_other_connections(url: str) -> int:
    """Terminate every other backend connected to this test's database, as a restart would."""
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
        time.sleep(0.1)  # the backends go away
        return int(killed)
    finally:
        admin.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.fixture
def pings(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, list[Any]]]:
    """An engine whose connections count as idle after 50 ms, and the pings it sends."""
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=1, idle_ping_seconds=0.05)
    sent: list[Any] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    yield engine, sent
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pings: tuple[Engine, list[Any]]) -> None:
    engine, sent = pings
    first = backend_pid(engine)
    for _ in range(5):
        assert backend_pid(engine) == first  # the same pooled connection, handed out at once
    assert sent == []


def test_an_idle_connection_is_pinged_and_used(pings: tuple[Engine, list[Any]]) -> None:
    engine, sent = pings
    first = backend_pid(engine)
    time.sleep(0.1)
    assert backend_pid(engine) == first  # alive: pinged, then used
    assert len(sent) == 1


def test_a_connection_the_server_closed_is_replaced_at_checkout_without_a_ping(
        pings: tuple[Engine, list[Any]], pg_url: str) -> None:
    engine, sent = pings
    first = backend_pid(engine)
    assert kill_other_connections(pg_url) == 1
    assert backend_pid(engine) != first  # its socket told: a new connection, and no error
    assert sent == []


def test_a_silently_dead_idle_connection_fails_its_ping_and_is_replaced(
        pings: tuple[Engine, list[Any]], pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, sent = pings
    monkeypatch.setattr(database, "_hung_up", lambda _connection: False)  # as if no farewell arrived
    first = backend_pid(engine)
    assert kill_other_connections(pg_url) == 1
    assert backend_pid(engine) != first
    assert len(sent) == 1  # the one ping, which failed


def test_a_connection_dead_before_its_first_statement_restarts_a_write_and_fails_a_read_with_503(
        pg_url: str, engine: OneThingEngine, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    started = client.post("/api/cases", json=case_body(client), headers=CLERK)
    assert started.status_code == 201, started.json
    case = started.json
    task = next(t for t in case["open_tasks"] if t["department"] == "wj")  # open from acceptance
    assert client.get("/api/tasks?department=wj", headers=REVIEWERS["wj"]).status_code == 200  # logged in
    monkeypatch.setattr(database, "_hung_up", lambda _connection: False)  # it dies after the look

    assert kill_other_connections(pg_url) >= 1  # the pool's connection was used a moment ago: no ping
    done = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task), headers=REVIEWERS["wj"])
    assert done.status_code == 200, done.json  # the first attempt failed on the dead connection

    assert kill_other_connections(pg_url) >= 1
    read = client.get(f"/api/cases/{case['id']}")
    assert read.status_code == 503
    assert read.json["code"] == "database_unavailable"
    assert set(read.json) >= {"code", "message", "message_zh", "errors"}
    assert read.headers["Retry-After"] == "1"

    assert client.get("/healthz").status_code == 200  # on a fresh connection
    assert kill_other_connections(pg_url) >= 1  # the health check is a read like any other
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["code"] == "database_unavailable"

    again = client.get(f"/api/cases/{case['id']}")
    assert again.status_code == 200
    completed = [e for e in again.json["timeline"] if e["type"] == "ItemApproved"]
    assert len(completed) == 1  # the write that started over was applied once
