"""Writes sent together. On PostgreSQL the writes of a change whose outcome nobody reads at once
(a task's row, an item, the events, a new workflow state) wait on the connection and go to the
server in one round trip: with the COMMIT (wire.py), a statement whose row count is needed
(``execute_last``), or just before the next other statement, whichever comes first. The statements, their order and the
transaction are unchanged; only the round trips are fewer (each costs about 0.2 ms of CPU on the
server and the database together, and a completion made five of them).

Each statement is rendered as psycopg2 sends every statement anyway: its parameters interpolated
on the client as literals (literals.py, the driver's ``mogrify`` for other types), after
SQLAlchemy's bind processing (JSON columns encoded). The batch is one simple query of several
statements. On SQLite every write runs at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql import Insert, Select, Update

from engine.persistence import wire
from engine.persistence.literals import Template
from engine.persistence.prepared import STATEMENTS

_PENDING = "onething_pending_writes"
_PREPARED = "_onething_prepared_statements"  # on the dialect: whether the deferred writes go prepared
_RAW = {"no_parameters": True}  # the batch is final SQL: no parameter markers left to interpolate
# (statement, parameter names) -> compiled form. The statements are the repositories' constants,
# made once with bind parameters; the bound keeps a statement built per call from growing this.
_COMPILED: dict[tuple[Any, tuple[str, ...]], tuple[Any, Template]] = {}
_MAX_COMPILED = 512

Rows = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def batches(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def defer(conn: Connection, statement: Insert | Update | Select[Any], rows: Rows) -> None:
    """Write ``rows`` (one parameter dict or several) with ``statement``, now on SQLite, with the
    connection's next round trip on PostgreSQL. Nobody learns its row count: use it for writes
    that cannot miss (rows this transaction holds locked, or inserts)."""
    if not batches(conn):
        conn.execute(statement, rows if isinstance(rows, Mapping) else list(rows))
        return
    if not conn.in_transaction():
        conn.begin()  # as the write itself would: so that commit and rollback see it
    conn.info.setdefault(_PENDING, []).extend(_render(conn, statement, rows))


def execute_last(conn: Connection, statement: Insert | Update, params: Mapping[str, Any]) -> int:
    """Run ``statement`` after the deferred writes, in the same round trip; answers its row count
    (PostgreSQL reports the last statement's)."""
    pending = conn.info.get(_PENDING)  # only PostgreSQL defers
    if not pending:
        return conn.execute(statement, params).rowcount
    conn.info[_PENDING] = []
    sql = ";\n".join([*pending, *_render(conn, statement, params)])
    return conn.exec_driver_sql(sql, execution_options=_RAW).rowcount


def flush(conn: Connection) -> None:
    """Send the deferred writes now (every other statement does this first; the commit takes them along)."""
    pending = conn.info.pop(_PENDING, None)
    if pending:
        conn.exec_driver_sql(";\n".join(pending), execution_options=_RAW)


def discard(conn: Connection) -> None:
    """Forget the deferred writes (the transaction rolls back)."""
    if conn.invalidated:
        return  # the connection died, and its record's writes go with it (see ``_drop_on_checkin``)
    conn.info.pop(_PENDING, None)


def install(engine: Engine, prepared_statements: bool = True) -> None:
    """Keep a PostgreSQL engine's deferred writes in order: flushed before any other statement
    and before commit, dropped on rollback; sent prepared (``prepared_statements``) or as text."""
    engine.dialect.__dict__[_PREPARED] = prepared_statements  # shared by the engines derived from it

    @event.listens_for(engine, "before_execute")
    def _flush_first(conn: Connection, *_args: Any) -> None:
        if conn.info.get(_PENDING):
            flush(conn)

    @event.listens_for(engine, "commit")
    def _flush_before_commit(conn: Connection) -> None:
        # The last writes and the COMMIT of a write transaction in one round trip (wire.py).
        sql = wire.closing(conn.info, conn.info.pop(_PENDING, None) or [])
        if sql is None:
            return
        try:
            conn.exec_driver_sql(sql, execution_options=_RAW)
        except BaseException:
            # The commit fails with this error. SQLAlchemy counts the transaction as ended either
            # way, and the pool would not roll the server's transaction back: do it here.
            wire.roll_back(conn)
            raise

    @event.listens_for(engine, "rollback")
    def _drop_on_rollback(conn: Connection) -> None:
        discard(conn)

    @event.listens_for(engine.pool, "checkin")
    def _drop_on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_PENDING, None)  # never committed: the pool rolled its transaction back


def _render(conn: Connection, statement: Insert | Update | Select[Any], rows: Rows) -> list[str]:
    out = []
    fallback = _Mogrify(conn)
    prepare = conn.dialect.__dict__.get(_PREPARED, False)
    for row in [rows] if isinstance(rows, Mapping) else rows:
        compiled, template = _compiled(conn, statement, tuple(row))
        params = compiled.construct_params(row)
        processors = compiled._bind_processors
        if processors:
            params = {k: processors[k](v) if k in processors else v for k, v in params.items()}
        executed = STATEMENTS.literal_form(conn, compiled.string, params, fallback) if prepare else None
        out.append(executed if executed is not None else template.render(params, fallback))
    fallback.close()
    return out


class _Mogrify:
    """The driver's own adaptation, for a value of a type that literals.py does not write."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cursor: Any = None

    def __call__(self, value: Any) -> str:
        if self.cursor is None:
            self.cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        return str(self.cursor.mogrify("%s", (value,)).decode("utf-8"))

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()


def _compiled(conn: Connection, statement: Insert | Update | Select[Any],
              names: tuple[str, ...]) -> tuple[Any, Template]:
    key = (statement, names)
    known = _COMPILED.get(key)
    if known is None:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        if isinstance(statement, Insert):
            # SQLAlchemy fills Python-side column defaults in when it executes; a rendered
            # statement has no one to do that, so every such column must be given.
            missing = [c.key for c in statement.table.columns
                       if c.default is not None and c.key not in names]
            if missing:
                raise ValueError(f"a deferred insert must give {', '.join(missing)}")
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(names))
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a deferred statement cannot have expanding parameters (IN lists)")
        known = _COMPILED[key] = (compiled, Template(compiled.string))
    return known
