"""A database server that restarts under a running engine (PostgreSQL). A pooled connection is
pinged before use only when it has lain idle (a busy server spares the round trip); a dead one is
replaced before anyone uses it. A connection that dies between two requests fails its first
statement: a write then starts over on a fresh connection and succeeds, a read answers 503 in the
API's error shape, and the next request is served.

Behind PgBouncer (backend "pgbouncer") the engine's connections are the pooler's clients: a server
backend that dies is the pooler's to replace (test_pgbouncer.py), and what the engine meets is the
pooler dropping its clients, as a pooler restart does (the admin console's KILL, then RESUME)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.bootstrap import OneThingEngine
from engine.persistence import database
from engine.persistence.database import make_engine
from engine.persistence.migrate import upgrade
from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS, backend_of, case_body
from tests.pgbouncer import PgBouncer

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["postgres", "pgbouncer"])
def backend(request: pytest.FixtureRequest) -> str:
    return backend_of(request)  # connections dying under the pool are a server's (or pooler's) matter: no SQLite


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


def drop_pooler_clients(bouncer: PgBouncer, database: str) -> int:
    """Drop every client connection PgBouncer holds to ``database`` (and its server connections),
    as a restart of the pooler would; answers how many clients it dropped. KILL leaves the database
    paused; RESUME lets new clients in."""
    clients = [c for c in bouncer.show("CLIENTS") if c["database"] == database]
    bouncer.console(f'KILL "{database}"')
    bouncer.console(f'RESUME "{database}"')
    time.sleep(0.1)  # the closed sockets reach the engine's side
    return len(clients)


@pytest.fixture
def hang_up(backend: str, pg_url: str, request: pytest.FixtureRequest) -> Callable[[], int]:
    """What a restart does to the engine's connections; answers how many it cut: the server's
    backends (postgres), or the pooler's client connections, which are the engine's (pgbouncer)."""
    if backend == "pgbouncer":
        return partial(drop_pooler_clients, request.getfixturevalue("pgbouncer"), pg_url.rpartition("/")[2])
    return partial(kill_other_connections, pg_url)


def pooled_connection(engine: Engine) -> Any:
    """The driver's connection the pool hands out next (the same object while the pool keeps it)."""
    with engine.connect() as conn:
        return conn.connection.dbapi_connection


@pytest.fixture
def pings(pg_url: str, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, list[Any]]]:
    """An engine whose connections count as idle after 50 ms, and the pings it sends."""
    upgrade(pg_url)
    engine = make_engine(pg_url, pool_size=1, idle_ping_seconds=0.05, prepared_statements=backend != "pgbouncer")
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
    first = pooled_connection(engine)
    for _ in range(5):
        assert pooled_connection(engine) is first  # the same pooled connection, handed out at once
    assert sent == []


def test_an_idle_connection_is_pinged_and_used(pings: tuple[Engine, list[Any]]) -> None:
    engine, sent = pings
    first = pooled_connection(engine)
    time.sleep(0.1)
    assert pooled_connection(engine) is first  # alive: pinged, then used
    assert len(sent) == 1


def test_a_connection_the_server_closed_is_replaced_at_checkout_without_a_ping(
        pings: tuple[Engine, list[Any]], hang_up: Callable[[], int]) -> None:
    engine, sent = pings
    first = pooled_connection(engine)
    assert hang_up() == 1
    assert pooled_connection(engine) is not first  # its socket told: a new connection, and no error
    assert sent == []


def test_a_silently_dead_idle_connection_fails_its_ping_and_is_replaced(
        pings: tuple[Engine, list[Any]], hang_up: Callable[[], int], monkeypatch: pytest.MonkeyPatch) -> None:
    engine, sent = pings
    monkeypatch.setattr(database, "_hung_up", lambda _connection: False)  # as if no farewell arrived
    first = pooled_connection(engine)
    assert hang_up() == 1
    assert pooled_connection(engine) is not first
    assert len(sent) == 1  # the one ping, which failed


def test_a_connection_dead_before_its_first_statement_restarts_a_write_and_fails_a_read_with_503(
        hang_up: Callable[[], int], engine: OneThingEngine, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    started = client.post("/api/cases", json=case_body(client), headers=CLERK)
    assert started.status_code == 201, started.json
    case = started.json
    task = next(t for t in case["open_tasks"] if t["department"] == "wj")  # open from acceptance
    assert client.get("/api/tasks?department=wj", headers=REVIEWERS["wj"]).status_code == 200  # logged in
    monkeypatch.setattr(database, "_hung_up", lambda _connection: False)  # it dies after the look

    assert hang_up() >= 1  # the pool's connection was used a moment ago: no ping
    done = client.post(f"/api/tasks/{task['id']}/complete", json=approval(task), headers=REVIEWERS["wj"])
    assert done.status_code == 200, done.json  # the first attempt failed on the dead connection

    assert hang_up() >= 1
    read = client.get(f"/api/cases/{case['id']}")
    assert read.status_code == 503
    assert read.json["code"] == "database_unavailable"
    assert set(read.json) >= {"code", "message", "message_zh", "errors"}
    assert read.headers["Retry-After"] == "1"

    assert client.get("/healthz").status_code == 200  # on a fresh connection
    assert hang_up() >= 1  # the health check is a read like any other
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["code"] == "database_unavailable"

    again = client.get(f"/api/cases/{case['id']}")
    assert again.status_code == 200
    completed = [e for e in again.json["timeline"] if e["type"] == "ItemApproved"]
    assert len(completed) == 1  # the write that started over was applied once
