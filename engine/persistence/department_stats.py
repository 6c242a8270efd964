"""Read-side figures of each department's approvals for supervision: open approvals by clock colour,
and how many of the completed ones were finished by their due day. Served by two grouped queries on
the task projection, never by loading a workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, DateTime, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from engine.persistence import tables as t

_OPEN = ("ready", "claimed")


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


NO_LIMIT = "no_limit"
"""The colour key of open approvals whose item has no time limit (definitions from before every
item needed one): supervision lists them apart, never as green."""


@dataclass
class DepartmentFigures:
    department: str
    open_by_colour: dict[str, int] = field(default_factory=dict)
    """Open approvals by the colour of their clock (green, yellow, red); ``paused`` counts those in a
    special procedure, whatever their colour."""
    paused: int = 0
    completed: int = 0
    """Completed approvals that had a due day (every decision, a correction request included)."""
    on_time: int = 0
    """Of those, the ones completed by the end of their due day."""


def department_figures(conn: Connection, departments: frozenset[str] | None = None) -> list[DepartmentFigures]:
    """Every department that has approvals (or only ``departments``), by department code."""
    tasks = t.tasks.c
    scope: list[ColumnElement[bool]] = [tasks.kind == "approval"]
    if departments is not None:
        scope.append(tasks.department.in_(sorted(departments)))
    found: dict[str, DepartmentFigures] = {}

    def of(department: str) -> DepartmentFigures:
        return found.setdefault(department, DepartmentFigures(department))

    colour = func.coalesce(tasks.colour, NO_LIMIT)  # an approval without a clock is not on time, nor green
    open_rows = conn.execute(
        select(tasks.department, colour, func.count(),
               func.sum(case((tasks.paused_since.is_not(None), 1), else_=0)))
        .where(*scope, tasks.state.in_(_OPEN)).group_by(tasks.department, colour))
    for department, colour_name, count, paused in open_rows:
        figures = of(str(department))
        figures.open_by_colour[str(colour_name)] = int(count)
        figures.paused += int(paused or 0)
    on_time = case((tasks.completed_at < deadline_of(tasks.due_on), 1), else_=0)
    done_rows = conn.execute(
        select(tasks.department, func.count(), func.sum(on_time))
        .where(*scope, tasks.state == "completed", tasks.due_on.is_not(None), tasks.completed_at.is_not(None))
        .group_by(tasks.department))
    for department, count, in_time in done_rows:
        figures = of(str(department))
        figures.completed, figures.on_time = int(count), int(in_time or 0)
    return [found[k] for k in sorted(found)]
