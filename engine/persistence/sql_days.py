"""Asia/Shanghai days in SQL, the same on PostgreSQL and SQLite: the instant a due day ends, the day
of an instant, the instant a day begins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Date, DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from engine.domain.clocks import SHANGHAI


class deadline_of(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it compiles to
    """The instant a due day (a ``Date`` read in Asia/Shanghai) ends, in UTC: the next day's 00:00 in
    Shanghai is 16:00 UTC of the due day (China keeps UTC+8 all year, without daylight saving)."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(deadline_of, "sqlite")
def _deadline_sqlite(element: deadline_of, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text and dates as 'YYYY-MM-DD':
    # the text comparison with 'YYYY-MM-DD 16:00:00' orders the same way as the instants.
    return f"({compiler.process(element.clauses, **kw)} || ' 16:00:00')"


@compiles(deadline_of)
def _deadline_default(element: deadline_of, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)} + TIME '16:00') AT TIME ZONE 'UTC')"


class day_in_shanghai(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it compiles to
    """The Asia/Shanghai calendar day of a UTC instant (China keeps UTC+8 all year)."""

    type = Date()
    inherit_cache = True


@compiles(day_in_shanghai, "sqlite")
def _day_sqlite(element: day_in_shanghai, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(day_in_shanghai)
def _day_default(element: day_in_shanghai, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"


class month_in_shanghai(FunctionElement[date]):  # noqa: N801 - reads as the SQL function it compiles to
    """The first day of the Asia/Shanghai calendar month of a UTC instant."""

    type = Date()
    inherit_cache = True


@compiles(month_in_shanghai, "sqlite")
def _month_sqlite(element: month_in_shanghai, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours', 'start of month')"


@compiles(month_in_shanghai)
def _month_default(element: month_in_shanghai, compiler: Any, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', ({moment}) AT TIME ZONE 'Asia/Shanghai') AS DATE)"


def start_of(day: date) -> datetime:
    """The UTC instant an Asia/Shanghai day begins."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


