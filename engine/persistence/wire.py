"""Write transactions on PostgreSQL that cost no round trips of their own. psycopg2 sends BEGIN by
itself before a transaction's first statement, and COMMIT by itself at the end: of a completion's
four round trips (BEGIN, the locking read, the writes, COMMIT) two carried nothing else, and each
round trip costs about 0.1 ms of CPU on the server and as much in the database.

A write transaction's connection (the engine marked by ``database.writer``) is put in the driver's
autocommit mode, and the transaction is written out instead: BEGIN goes in front of its first
statement, COMMIT after its last writes (batch.py), in the same round trips. The statements and the
transaction are the same as before; only when they travel changes. When the transaction ends any
other way, ROLLBACK is sent, and a connection that goes back to the pool with a transaction still
open on the server (none should) is rolled back there or dropped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event

WRITE = "onething_write"  # the execution option of write transactions (see ``database.writer``)
_BEGIN = "onething_begin_pending"  # on a pooled connection's info: BEGIN not sent yet
_OPEN = "onething_open"  # BEGIN sent: the server holds the transaction open


def install(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _lazily(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE, False):
            conn.connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
            conn.info[_BEGIN] = True

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Connection) -> None:
        roll_back(conn)

    @event.listens_for(engine.pool, "checkin")
    def _closed_on_checkin(dbapi_connection: Any, record: Any) -> None:
        if record is None or dbapi_connection is None:
            return
        try:
            abandon(record.info, dbapi_connection)
        except Exception as err:  # the connection is broken: the pool must not hand it out again
            record.invalidate(err)


def opening(info: dict[str, Any], statement: str) -> str:
    """``statement`` as the transaction's next round trip should carry it: with BEGIN in front if
    it is the first."""
    if info.pop(_BEGIN, False):
        info[_OPEN] = True
        return "BEGIN;\n" + statement
    return statement


def begin_alone(info: dict[str, Any], dbapi_connection: Any) -> None:
    """Send a pending BEGIN in a round trip of its own: for a statement that cannot carry it (a
    server-side cursor's, which the driver wraps in DECLARE; one run for many parameter sets)."""
    if info.pop(_BEGIN, False):
        info[_OPEN] = True
        _send(dbapi_connection, "BEGIN")


def closing(info: dict[str, Any], pending: list[str]) -> str | None:
    """The commit's round trip: the writes still ``pending``, and COMMIT if BEGIN went out (or
    goes with them). ``None`` when there is nothing to send."""
    if info.pop(_BEGIN, False):
        return ";\n".join(["BEGIN", *pending, "COMMIT"]) if pending else None
    if info.pop(_OPEN, False):
        return ";\n".join([*pending, "COMMIT"])
    return ";\n".join(pending) if pending else None


def roll_back(conn: Connection) -> None:
    """``abandon`` the connection's transaction; a connection found lost is invalidated (the pool
    replaces it)."""
    if conn.invalidated:
        return
    try:
        abandon(conn.info, conn.connection.dbapi_connection)
    except conn.dialect.loaded_dbapi.Error as err:
        conn.invalidate(err)


def abandon(info: dict[str, Any], dbapi_connection: Any) -> None:
    """End the transaction without committing: ROLLBACK if the server holds one open (in the
    driver's own mode, the driver's rollback)."""
    info.pop(_BEGIN, None)
    info.pop(_OPEN, None)
    if not dbapi_connection.autocommit:
        dbapi_connection.rollback()
    elif dbapi_connection.get_transaction_status() != _IDLE:
        _send(dbapi_connection, "ROLLBACK")


def in_transaction(dbapi_connection: Any) -> bool:
    """Whether the server holds a transaction open on the connection, or the driver will open one
    with the next statement."""
    return not dbapi_connection.autocommit or dbapi_connection.get_transaction_status() != _IDLE


_IDLE = 0  # psycopg2.extensions.TRANSACTION_STATUS_IDLE


def _send(dbapi_connection: Any, sql: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()
