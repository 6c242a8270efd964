"""The report by service point (issue 27): per point of the city, the cases it accepted (at the hall,
at applicants' homes, by its agents), the trips of those that closed against the items done
separately, and how long applicants waited in its hall — ticket to call, call to acceptance; and the
work of each hall agent (帮办代办)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.clocks import SHANGHAI
from engine.domain.errors import InvalidInput, NotFound
from engine.domain.hall import percentile
from engine.domain.service_points import LEVEL_NAMES, LEVELS, ServicePoint, points_up
from engine.persistence.point_stats import AgentWork, PointClosed, PointIntake, TicketTimes
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of
from engine.services.transactions import read_on_replica
from engine.services.unit_of_work import UnitOfWork

NO_POINT = ""
"""The row of cases accepted before there were service points."""


@dataclass(frozen=True)
class PointRow:
    code: str
    name: str
    level: str
    depth: int
    """How far below the city's centre (0): for drawing the hierarchy."""
    accepted: int = 0
    home_visits: int = 0
    by_agents: int = 0
    closed: int = 0
    trips_baseline: float | None = None
    """The mean trips of its closed cases had each item been applied for alone."""
    trips_actual: float | None = None
    tickets: int = 0
    called: int = 0
    wait_p50_minutes: float | None = None
    wait_p95_minutes: float | None = None
    to_acceptance_p50_minutes: float | None = None


@dataclass(frozen=True)
class PointReport:
    day_from: date
    day_to: date
    bundle: str | None
    points: list[PointRow]
    agents: list[AgentWork]
    agent_names: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    """What the report reads, in one unit of work."""

    points: dict[str, ServicePoint]
    intake: list[PointIntake]
    closed: list[PointClosed]
    agents: list[AgentWork]
    tickets: list[TicketTimes]
    names: dict[str, str]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), SHANGHAI)


def point_report(ctx: ServiceContext, day_from: date | None, day_to: date | None, bundle: str | None) -> PointReport:
    """The figures of every point for the days ``day_from`` to ``day_to`` (Asia/Shanghai; by default
    the last 30 days): cases by the day they were accepted or closed, tickets by the day taken."""
    today = ctx.clock().astimezone(SHANGHAI).date()
    day_to = day_to or today
    day_from = day_from or day_to - timedelta(days=29)
    if day_from > day_to:
        raise InvalidInput("from must not be later than to", "起始日期不能晚于截止日期",
                           {"from": ["不能晚于截止日期"], "to": ["不能早于起始日期"]})
    if (day_to - day_from).days > 400:
        raise InvalidInput("a report by service point covers at most 400 days", "按服务点统计最长 400 天",
                           {"from": ["请缩短统计期间"]})
    since, before = _midnight(day_from), _midnight(day_to + timedelta(days=1))

    def read(uow: UnitOfWork) -> _Stored:
        if bundle is not None and uow.flows.bundle(bundle) is None:
            raise NotFound(f"no bundle {bundle!r}", f"没有编码为 {bundle} 的一件事")
        agents = uow.point_stats.agents(since, before, bundle)
        return _Stored(points_of(uow), uow.point_stats.intake(since, before, bundle),
                       uow.point_stats.closed(since, before, bundle), agents,
                       uow.point_stats.tickets(f"{day_from:%Y%m%d}", f"{day_to:%Y%m%d}", bundle),
                       uow.users.names({a.agent for a in agents}))

    stored = read_on_replica(ctx, read)  # a report: a few seconds stale will do
    points, agents, tickets, names = stored.points, stored.agents, stored.tickets, stored.names
    intake = {row.point or NO_POINT: row for row in stored.intake}
    closed = {row.point or NO_POINT: row for row in stored.closed}
    waits: dict[str, list[float]] = defaultdict(list)
    serving: dict[str, list[float]] = defaultdict(list)
    taken: dict[str, int] = defaultdict(int)
    for ticket in tickets:
        taken[ticket.point] += 1
        if ticket.called_at is not None:
            waits[ticket.point].append((ticket.called_at - ticket.taken_at).total_seconds() / 60)
            if ticket.served_at is not None:
                serving[ticket.point].append((ticket.served_at - ticket.called_at).total_seconds() / 60)
    def row(code: str, name: str, level: str, depth: int) -> PointRow:
        got, done = intake.get(code), closed.get(code)
        return PointRow(
            code, name, level, depth, accepted=got.accepted if got else 0,
            home_visits=got.home_visits if got else 0, by_agents=got.by_agents if got else 0,
            closed=done.closed if done else 0,
            trips_baseline=done.trips_baseline / done.closed if done and done.closed else None,
            trips_actual=done.trips_actual / done.closed if done and done.closed else None,
            tickets=taken[code], called=len(waits[code]), wait_p50_minutes=percentile(waits[code], 0.5),
            wait_p95_minutes=percentile(waits[code], 0.95), to_acceptance_p50_minutes=percentile(serving[code], 0.5))

    rows = [row(code, point.name, point.level, len(points_up(points, code)) - 1)
            for code, point in _in_hierarchy(points)]
    if NO_POINT in intake or NO_POINT in closed:
        rows.append(row(NO_POINT, "未记录服务点", "", 0))
    return PointReport(day_from, day_to, bundle, rows, agents, names)


def _in_hierarchy(points: dict[str, ServicePoint]) -> list[tuple[str, ServicePoint]]:
    """Every point under its parent, depth first (the city, a county, its townships, the next county)."""
    ordered: list[tuple[str, ServicePoint]] = []

    def visit(parent: str | None) -> None:
        for code, point in sorted(points.items(), key=lambda p: (LEVELS.index(p[1].level), p[0])):
            if point.parent == parent and code not in dict(ordered):
                ordered.append((code, point))
                visit(code)

    visit(None)
    ordered += [(code, p) for code, p in sorted(points.items()) if code not in dict(ordered)]  # orphans last
    return ordered


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, "")
