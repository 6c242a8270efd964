"""Figures per service point (issue 27): the cases each point accepted (at the hall or at the
applicant's home, by the hall's agents), the trips of those that closed, and the hall's tickets
with their times, for the report by service point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, case, func, select

from engine.persistence import tables as t

c = t.cases.c
h = t.hall_tickets.c
s = t.case_savings.c


@dataclass(frozen=True)
class PointIntake:
    point: str | None
    accepted: int
    home_visits: int
    by_agents: int


@dataclass(frozen=True)
class PointClosed:
    point: str | None
    closed: int
    trips_baseline: float
    trips_actual: float


@dataclass(frozen=True)
class AgentWork:
    agent: str
    point: str | None
    cases: int


@dataclass(frozen=True)
class TicketTimes:
    point: str
    taken_at: datetime
    called_at: datetime | None
    served_at: datetime | None


class PointStatsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def intake(self, since: datetime | None, before: datetime | None, bundle: str | None) -> list[PointIntake]:
        """The cases each point accepted in the period (on ``accepted_point, accepted_at``)."""
        query = (select(c.accepted_point, func.count(), func.sum(case((c.intake_place == "home", 1), else_=0)),
                        func.count(c.agent))
                 .where(*_accepted(since, before, bundle)).group_by(c.accepted_point))
        return [PointIntake(point, int(n), int(home or 0), int(agents)) for point, n, home, agents in
                self.conn.execute(query)]

    def closed(self, since: datetime | None, before: datetime | None, bundle: str | None) -> list[PointClosed]:
        """The cases closed in the period by the point that accepted them, with their trips."""
        conditions: list[ColumnElement[bool]] = [s.closed_at >= since] if since else []
        conditions += [s.closed_at < before] if before else []
        conditions += [s.bundle_code == bundle] if bundle else []
        query = (select(c.accepted_point, func.count(), func.sum(s.trips_baseline), func.sum(s.trips_actual))
                 .select_from(t.case_savings.join(t.cases, c.id == s.case_id))
                 .where(*conditions).group_by(c.accepted_point))
        return [PointClosed(point, int(n), float(base or 0), float(actual or 0))
                for point, n, base, actual in self.conn.execute(query)]

    def agents(self, since: datetime | None, before: datetime | None, bundle: str | None) -> list[AgentWork]:
        """The cases each hall agent prepared in the period (帮办代办), most first."""
        query = (select(c.agent, c.accepted_point, func.count()).where(c.agent.is_not(None),
                                                                       *_accepted(since, before, bundle))
                 .group_by(c.agent, c.accepted_point).order_by(func.count().desc(), c.agent))
        return [AgentWork(str(agent), point, int(n)) for agent, point, n in self.conn.execute(query)]

    def tickets(self, first_day: str, last_day: str, bundle: str | None) -> list[TicketTimes]:
        """The hall's tickets of the days ``first_day`` to ``last_day`` (YYYYMMDD) at every point."""
        query = select(h.point, h.taken_at, h.called_at, h.served_at).where(h.day >= first_day, h.day <= last_day)
        if bundle is not None:
            query = query.where(h.bundle_code == bundle)
        return [TicketTimes(*row) for row in self.conn.execute(query)]


def _accepted(since: datetime | None, before: datetime | None, bundle: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [c.accepted_at >= since] if since else []
    conditions += [c.accepted_at < before] if before else []
    conditions += [c.bundle_code == bundle] if bundle else []
    return conditions
