"""Read-side figures of each department's approvals for supervision: open approvals by clock colour,
and how many of the completed ones were finished by their due day. Served by grouped queries on the
open tasks, the days the roll-up sealed (``approval_days``) and the approvals completed since, never
by loading a workflow."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, case, func, select

from engine.persistence import tables as t
from engine.persistence.day_rollups import approval_rows, unsealed_window

_OPEN = ("ready", "claimed")


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
    # The completed ones: the sealed days' sums, and the approvals completed since (day_rollups.py).
    chosen = None if departments is None else sorted(departments)
    days = t.approval_days.c
    sealed = select(days.department, func.sum(days.completed), func.sum(days.on_time)).group_by(days.department)
    if chosen is not None:
        sealed = sealed.where(days.department.in_(chosen))
    since = approval_rows(unsealed_window(conn, "approvals"), chosen).subquery()
    recent = select(since.c.department, func.sum(since.c.completed), func.sum(since.c.on_time)).group_by(
        since.c.department)
    for department, count, in_time in [*conn.execute(sealed), *conn.execute(recent)]:
        figures = of(str(department))
        figures.completed += int(count or 0)
        figures.on_time += int(in_time or 0)
    return [found[k] for k in sorted(found)]
