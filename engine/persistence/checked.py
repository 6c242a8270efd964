"""An UPDATE that must match exactly one row, checked by PostgreSQL itself. A case is written back
only if its version is still the one read (compare-and-swap); the row count says whether it was,
so the UPDATE had to travel alone, its answer awaited before the COMMIT could go. Here the server
counts: ``onething_expect_one`` (migration 0014) fails the transaction, with a serialization
failure, when the count is not one. The write can then wait with the other deferred writes and go
with the COMMIT (batch.py, wire.py): one round trip less for every change of a case. A failed check
reaches the caller as ``ConcurrentUpdate`` (``changed_meanwhile``), as a missed row count did.
"""

from __future__ import annotations

from sqlalchemy import Select, Update, bindparam, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.selectable import CTE

from engine.persistence.db_errors import SERIALIZATION_FAILURE, sqlstate

FUNCTION = "onething_expect_one"
MESSAGE = "onething: the row changed since it was read"
# FUNCTION and MESSAGE are as migration 0014 creates them, with SQLSTATE 40001 (serialization_failure:
# what a concurrent change of the same row is).


def expect_one(statement: Update, columns: list[str], *ctes: CTE) -> Select[tuple[int]]:
    """``statement`` writing ``columns`` (each from the bind parameter of its name), as a SELECT
    that fails unless it matched one row; ``ctes`` (other writes) go in the same WITH clause."""
    table = statement.table
    changed = (statement.values({name: bindparam(name) for name in columns})
               .returning(table.primary_key.columns[0]).cte("onething_changed"))  # type: ignore[attr-defined]
    query = select(getattr(func, FUNCTION)(func.count())).select_from(changed)
    return query.add_cte(*ctes) if ctes else query


def changed_meanwhile(err: BaseException) -> bool:
    """Whether ``err`` is a failed ``expect_one`` check, or any other serialization failure: known
    by its SQLSTATE alone, not by ``MESSAGE``. Under READ COMMITTED, which writes run in, the check
    is what raises 40001; should anything else, it too means that a concurrent transaction changed
    what this one read, and the unit of work runs again on a fresh read all the same."""
    return isinstance(err, DBAPIError) and sqlstate(err) == SERIALIZATION_FAILURE
