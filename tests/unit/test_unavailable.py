"""Which database errors mean "the database is down or dropped the connection" (answered 503,
retried by writes) and which do not."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.persistence.uow import is_unavailable


def test_a_refused_or_dropped_connection_is_unavailability() -> None:
    refused = OperationalError("SELECT 1", {}, Exception(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'))
    dropped = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    invalidated = DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_unavailable(refused) and is_unavailable(dropped) and is_unavailable(invalidated)


def test_other_database_errors_are_not() -> None:
    timeout = OperationalError("UPDATE cases", {}, Exception("canceling statement due to lock timeout"))
    duplicate = IntegrityError("INSERT", {}, Exception("duplicate key value violates unique constraint"))
    assert not is_unavailable(timeout)
    assert not is_unavailable(duplicate)
    assert not is_unavailable(ValueError("connection refused"))  # not a database error at all
