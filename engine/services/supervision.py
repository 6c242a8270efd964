"""The supervisors' queue of deadline warnings (红黄牌): every change of a clock's colour and a red
card for each approval decided after its due day (``engine.services.clocks``), newest first, so that
its red approvals are the on-time rate's late ones plus the open red ones; and each department's
open approvals by colour with its on-time rate. A supervisor sees
every department's, a department head their own."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.access import Principal, Role
from engine.domain.errors import Forbidden, InvalidInput, NotFound
from engine.domain.model import Actor
from engine.persistence.clock_store import WarningRow
from engine.persistence.department_stats import NO_LIMIT, DepartmentFigures
from engine.persistence.queries import Page
from engine.services.accounts import known_departments
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction, read_on_replica
from engine.services.unit_of_work import UnitOfWork

COLOURS = ("green", "yellow", "red")


def _departments(viewer: Principal) -> frozenset[str] | None:
    return None if Role.SUPERVISOR in viewer.roles else frozenset({viewer.department})


def list_warnings(ctx: ServiceContext, viewer: Principal, department: str | None, colour: str | None,
                  unacknowledged: bool, page: int, per_page: int) -> Page[WarningRow]:
    if colour is not None and colour not in COLOURS:
        raise InvalidInput(f"colour must be one of {', '.join(COLOURS)}", "颜色须为 green、yellow 或 red",
                           {"colour": ["green、yellow 或 red"]})
    seen = _departments(viewer)
    if department is not None and seen is not None and department not in seen:
        raise Forbidden(f"you may not see department {department}'s warnings", f"无权查看部门 {department} 的预警")
    return read_on_replica(  # a few seconds stale will do: an acknowledgement answers the primary's row
        ctx, lambda uow: uow.warnings.list(department, colour, unacknowledged, seen, per_page, (page - 1) * per_page))


def acknowledge_warning(warning_id: int, viewer: Principal, actor: Actor, ctx: ServiceContext) -> WarningRow:
    """The supervisor (or the department's head) has seen to it: it leaves the open queue."""
    def work(uow: UnitOfWork) -> WarningRow:
        found = uow.warnings.get(warning_id)
        seen = _departments(viewer)
        if found is None or (seen is not None and found.department not in seen):
            raise NotFound(f"no warning {warning_id}", f"没有预警 {warning_id}")
        if found.acknowledged_at is None:
            uow.warnings.acknowledge(warning_id, actor.user, ctx.clock())
        answer = uow.warnings.get(warning_id)
        assert answer is not None
        return answer

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class DepartmentPerformance:
    """One department's approvals as supervision sees them."""

    department: str
    name: str
    open_green: int
    open_yellow: int
    open_red: int
    paused: int
    completed: int
    on_time: int
    open_no_limit: int = 0
    """Open approvals without any time limit: neither on time nor late, listed apart."""

    @property
    def open_total(self) -> int:
        return self.open_green + self.open_yellow + self.open_red + self.open_no_limit

    @property
    def on_time_rate(self) -> float | None:
        """The share of completed approvals finished by their due day; None before any."""
        return self.on_time / self.completed if self.completed else None


def department_performance(ctx: ServiceContext, viewer: Principal) -> list[DepartmentPerformance]:
    """Each department's open approvals by colour and its on-time rate (按时办结率); a supervisor sees
    every department that has approvals, a department head their own."""
    seen = _departments(viewer)

    def read(uow: UnitOfWork) -> tuple[dict[str, str], list[DepartmentFigures]]:
        return known_departments(uow), uow.reads.department_figures(seen)

    names, stored = read_on_replica(ctx, read)  # a board a few seconds stale will do
    figures = {f.department: f for f in stored}
    codes = sorted(seen) if seen is not None else sorted(figures)
    answer = []
    for code in codes:
        found = figures.get(code)
        by_colour = found.open_by_colour if found else {}
        answer.append(DepartmentPerformance(
            code, names.get(code, code), by_colour.get("green", 0), by_colour.get("yellow", 0),
            by_colour.get("red", 0), found.paused if found else 0, found.completed if found else 0,
            found.on_time if found else 0, by_colour.get(NO_LIMIT, 0)))
    return answer
