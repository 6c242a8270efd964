"""Write transactions on PostgreSQL in psycopg's pipeline mode: the driver sends statements without
waiting for each answer, and reads the answers when asked to (a sync). A change of a case then
costs two round trips: its BEGIN travels with the first read (the locking SELECT), and its writes
travel with the COMMIT.

What waits for the next sync is only what the caller marks ``UNREAD`` (``defer``): a write whose
row count nobody reads, whose failure may surface with the COMMIT. Every other statement is synced
at once, so that SQLAlchemy finds its rows, its row count, its error, as without a pipeline.

The transaction is written out: the connection is in the driver's autocommit mode and ``BEGIN``
is queued ahead of the first statement (psycopg's own BEGIN is synced alone, a round trip of its
own). ``COMMIT`` is queued after the last write and sent when the pipeline is left, which syncs it.
On rollback the pipeline is left (its queued writes and errors dropped) and the driver rolls back.
SQLite runs every statement at once, through the same calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExecutionContext
from sqlalchemy.sql import Executable

WRITE = "onething_write"
"""The execution option of write transactions (``database.writer``)."""
UNREAD = "onething_unread"
"""The execution option of a statement whose answer nobody reads: it waits for the next sync."""
_CLOSING = "onething_closing"  # the COMMIT: sent with the pipeline's last sync
_BEGIN = "onething_begin_pending"  # on a pooled connection's info: BEGIN still to be queued
_PIPELINE = "onething_pipeline"  # on a pooled connection's info: the open pipeline (``_Open``)

Rows = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def defer(conn: Connection, statement: Executable, rows: Rows) -> None:
    """Write ``rows`` (one parameter dict or several) with ``statement``: at once on SQLite, with the
    next sync on PostgreSQL. Nobody learns its row count; a failure surfaces at the latest with the
    COMMIT. For writes that cannot miss (rows this transaction holds locked, inserts). An INSERT must
    be ``inline()``: otherwise SQLAlchemy asks for a new row's key back, an answer needed at once."""
    params = [rows] if isinstance(rows, Mapping) else list(rows)
    if params:
        conn.execute(statement, params, execution_options={UNREAD: True})


def install(engine: Engine) -> None:
    """Run the write transactions of a psycopg engine in pipeline mode."""

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE, False):
            _dbapi(conn).autocommit = True  # BEGIN and COMMIT are ours to send (see above)
            conn.info[_BEGIN] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _open(conn: Connection, cursor: Any, _statement: str, _parameters: Any, _context: Any,
              _executemany: bool) -> None:
        if conn.info.pop(_BEGIN, False):
            stack = contextlib.ExitStack()
            conn.info[_PIPELINE] = _Open(stack, stack.enter_context(_dbapi(conn).pipeline()))
            cursor.execute("BEGIN")  # queued ahead of the statement, answered with it

    @event.listens_for(engine, "after_cursor_execute")
    def _sync(conn: Connection, _cursor: Any, _statement: str, _parameters: Any,
              context: ExecutionContext, _executemany: bool) -> None:
        opened = conn.info.get(_PIPELINE)
        if opened is None:
            return
        options = context.execution_options
        if options.get(_CLOSING, False):
            del conn.info[_PIPELINE]
            try:
                opened.stack.close()  # leaving the pipeline sends the COMMIT with the writes still queued
            except Exception:
                # A queued write failed, and the server skipped the COMMIT after it: the transaction
                # is still open, aborted. End it before the error goes on (the pool would take the
                # failed commit for the end of the transaction and hand the connection out again).
                _dbapi(conn).rollback()
                raise
        elif not options.get(UNREAD, False):
            opened.pipeline.sync()  # the answer is read now: rows, row count or error

    @event.listens_for(engine, "commit")
    def _commit(conn: Connection) -> None:
        if conn.info.pop(_BEGIN, False):
            return  # nothing was sent: nothing to commit
        if _PIPELINE in conn.info:
            conn.exec_driver_sql("COMMIT", execution_options={_CLOSING: True})
        # The driver's own commit that follows finds no transaction open and sends nothing.

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Connection) -> None:
        if conn.invalidated:
            return  # the connection is gone, its pipeline with it (see ``_fresh``)
        conn.info.pop(_BEGIN, None)
        abandon(conn.info)
        # The driver's own rollback follows: ROLLBACK if the server holds the transaction open.

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_BEGIN, None)  # left by the connection this one replaces
        record.info.pop(_PIPELINE, None)

    @event.listens_for(engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        if record is not None:  # a connection given back with its transaction never ended
            record.info.pop(_BEGIN, None)
            abandon(record.info)


def abandon(info: dict[str, Any]) -> None:
    """Leave the pipeline without reading what it answers: the transaction is being rolled back,
    and an error of its queued writes changes nothing about that."""
    opened = info.pop(_PIPELINE, None)
    if opened is not None:
        with contextlib.suppress(Exception):
            opened.stack.close()


@dataclass(frozen=True)
class _Open:
    stack: contextlib.ExitStack
    """Leaves the pipeline when closed (the driver's own context manager, entered)."""
    pipeline: Any


def _dbapi(conn: Connection) -> Any:
    return conn.connection.dbapi_connection
