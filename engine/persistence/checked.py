"""A case is written back only if its version is still the one read (compare-and-swap), and the
database itself says when it is not: the UPDATE's condition calls ``onething_expect_version``,
which fails the statement unless the row's version is the one expected. The UPDATE then needs no
answer read at once (its row count), and waits for the COMMIT with the other writes (pipeline.py):
one round trip less for every change of a case. The same statement runs on both databases: on
PostgreSQL the function is SQL (migration 0023) and fails with a serialization failure (40001); on
SQLite it is registered on each connection (``register_on_sqlite``). Either way the failure reaches
the caller as ``ConcurrentUpdate`` (``install``).

The function is only asked about the row the UPDATE's key found (its other condition is cheaper and
goes first); a key that finds no row is not checked: cases are never deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, event, func
from sqlalchemy.engine import ExceptionContext

from engine.domain.errors import ConcurrentUpdate
from engine.persistence.db_errors import SERIALIZATION_FAILURE, sqlstate

FUNCTION = "onething_expect_version"
_STALE = "onething_stale_version"  # on a pooled SQLite connection's info: the check that failed


def expect_version(column: Any, expected: Any) -> ColumnElement[bool]:
    """The condition that ``column`` holds ``expected``, failing the statement when it does not."""
    check: ColumnElement[bool] = getattr(func, FUNCTION)(column, expected).is_(True)
    return check


def register_on_sqlite(dbapi_connection: Any, info: dict[str, Any]) -> None:
    """Define the function on a new SQLite connection; a failed check is noted on ``info`` (the
    pooled connection's), since SQLite reports any error raised in a function by one message."""

    def check(found: int, expected: int) -> bool:
        if found != expected:
            info[_STALE] = (found, expected)
            raise ValueError(f"version {found}, expected {expected}")
        return True

    dbapi_connection.create_function(FUNCTION, 2, check, deterministic=False)


def install(engine: Engine) -> None:
    """Raise ``ConcurrentUpdate`` for a failed check wherever it surfaces: at the UPDATE on SQLite;
    on PostgreSQL with whatever statement next reads the pipeline's answers, at the latest the
    COMMIT. On PostgreSQL any serialization failure (40001) means the same: a concurrent
    transaction changed what this one read, and the use case runs again on a fresh read."""

    @event.listens_for(engine, "handle_error")
    def _as_concurrent_update(context: ExceptionContext) -> None:
        stale = context.connection.info.pop(_STALE, None) if context.connection is not None else None
        if stale is not None:
            raise ConcurrentUpdate(f"the row changed since it was read: version {stale[0]}, "
                                   f"expected {stale[1]}") from context.sqlalchemy_exception
        if sqlstate(context.original_exception) == SERIALIZATION_FAILURE:
            raise ConcurrentUpdate(f"{SERIALIZATION_FAILURE} {context.original_exception}".strip()) \
                from context.sqlalchemy_exception
