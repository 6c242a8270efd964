"""The rows the leaders' figures count (engine/domain/leader_figures.py): the cases of a period with
their departments, the ratings given in it, and the work orders raised in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, or_, select

from engine.domain.leader_figures import CaseRow, OrderRow, RatingRow
from engine.persistence import tables as t

c = t.cases.c
RATING_EVENTS = ("ServiceRated", "ResultsHandedOver")


class LeaderStatsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def cases(self, since: datetime, before: datetime) -> list[CaseRow]:
        """Cases the period may count: accepted before its end, and accepted, closed or still open in it."""
        relevant = (c.accepted_at < before) & or_(c.accepted_at >= since, c.closed_at >= since, c.status == "in_review")
        rows = self.conn.execute(select(c.id, c.bundle_code, c.accepted_point, c.accepted_at, c.closed_at, c.status,
                                        c.due_on).where(relevant)).all()
        departments: dict[int, set[str]] = defaultdict(set)
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            part = ids[start:start + 5000]
            for case_id, department in self.conn.execute(select(t.case_items.c.case_id, t.case_items.c.department)
                                                         .where(t.case_items.c.case_id.in_(part))):
                departments[case_id].add(department)
        return [CaseRow(bundle, point, accepted, closed, status, due, tuple(sorted(departments[case_id])))
                for case_id, bundle, point, accepted, closed, status, due in rows]

    def ratings(self, since: datetime, before: datetime) -> list[RatingRow]:
        e = t.case_events.c
        query = (select(e.occurred_at, e.data, c.bundle_code, c.accepted_point)
                 .join(t.cases, c.id == e.case_id)
                 .where(e.type.in_(RATING_EVENTS), e.occurred_at >= since, e.occurred_at < before))
        found = []
        for at, data, bundle, point in self.conn.execute(query):
            rating = (data or {}).get("rating")
            if isinstance(rating, int):
                named = (data or {}).get("department")
                found.append(RatingRow(at, rating, bundle, point, (named,) if named else ()))
        return found

    def orders(self, since: datetime, before: datetime) -> list[OrderRow]:
        w = t.work_orders.c
        query = (select(w.kind, w.raised_at, w.closed_at, w.department, w.point, c.bundle_code, w.escalated_at)
                 .outerjoin(t.cases, c.number == w.case_number)
                 .where(w.raised_at >= since, w.raised_at < before))
        return [OrderRow(kind, raised, closed, department, point, bundle, escalated is not None)
                for kind, raised, closed, department, point, bundle, escalated in self.conn.execute(query)]
