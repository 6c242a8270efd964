"""Server-side prepared statements on PostgreSQL. psycopg2 sends every statement as text, which the
server parses, analyses and plans again each time: in the engine bench that was about two fifths
of PostgreSQL's CPU. A statement the process has sent before is prepared once per connection
(``PREPARE``) and from then on sent as ``EXECUTE name(values)``, whose parsing costs next to nothing
and whose plan the server keeps. Results, row counts and errors are the statement's own.

Statements go through ``execute_form`` (SQLAlchemy's statements, values still interpolated by
psycopg2) or ``literal_form`` (the deferred-write batch, values written by literals.py). A
statement the server cannot prepare (it cannot tell a parameter's type, say) is remembered and sent
as text; the failed attempt is undone by a savepoint, so that the transaction goes on unharmed.
A prepared statement outlives a rollback; a new connection starts with none.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, exc

from engine.persistence.literals import Template
from engine.persistence.wire import in_transaction

_NAMES = "onething_prepared"  # on a pooled connection's info: the statements prepared on it
# A statement is prepared once it has been sent this many times by the process: one sent once
# (a rare report) is not worth a PREPARE round trip on every connection.
THRESHOLD = 2
# Prepared statements per connection; past this the connection forgets them all (DEALLOCATE ALL).
PER_CONNECTION = 256
_KNOWN_MAX = 4096  # statements this process keeps track of; past this it starts counting afresh
_EXECUTE = re.compile(r"EXECUTE (onething_\d+)\((?:[^')]|'(?:[^']|'')*')*\)")
_PREPARABLE = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


class _Statement:
    __slots__ = ("arguments", "execute_sql", "name", "prepare_sql", "refused", "seen")

    def __init__(self, number: int, sql: str) -> None:
        template = Template(sql)
        order = list(dict.fromkeys(template.names))  # each name once, first use first
        index = {name: i for i, name in enumerate(order, 1)}
        body = [template.texts[0]]
        for i, name in enumerate(template.names, 1):
            body += [f"${index[name]}", template.texts[i]]
        self.name = f"onething_{number}"
        self.prepare_sql = f"PREPARE {self.name} AS {''.join(body)}"
        # psycopg2 writes the values into the first form, literals.py into the second.
        self.execute_sql = f"EXECUTE {self.name}({', '.join(f'%({name})s' for name in order)})"
        self.arguments = Template(self.execute_sql)
        self.seen = 0
        self.refused = False


class PreparedStatements:
    """What this process knows of its statements: how often each was sent, its name, whether the
    server refused it."""

    def __init__(self) -> None:
        self._known: dict[str, _Statement] = {}
        self._by_name: dict[str, str] = {}  # a statement's name -> its SQL (see ``expand``)
        self._lock = threading.Lock()
        self._numbers = 0

    def _statement(self, sql: str) -> _Statement | None:
        known = self._known.get(sql)
        if known is None:
            if ";" in sql or "%(" not in sql or not _PREPARABLE.match(sql):
                return None  # several statements, none with values, or not a plain statement
            with self._lock:
                known = self._known.get(sql)
                if known is None:
                    if len(self._known) >= _KNOWN_MAX:
                        self._known.clear()  # names are not reused: connections keep theirs apart
                        self._by_name.clear()
                    self._numbers += 1
                    known = self._known[sql] = _Statement(self._numbers, sql)
                    self._by_name[known.name] = sql
        known.seen += 1
        return None if known.refused or known.seen < THRESHOLD else known

    def expand(self, sent: str) -> str:
        """``sent`` with each EXECUTE of a prepared statement shown as that statement's SQL (its
        values left out): what a log or a test reads."""
        return _EXECUTE.sub(lambda m: self._by_name.get(m.group(1), m.group(0)), sent)

    def execute_form(self, dbapi_connection: Any, info: dict[str, Any], sql: str) -> str:
        """``sql`` (psycopg2's markers) as the connection should send it: EXECUTE once prepared."""
        statement = self._statement(sql)
        if statement is None or not self._ensure(dbapi_connection, info, statement):
            return sql
        return statement.execute_sql

    def literal_form(self, conn: Connection, sql: str, params: Mapping[str, Any],
                     fallback: Callable[[Any], str]) -> str | None:
        """``sql`` with ``params`` written in as EXECUTE once prepared; ``None`` if it is not. The
        PREPARE goes on the driver's own cursor (SQLAlchemy's would send the deferred writes ahead
        of it): a driver error is raised as SQLAlchemy raises it, a lost connection invalidated."""
        statement = self._statement(sql)
        if statement is None:
            return None
        pooled = conn.connection
        try:
            prepared = self._ensure(pooled.dbapi_connection, pooled.info, statement)
        except conn.dialect.loaded_dbapi.Error as err:
            raise _as_sqlalchemy_raises(conn, err, statement.prepare_sql) from err
        return statement.arguments.render(params, fallback) if prepared else None

    def _ensure(self, dbapi_connection: Any, info: dict[str, Any], statement: _Statement) -> bool:
        names: set[str] = info.setdefault(_NAMES, set())
        if statement.name in names:
            return True
        cursor = dbapi_connection.cursor()
        try:
            if len(names) >= PER_CONNECTION:
                cursor.execute("DEALLOCATE ALL")
                names.clear()
            # In a transaction (psycopg2 begins one first unless in autocommit; wire.py may have
            # begun one) a failed PREPARE would abort it: a savepoint around it, in the same round
            # trip, undoes the failure.
            guarded = in_transaction(dbapi_connection)
            try:
                cursor.execute(f"SAVEPOINT onething_prepare; {statement.prepare_sql}; "
                               "RELEASE SAVEPOINT onething_prepare" if guarded else statement.prepare_sql)
            except _refusals(dbapi_connection):
                if guarded:
                    cursor.execute("ROLLBACK TO SAVEPOINT onething_prepare")
                statement.refused = True
                return False
        finally:
            cursor.close()
        names.add(statement.name)
        return True


def _as_sqlalchemy_raises(conn: Connection, err: Exception, sql: str) -> Exception:
    lost = conn.dialect.is_disconnect(err, conn.connection.dbapi_connection, None)  # type: ignore[arg-type]
    if lost:
        conn.invalidate(err)
    return exc.DBAPIError.instance(sql, None, err, conn.dialect.loaded_dbapi.Error,
                                   connection_invalidated=lost, dialect=conn.dialect)


def _refusals(dbapi_connection: Any) -> tuple[type[Exception], ...]:
    """What the server answers to a statement it cannot prepare (not a lost connection)."""
    return (dbapi_connection.ProgrammingError, dbapi_connection.DataError, dbapi_connection.NotSupportedError)


STATEMENTS = PreparedStatements()
