"""Engines and connections: SQLite by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

from engine.domain import jsoncodec
from engine.persistence import pipeline
from engine.persistence.pipeline import WRITE

# A pooled PostgreSQL connection idle for longer than this is pinged before use (see ``_ping_when_idle``).
IDLE_PING_SECONDS = 2.0
_IDLE_SINCE = "onething_idle_since"
# JSON columns are encoded and decoded by orjson (see jsoncodec), a good part of every write.
_JSON: dict[str, Any] = {"json_serializer": jsoncodec.dumps, "json_deserializer": jsoncodec.loads}
PREPARE_THRESHOLD = 2
"""psycopg prepares a statement on a connection once it has run this many times there (the driver's
``prepare_threshold``): a statement sent once, a rare report, is not worth preparing."""
PREPARED_MAX = 256
"""Prepared statements psycopg keeps per connection, the least recently used dropped first."""
POSTGRESQL_URLS = ("postgresql://", "postgres://", "postgresql+psycopg://")
"""The URL forms of PostgreSQL accepted: all three mean psycopg 3."""


class UnsupportedDatabaseUrl(ValueError):
    """A database URL whose driver the engine does not run on."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def postgresql_url(url: str) -> str | None:
    """``url`` as SQLAlchemy should see it if it names PostgreSQL: with psycopg 3 as its driver;
    None if it names another database. Another PostgreSQL driver is refused: the write path is built
    on psycopg's pipeline mode (pipeline.py)."""
    if url.startswith(POSTGRESQL_URLS):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+", "postgres+")):
        driver = url.split("://", 1)[0]
        raise UnsupportedDatabaseUrl(
            f"{driver}:// is not supported: use postgresql:// (psycopg 3), e.g. postgresql://user@host:5432/db")
    return None


def make_engine(url: str, pool_size: int = 10, idle_ping_seconds: float = IDLE_PING_SECONDS,
                prepared_statements: bool = True, connect_timeout: int | None = None) -> Engine:
    """Build the engine. On SQLite every write transaction starts with BEGIN IMMEDIATE.

    pysqlite's default deferred BEGIN takes the write lock only at the first write; two such
    transactions that both read a case first then fail with "database is locked" instead of
    waiting. BEGIN IMMEDIATE takes the lock up front, so the busy timeout makes writers queue.
    On PostgreSQL, ``prepared_statements`` lets psycopg prepare statements it sees repeatedly
    (protocol-level, ``prepare_threshold``); a pooler in transaction mode that cannot keep them
    (PgBouncer before 1.21) needs it off. ``connect_timeout`` (PostgreSQL, seconds): give up on a
    server that does not answer a connection attempt (libpq's own default: wait for the operating
    system, minutes for a host that is gone); a read replica's engine sets it, so that reads fall
    back to the primary soon (``engine.services.transactions.read_on_replica``).
    """
    pg_url = postgresql_url(url)
    if pg_url is not None:
        connect_args: dict[str, Any] = {"prepare_threshold": PREPARE_THRESHOLD if prepared_statements else None}
        if connect_timeout is not None:
            connect_args["connect_timeout"] = connect_timeout
        engine = create_engine(pg_url, pool_size=pool_size, max_overflow=pool_size, connect_args=connect_args, **_JSON)
        _ping_when_idle(engine, idle_ping_seconds)
        pipeline.install(engine)  # a change's BEGIN goes with its first read, its writes with its COMMIT

        @event.listens_for(engine, "connect")
        def _prepared_max(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.prepared_max = PREPARED_MAX

        @event.listens_for(engine, "checkout")
        def _transactional(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            # Whatever a unit of work left behind (``read_without_transaction``, a write's
            # autocommit in pipeline.py), every unit of work starts with a driver that wraps its
            # statements in a transaction. A connection given back inside a transaction (none
            # should be) is not handed out: the pool replaces it.
            if dbapi_connection.info.transaction_status != TransactionStatus.IDLE:
                raise exc.DisconnectionError("a pooled connection was still inside a transaction")
            dbapi_connection.autocommit = False
        return engine
    if not is_sqlite(url):
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, **_JSON)
        _ping_when_idle(engine, idle_ping_seconds)
        return engine

    memory = url in ("sqlite://", "sqlite:///:memory:")
    connect_args = {"timeout": 30, "check_same_thread": False}
    if memory:
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool, **_JSON)
    else:
        engine = create_engine(url, connect_args=connect_args, pool_size=pool_size, max_overflow=pool_size, **_JSON)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection at checkout without a round trip where possible. ``pool_pre_ping``
    pings at every checkout, a round trip per request; here a connection is pinged only when it has
    lain idle for ``idle_seconds``. A connection in steady use is checked by looking at its socket:
    an idle connection has nothing to read unless the server has closed it (a restart, a killed
    backend sends its farewell and hangs up). Either way a dead connection is replaced before anyone
    uses it. Should one die in the instant between that look and the first statement, SQLAlchemy
    drops every connection of the pool, a write transaction starts over (``in_transaction``) and a
    read answers 503 (``api.errors``)."""

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _hung_up(dbapi_connection):
            raise exc.DisconnectionError("the database server closed this connection")  # the pool takes another
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # outside any transaction (the dialect's own ping)
        except engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(str(err)) from err


def _hung_up(dbapi_connection: Any) -> bool:
    """Whether the server has written to (or closed) an idle connection: nobody asked it anything,
    so that can only be its notice of termination or the end of the stream."""
    if getattr(dbapi_connection, "closed", False):
        return True
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False  # a driver without a socket to look at: the idle ping alone guards it
    try:
        poller = select.poll()
        poller.register(fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except Exception:  # no socket to ask (the driver raises its own error): it is gone
        return True


def _kept(engine: Engine, key: str, make: Callable[[], Engine]) -> Engine:
    """An engine derived from ``engine`` with ``make``, made once and kept on it (units of work ask
    for it every time)."""
    derived = engine.__dict__.get(key)
    if derived is None:
        derived = engine.__dict__[key] = make()
    return derived


def snapshot_reader(engine: Engine) -> Engine:
    """The engine for reads that must all see one moment: REPEATABLE READ on PostgreSQL (a
    server-side cursor needs a transaction too); SQLite's read transaction already reads one
    snapshot throughout."""
    if is_sqlite(str(engine.url)):
        return engine
    return _kept(engine, "_onething_snapshot_reader",
                 lambda: engine.execution_options(isolation_level="REPEATABLE READ"))


def read_without_transaction(conn: Connection, on: bool) -> None:
    """On PostgreSQL, let a read-only unit of work's statements run in autocommit (``on``) or end
    that (before the connection goes back to the pool). Under READ COMMITTED every statement reads
    its own snapshot anyway, so a transaction around reads adds nothing but its BEGIN and ROLLBACK:
    two round trips per read. The driver's own autocommit flag is set (psycopg's public attribute),
    which sends nothing."""
    if conn.dialect.name == "postgresql":
        conn.connection.dbapi_connection.autocommit = on  # type: ignore[union-attr]


def writer(engine: Engine) -> Engine:
    """The same engine, marked so that SQLite transactions begin IMMEDIATE."""
    return _kept(engine, "_onething_writer", lambda: engine.execution_options(**{WRITE: True}))
