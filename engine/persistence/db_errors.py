"""Which database errors are worth running the transaction again for, and why: by the error's code,
never by its message text (which changes with the server's version and language).

Retried: a serialization failure (40001: a concurrent change of the same row), a deadlock
(40P01), a lock not granted in time (55P03), the server shutting down or refusing connections for
now (57P01, 57P02, 57P03), a connection lost or not made (class 08, SQLAlchemy's
``connection_invalidated``, or the driver's base OperationalError, which carries no SQLSTATE:
libpq's own errors about the connection, which the server never sent), and
SQLite's busy or locked database (SQLITE_BUSY, SQLITE_LOCKED).

A unique violation (23505) is retried only on a key named in ``RACED_KEYS``, where a concurrent
transaction may insert the same key first and the retry then finds its row. Every other integrity
error is a bug and surfaces at once. SQLite names no constraint in its errors; it needs none:
its write transactions queue (BEGIN IMMEDIATE), so no insert there races another.

SQLSTATEs come from psycopg's ``sqlstate`` (each of its error classes carries its code, so one
made by hand is known too). SQLite's codes (``sqlite_errorcode``) are on ``sqlite3.Error`` from Python 3.11, which the
project requires; on an older Python a busy SQLite error would surface unretried.
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError

SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
LOCK_NOT_AVAILABLE = "55P03"
UNIQUE_VIOLATION = "23505"
CONTENTION = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE})
"""Another transaction held or changed what this one needed: run again, it may pass."""
SHUTDOWN = frozenset({"57P01", "57P02", "57P03"})  # admin_shutdown, crash_shutdown, cannot_connect_now
CONNECTION_CLASS = "08"  # connection_exception and its subclasses
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

RACED_KEYS: dict[str, str] = {
    "pk_idempotency_keys": "one Idempotency-Key sent twice at once: the retry replays the first request's answer",
    "uq_users_login": "one login created twice at once (demo users seeded by several processes starting, "
                      "two administrators): the retry finds the user",
    "pk_bundles": "several processes deploying the shipped flows at start: the retry finds the bundle",
    "uq_flow_versions_bundle_code_version": "two deployments numbering a bundle's next version at once: "
                                            "the retry finds the flow stored or numbers the one after",
    "pk_shipped_data": "a shipped data file stored by two deploying processes at once (delete, then insert)",
    "pk_catalogue_entries": "the catalogue deployed by several processes at start: the retry finds the entries",
    "pk_calendar_overrides": "one day's calendar override set twice at once (delete, then insert)",
    "pk_calendar_years": "one year's calendar confirmed twice at once (delete, then insert)",
}
"""Constraints whose violation means "a concurrent transaction inserted this key first", each with
who inserts it at once and what the retry then finds. These inserts check for the row first, in the
same transaction (``idempotent``, ``create_user``, ``deploy_shipped_flows``, ``deploy_catalogue``,
the calendar's delete-then-insert): under READ COMMITTED the check cannot see a row not yet
committed, the retry can. A unique violation of any other constraint is a bug."""


def driver_error(err: BaseException) -> BaseException:
    """The driver's own exception behind a SQLAlchemy one (``err`` itself if there is none)."""
    orig = err.orig if isinstance(err, DBAPIError) else None
    return orig if isinstance(orig, BaseException) else err


def sqlstate(err: BaseException) -> str | None:
    """The SQLSTATE PostgreSQL sent with ``err``."""
    code = getattr(driver_error(err), "sqlstate", None)
    return code if isinstance(code, str) else None


def constraint_name(err: BaseException) -> str | None:
    """The constraint PostgreSQL names in ``err``'s diagnostics."""
    diag = getattr(driver_error(err), "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None


def sqlite_code(err: BaseException) -> int | None:
    """SQLite's primary result code of ``err`` (its extended code's low byte), if SQLite raised it."""
    orig = driver_error(err)
    code = getattr(orig, "sqlite_errorcode", None) if isinstance(orig, sqlite3.Error) else None
    return code & 0xFF if isinstance(code, int) else None


def is_unavailable(err: BaseException) -> bool:
    """The database could not be reached, or dropped the connection (a restart, a killed backend)."""
    code = sqlstate(err)
    if code is not None:  # the server's word: SQLAlchemy's own check, by message, may say otherwise
        return code in SHUTDOWN or code.startswith(CONNECTION_CLASS)
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True  # e.g. the driver's InterfaceError on a connection already closed
    # libpq's own errors (connection refused, server closed the connection) have no SQLSTATE: only
    # the server sends one. psycopg raises them as its base OperationalError, where every error the
    # server sent is of a subclass for its code.
    return type(driver_error(err)) is psycopg.OperationalError


def retry_cause(err: BaseException) -> str | None:
    """Why running ``err``'s transaction again may succeed, for the log (a SQLSTATE, with the
    constraint of a raced key; SQLite's code name; "connection lost"); None when it would not."""
    if not isinstance(err, DBAPIError):
        return None
    if is_unavailable(err):
        return sqlstate(err) or "connection lost"
    code = sqlstate(err)
    if code in CONTENTION:
        return code
    if code == UNIQUE_VIOLATION and constraint_name(err) in RACED_KEYS:
        return f"{code} {constraint_name(err)}"
    if sqlite_code(err) in (SQLITE_BUSY, SQLITE_LOCKED):
        return str(getattr(driver_error(err), "sqlite_errorname", "SQLITE_BUSY"))
    return None


def is_transient(err: BaseException) -> bool:
    """Whether the same transaction, run again, may succeed (see ``retry_cause``)."""
    return retry_cause(err) is not None

