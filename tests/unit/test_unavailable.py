"""Which database errors mean "the database is down or dropped the connection" (answered 503,
retried by writes) and which do not."""

from __future__ import annotations

import psycopg
from psycopg import errors
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.persistence.db_errors import is_unavailable


def test_a_refused_or_dropped_connection_is_unavailability() -> None:
    # libpq's errors (psycopg's base OperationalError, no SQLSTATE) and the server's shutdown (57P01)
    refused = OperationalError("SELECT 1", {}, psycopg.OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'))
    dropped = OperationalError("SELECT 1", {}, errors.AdminShutdown("terminating connection"))
    invalidated = DBAPIError("SELECT 1", {}, psycopg.InterfaceError("gone"), connection_invalidated=True)
    assert is_unavailable(refused) and is_unavailable(dropped) and is_unavailable(invalidated)


def test_other_database_errors_are_not() -> None:
    timeout = OperationalError("UPDATE cases", {}, errors.LockNotAvailable("canceling statement due to lock timeout"))
    duplicate = IntegrityError("INSERT", {}, errors.UniqueViolation("connection refused"))  # the words decide nothing
    assert not is_unavailable(timeout)
    assert not is_unavailable(duplicate)
    assert not is_unavailable(ValueError("connection refused"))  # not a database error at all
