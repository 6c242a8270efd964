"""What really travels between the engine and PostgreSQL: libpq's own trace of the protocol
messages (psycopg's ``pgconn.trace``), cut into round trips. A round trip is everything the
client sent before it waited for the server to say it is ready again (ReadyForQuery): a Sync in
pipeline mode, the end of a query otherwise."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

from psycopg import pq
from sqlalchemy import Engine, event

_MESSAGE = re.compile(r"^(?=[FB]\t\d+\t)", re.MULTILINE)
_PARSE = re.compile(r'Parse\t "([^"]*)" "(.*)" \d+', re.DOTALL)
_BIND = re.compile(r'Bind\t "[^"]*" "([^"]*)"')
_QUERY = re.compile(r'Query\t "(.*)"', re.DOTALL)


@dataclass
class _Traced:
    dbapi_connection: Any
    path: str = ""
    statements: dict[str, str] = field(default_factory=dict)  # a prepared statement's name -> its SQL
    pending: list[str] = field(default_factory=list)  # sent since the last ReadyForQuery


class WireTrace:
    """Traces every connection ``engine`` opens from now on (its pool is emptied first, so that
    every statement a connection prepares is seen being prepared)."""

    def __init__(self, engine: Engine) -> None:
        engine.dispose()
        self._traced: list[_Traced] = []
        self.trips: list[list[str]] = []

        @event.listens_for(engine, "connect")
        def _trace(dbapi_connection: Any, _record: Any) -> None:
            traced = _Traced(dbapi_connection)
            self._start(traced)
            self._traced.append(traced)

    def _start(self, traced: _Traced) -> None:
        fd, traced.path = tempfile.mkstemp(prefix="onething-wire-")
        traced.dbapi_connection.pgconn.trace(fd)
        traced.dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def round_trips(self) -> list[list[str]]:
        """The round trips completed since the last call (each: the SQL of the statements sent,
        a prepared one's as it was prepared), connection by connection. Call it while no
        connection is in use."""
        trips: list[list[str]] = []
        for traced in self._traced:
            if traced.dbapi_connection.closed:
                continue
            traced.dbapi_connection.pgconn.untrace()  # flushes what libpq buffered
            with open(traced.path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            os.unlink(traced.path)
            trips += self._cut(traced, text)
            self._start(traced)
        return trips

    def prepared_names(self) -> list[str]:
        """The names of the statements prepared on the traced connections (read by ``round_trips``)."""
        return [name for traced in self._traced for name in traced.statements]

    @staticmethod
    def _cut(traced: _Traced, text: str) -> list[list[str]]:
        trips = []
        parsed_now = ""  # the name of a statement prepared just now: its Bind is the same statement
        for message in _MESSAGE.split(text):
            if not message:
                continue
            direction, _, kind = message.split("\t", 3)[:3]
            if direction == "B":
                if kind == "ReadyForQuery":
                    trips.append(traced.pending)
                    traced.pending, parsed_now = [], ""  # a statement prepared alone runs in the next
                continue
            if kind == "Parse" and (parsed := _PARSE.search(message)):
                name, sql = parsed.groups()
                if name:
                    traced.statements[name] = sql
                traced.pending.append(sql)
                parsed_now = name
            elif kind == "Bind" and (bound := _BIND.search(message)):
                name = bound.group(1)
                if name and name != parsed_now:
                    traced.pending.append(traced.statements.get(name, f"<prepared {name}>"))
                parsed_now = ""
            elif kind == "Query" and (query := _QUERY.search(message)):
                traced.pending.append(query.group(1))
        return trips


def is_read(trip: list[str]) -> bool:
    """Whether a round trip carries a read (a write transaction's first one carries its BEGIN too)."""
    return any(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in trip)
