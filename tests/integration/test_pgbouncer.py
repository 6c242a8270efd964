"""The engine behind PgBouncer in transaction mode (Debian's 1.18, started by the tests, see
bench/pgbouncer.py): its statements really go through the pooler; a server backend that dies under
it is the pooler's to replace, unseen by the engine; and prepared statements, which 1.18 cannot
carry from one server connection to the next, fail behind it unless turned off
(``Settings(prepared_statements=False)``, ONETHING_PREPARED_STATEMENTS=0).

What a transaction-mode pooler rules out, for whoever adds code: each transaction runs on whichever
server connection is free, so nothing may count on session state from one transaction to the next
(SET without LOCAL, LISTEN, session-level advisory locks, WITH HOLD cursors, temporary tables kept
past a commit, prepared statements before PgBouncer 1.21). The engine uses none of them: its
migration lock is ``pg_advisory_xact_lock``, held for the migration's one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, exc, text
from sqlalchemy.engine import make_url

from bench.pgbouncer import running_pgbouncer
from engine.bootstrap import OneThingEngine
from engine.persistence.database import make_engine
from engine.persistence.db_errors import sqlstate
from engine.services.cases import StartCase, start_case
from tests.conftest import APPLICANT, PG_URL, application
from tests.integration.test_concurrency import CLERK
from tests.integration.test_lost_connections import kill_other_connections, pooled_connection
from tests.pgbouncer import PgBouncer

pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    return "pgbouncer"


def direct(url: str) -> str:
    """``url``'s database reached directly, on TEST_DATABASE_URL's server."""
    server = make_url(str(PG_URL))
    return make_url(url).set(host=server.host, port=server.port).render_as_string(hide_password=False)


def transactions(bouncer: PgBouncer, database: str) -> int:
    """The transactions PgBouncer has passed to ``database`` so far."""
    (row,) = [s for s in bouncer.show("STATS") if s["database"] == database]
    return int(row["total_xact_count"])


def test_the_engine_reaches_postgresql_through_pgbouncer(
        engine: OneThingEngine, pgbouncer: PgBouncer, db_url: str) -> None:
    database = str(make_url(db_url).database)
    with engine.db.connect() as conn:
        peer = conn.execute(text("SELECT client_port FROM pg_stat_activity WHERE pid = pg_backend_pid()")).scalar()
    servers = [s for s in pgbouncer.show("SERVERS") if s["database"] == database]
    assert peer in {s["local_port"] for s in servers}  # the server's peer is one of PgBouncer's connections
    before = transactions(pgbouncer, database)
    for _ in range(3):
        start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx)
    assert transactions(pgbouncer, database) >= before + 3  # each intake at least one transaction through it


def test_a_server_backend_that_dies_behind_pgbouncer_is_replaced_by_the_pooler_unseen(
        engine: OneThingEngine, db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    first = pooled_connection(engine.db)
    assert kill_other_connections(direct(db_url)) >= 1  # PgBouncer's server connections to the database
    caplog.set_level(logging.INFO, logger="onething.transactions")
    started = start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx)
    assert int(started.resource_id) > 0
    assert pooled_connection(engine.db) is first  # the engine's connection to the pooler lived on
    assert caplog.records == []  # and no attempt failed: nothing was retried


@pytest.fixture
def lone_pgbouncer(db_url: str) -> Iterator[PgBouncer]:
    """A PgBouncer of its own, whose pool starts empty: which server connection serves whom is known."""
    with running_pgbouncer(direct(db_url), pool_size=2) as bouncer:
        yield bouncer


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "unprepared"])
def test_prepared_statements_fail_behind_pgbouncer_1_18_and_unprepared_ones_work(
        prepared: bool, lone_pgbouncer: PgBouncer, db_url: str) -> None:
    url = lone_pgbouncer.url(direct(db_url))
    engine = make_engine(url, pool_size=1, prepared_statements=prepared)
    statement = text("SELECT count(*) FROM pg_class WHERE relpages >= :pages")

    def run(db: Engine) -> int:
        with db.begin() as conn:  # committed: psycopg forgets its prepared statements at a rollback
            return int(conn.execute(statement, {"pages": 0}).scalar_one())

    try:
        for _ in range(10):  # one client alone: every transaction on the pool's one server connection,
            run(engine)      # where the driver prepares the statement once it has seen it often enough
        assert len(lone_pgbouncer.show("SERVERS")) == 1
        with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as holder:
            holder.execute("SELECT 1")  # an open transaction holds that server connection
            if prepared:
                with pytest.raises(exc.DBAPIError) as failed:
                    run(engine)  # on a second server connection, which never saw the statement prepared
                assert sqlstate(failed.value) == "26000"  # invalid_sql_statement_name: it does not exist there
            else:
                assert run(engine) > 0
            assert len(lone_pgbouncer.show("SERVERS")) == 2
            holder.rollback()
    finally:
        engine.dispose()
