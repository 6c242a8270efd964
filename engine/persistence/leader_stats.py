"""What the leaders' figures count (engine/domain/leader_figures.py): a period's sums per day and per
group, from the days the roll-up sealed (``case_days``, ``case_spans``) and the case tables for the days
since (``period_counts``); the cases still in review; the work orders raised in the period. Also the
same cases and ratings row by row (``cases``, ``ratings``), which the sums are checked against."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select, union_all

from engine.domain.leader_figures import CaseRow, DayCounts, OrderRow, PeriodCounts, RatingRow
from engine.persistence import tables as t
from engine.persistence.day_rollups import Window, case_rows, span_rows, unsealed_window
from engine.persistence.sql_days import start_of

c = t.cases.c
RATING_EVENTS = ("ServiceRated", "ResultsHandedOver")


MEASURES = ("accepted", "closed", "closed_on_time", "ratings", "satisfied")
GROUP_COLUMNS = {"bundle": "bundle_code", "point": "point", "department": "department"}


class LeaderStatsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def period_counts(self, since: date, until: date) -> PeriodCounts:
        """The period's sums (``since`` to ``until``, Asia/Shanghai days, both included)."""
        start, end = start_of(since), start_of(until + timedelta(days=1))
        days = self._case_days(since, until, self._live_window("cases", start, end))
        by_day = {day: DayCounts(*(int(v or 0) for v in values))
                  for day, *values in self.conn.execute(
                      select(days.c.day, *(func.sum(days.c[m]) for m in MEASURES))
                      .where(days.c.department == "").group_by(days.c.day))}
        groups: dict[str, dict[str, DayCounts]] = {}
        for group, column in GROUP_COLUMNS.items():
            mine = days.c.department != "" if group == "department" else days.c.department == ""
            groups[group] = {str(key): DayCounts(*(int(v or 0) for v in values))
                             for key, *values in self.conn.execute(
                                 select(days.c[column], *(func.sum(days.c[m]) for m in MEASURES))
                                 .where(mine).group_by(days.c[column]))}
        spans = self._spans(since, until, self._live_window("spans", start, end))
        # The day the last case accepted before the period closed: the cases open when it began are
        # read up to that day only (a few weeks, however long the period).
        last = max((closed for accepted, closed, _ in spans if accepted < since), default=None)
        group_spans = {} if last is None else self._group_spans(start, start_of(last + timedelta(days=1)))
        return PeriodCounts(by_day, groups, spans, group_spans, self.open_cases(end))

    def _live_window(self, rollup: str, start: datetime, end: datetime) -> Window:
        unsealed_from, _ = unsealed_window(self.conn, rollup)
        return (start if unsealed_from is None else max(start, unsealed_from), end)

    @staticmethod
    def _case_days(since: date, until: date, live: Window) -> Any:
        d = t.case_days.c
        sealed = select(d.day, d.bundle_code, d.point, d.department, *(d[m] for m in MEASURES)).where(
            d.day >= since, d.day <= until)
        parts: list[Select[Any]] = [sealed]
        if live[0] is not None and live[1] is not None and live[0] < live[1]:
            parts.append(case_rows(live))
        return union_all(*parts).subquery() if len(parts) > 1 else sealed.subquery()

    def _spans(self, since: date, until: date, live: Window) -> list[tuple[date, date, int]]:
        s = t.case_spans.c
        found = [(a, c, int(n)) for a, c, n in self.conn.execute(
            select(s.accepted_day, s.closed_day, s.cases).where(s.closed_day >= since, s.closed_day <= until))]
        if live[0] is not None and live[1] is not None and live[0] < live[1]:
            found += [(a, c, int(n)) for a, c, n in self.conn.execute(span_rows(live))]
        return found

    def _group_spans(self, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
        """Per grouping, the cases closed from ``start`` (the period's) to ``end`` that were accepted
        before ``start``, read along the ``(closed_at, accepted_at)`` index."""
        found: dict[str, Counter[str]] = {"bundle": Counter(), "point": Counter(), "department": Counter()}
        for case in self._case_rows(c.status == "closed", c.closed_at >= start, c.closed_at < end,
                                    c.accepted_at < start):
            found["bundle"][case.bundle] += 1
            found["point"][case.point or ""] += 1
            found["department"].update(case.departments)
        return {group: dict(counts) for group, counts in found.items()}

    def open_cases(self, before: datetime) -> list[CaseRow]:
        """The cases in review accepted before ``before``, with their departments."""
        return self._case_rows(c.status == "in_review", c.accepted_at < before)

    def _case_rows(self, *conditions: Any) -> list[CaseRow]:
        """The cases that meet the conditions, each with its departments: a subquery per case on the
        items' key, so that the few thousand cases are never joined to every case's items."""
        items = t.case_items.c
        departments = (select(func.aggregate_strings(items.department, ","))
                       .where(items.case_id == c.id).scalar_subquery())
        rows = self.conn.execute(select(c.bundle_code, c.accepted_point, c.accepted_at, c.closed_at, c.status,
                                        c.due_on, departments).where(*conditions))
        return [CaseRow(bundle, point, accepted, closed, status, due, tuple(sorted(set(named.split(","))))
                        if named else ())
                for bundle, point, accepted, closed, status, due, named in rows]

    def cases(self, since: datetime, before: datetime) -> list[CaseRow]:
        """Cases the period may count: accepted before its end, and accepted, closed or still open in it."""
        relevant = (c.accepted_at < before) & or_(c.accepted_at >= since, c.closed_at >= since, c.status == "in_review")
        return self._case_rows(relevant)

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
