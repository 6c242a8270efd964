"""Sealing days into the roll-up tables (``tables/rollup.py``): once an Asia/Shanghai day is over, its
approvals, acceptances, closings, ratings and savings are summed into a row per day and kind, and the
reports read those rows for every sealed day and the case tables only for the days since.

Why sealed days and not a materialised view or counters kept by each transaction: what a day's rows
count is final once written (a completion, an acceptance, a closing, a rating, a closed case's
savings never change), so a day summed once stays right; the reports stay exact to the last
transaction, because the unsealed days are read from the case tables; the transactions that complete
tasks and close cases write nothing more (a counter row per department or bundle would be the
hottest row of the database); and it runs the same on SQLite. A materialised view would recompute
every day at each refresh and lag between refreshes.

A day is sealed an hour after it ends (``sealable_through``), so that a transaction that stamped its
rows just before midnight has committed. Rows are never written into a sealed day by the engine,
whose clock only moves on; ``onething generate``, which writes the past, seals again from scratch
(``reseal``), and a ticker whose clock went back (a simulation) unseals the days after its today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from engine.domain.clocks import shanghai_day
from engine.domain.savings import FIGURES, FOUR_FIGURES
from engine.domain.savings_totals import HALF_PREFILLED
from engine.persistence import tables as t
from engine.persistence.sql_days import day_in_shanghai, deadline_of, month_in_shanghai, start_of

SATISFIED_FROM = 3
"""The lowest rating counted as satisfied (基本满意), as ``engine.domain.leader_figures`` counts."""
RATING_EVENTS = ("ServiceRated", "ResultsHandedOver")
SEAL_DELAY = timedelta(hours=1)


def sealable_through(now: datetime) -> date:
    """The last day that may be sealed at ``now``: yesterday, once today is an hour old."""
    return shanghai_day(now - SEAL_DELAY) - timedelta(days=1)


Window = tuple[datetime | None, datetime | None]
"""From (inclusive, None: the beginning) and before (exclusive, None: no end), UTC."""


def _within(column: Any, window: Window) -> list[ColumnElement[bool]]:
    since, before = window
    return ([column >= since] if since is not None else []) + ([column < before] if before is not None else [])


# --- what each roll-up sums, as a SELECT over the case tables within a window ---------------------

def approval_rows(window: Window, departments: list[str] | None = None) -> Select[*tuple[Any, ...]]:
    """Approvals completed in the window per day and department, and how many by their due day's end."""
    k = t.tasks.c
    day = day_in_shanghai(k.completed_at)
    conditions = [k.kind == "approval", k.state == "completed", k.due_on.is_not(None), k.completed_at.is_not(None),
                  *_within(k.completed_at, window)]
    if departments is not None:
        conditions.append(k.department.in_(departments))
    return (select(day.label("day"), k.department.label("department"), func.count().label("completed"),
                   func.sum(case((k.completed_at < deadline_of(k.due_on), 1), else_=0)).label("on_time"))
            .where(*conditions).group_by(day, k.department))


_CASE_MEASURES = ("accepted", "closed", "closed_on_time", "ratings", "satisfied")


def _case_part(day: Any, bundle: Any, point: Any, department: Any, source: Any, conditions: list[Any],
               **measures: Any) -> Select[*tuple[Any, ...]]:
    values = [measures.get(name, literal(0)).label(name) for name in _CASE_MEASURES]
    return select(day.label("day"), bundle.label("bundle_code"), point.label("point"),
                  department.label("department"), *values).select_from(source).where(*conditions)


def case_rows(window: Window) -> Select[*tuple[Any, ...]]:
    """Per day: for each bundle and accepting point (department ''), and for each department (bundle and
    point ''), the cases accepted, closed and closed by their due day, and the ratings given and satisfied."""
    c, e, items = t.cases.c, t.case_events.c, t.case_items.c
    with_items = t.cases.join(t.case_items, items.case_id == c.id)
    point, blank = func.coalesce(c.accepted_point, ""), literal("")
    accepted_day, closed_day = day_in_shanghai(c.accepted_at), day_in_shanghai(c.closed_at)
    closed = [c.status == "closed", c.closed_at.is_not(None), *_within(c.closed_at, window)]
    on_time = case((c.due_on.is_(None), 1), (closed_day <= c.due_on, 1), else_=0)
    rating = e.data["rating"].as_integer()
    named = e.data["department"].as_string()
    rated = [e.type.in_(RATING_EVENTS), rating.is_not(None), *_within(e.occurred_at, window)]
    rated_day = day_in_shanghai(e.occurred_at)
    events = t.case_events.join(t.cases, c.id == e.case_id)
    satisfied = case((rating >= SATISFIED_FROM, 1), else_=0)
    one = literal(1)
    # A case counts once per department however many items it has there: counted distinct, per day.
    once = func.count(c.id.distinct())
    on_time_once = func.count(case((on_time == 1, c.id)).distinct())
    parts = union_all(
        _case_part(accepted_day, c.bundle_code, point, blank, t.cases, _within(c.accepted_at, window), accepted=one),
        _case_part(accepted_day, blank, blank, items.department, with_items, _within(c.accepted_at, window),
                   accepted=once).group_by(accepted_day, items.department),
        _case_part(closed_day, c.bundle_code, point, blank, t.cases, closed, closed=one, closed_on_time=on_time),
        _case_part(closed_day, blank, blank, items.department, with_items, closed, closed=once,
                   closed_on_time=on_time_once).group_by(closed_day, items.department),
        _case_part(rated_day, c.bundle_code, point, blank, events, rated, ratings=one, satisfied=satisfied),
        _case_part(rated_day, blank, blank, named, events, [*rated, named.is_not(None), named != ""],
                   ratings=one, satisfied=satisfied),
    ).subquery()
    keys = [parts.c.day, parts.c.bundle_code, parts.c.point, parts.c.department]
    return select(*keys, *(func.sum(parts.c[name]).label(name) for name in _CASE_MEASURES)).group_by(*keys)


def span_rows(window: Window) -> Select[*tuple[Any, ...]]:
    """The cases closed in the window by the day they were accepted and the day they closed: what
    办结率 of any stretch of days needs (those accepted in it and closed by its end)."""
    c = t.cases.c
    accepted, closed = day_in_shanghai(c.accepted_at), day_in_shanghai(c.closed_at)
    return (select(accepted.label("accepted_day"), closed.label("closed_day"), func.count().label("cases"))
            .where(c.status == "closed", c.closed_at.is_not(None), *_within(c.closed_at, window))
            .group_by(accepted, closed))


def savings_sum_columns(source: Any) -> list[Any]:
    """The savings report's sums and counts over ``source`` (``case_savings`` or a subquery of it),
    named as ``tables.rollup.SAVINGS_SUMS``."""
    s = source.c
    columns: list[Any] = [func.count().label("cases")]
    for name in FIGURES:
        reduction = s[f"{name}_reduction"]
        columns += [func.sum(s[f"{name}_baseline"]).label(f"{name}_baseline"),
                    func.sum(s[f"{name}_actual"]).label(f"{name}_actual"),
                    func.coalesce(func.sum(reduction), 0.0).label(f"{name}_reduction"),
                    func.count(reduction).label(f"{name}_reductions")]
    share, could, of_could = s.fields_prefilled_share, s.fields_prefillable, s.fields_prefilled_of_prefillable
    for label, column in (("share", share), ("prefillable", could), ("of_prefillable", of_could),
                          ("shared", s.materials_shared), ("elicence", s.materials_elicence)):
        count_label = {"share": "shares", "of_prefillable": "of_prefillable_shares"}.get(label, f"{label}_cases")
        columns += [func.coalesce(func.sum(column), 0.0).label(f"{label}_sum"), func.count(column).label(count_label)]
        if label == "share":
            columns.append(func.sum(case((share >= HALF_PREFILLED, 1), else_=0)).label("half_prefilled"))
    return columns


def _savings_sources() -> list[tuple[Any, Any, Any]]:
    """The closed cases (department '', with their accepting point) and the same per department they
    had an item of (``case_savings_departments``; point ''): each source with its point and department
    columns. Points and departments are not crossed: that would be a row per case again."""
    s, d = t.case_savings.c, t.case_savings_departments.c
    return [(t.case_savings, func.coalesce(s.accepted_point, ""), literal("")),
            (t.case_savings.join(t.case_savings_departments, d.case_id == s.case_id), literal(""), d.department)]


def savings_rows(window: Window) -> Select[*tuple[Any, ...]]:
    s = t.case_savings.c
    month = month_in_shanghai(s.closed_at)
    parts = []
    for source, point, department in _savings_sources():
        keys = [month.label("month"), s.bundle_code, point.label("point"), department.label("department"),
                s.channel, s.result_delivery]
        parts.append(select(*keys, *savings_sum_columns(t.case_savings)).select_from(source)
                     .where(*_within(s.closed_at, window))
                     .group_by(month, s.bundle_code, point, department, s.channel, s.result_delivery))
    return _union_select(parts)


def savings_value_rows(window: Window) -> Select[*tuple[Any, ...]]:
    """How many cases had each actual value, per month and bundle, for all (department '') and per
    department; not per point (a report for a point counts its distributions from its cases)."""
    s = t.case_savings.c
    month = month_in_shanghai(s.closed_at)
    parts = [select(month.label("month"), s.bundle_code.label("bundle_code"), department.label("department"),
                    literal(name).label("figure"), s[f"{name}_actual"].label("value"))
             .select_from(source).where(*_within(s.closed_at, window))
             for source, _point, department in _savings_sources() for name in FOUR_FIGURES]
    every = union_all(*parts).subquery()
    keys = [every.c.month, every.c.bundle_code, every.c.department, every.c.figure, every.c.value]
    return select(*keys, func.count().label("cases")).group_by(*keys)


def _union_select(parts: list[Select[*tuple[Any, ...]]]) -> Select[*tuple[Any, ...]]:
    """The rows of ``parts`` (same columns) as one SELECT, which INSERT ... SELECT takes."""
    every = union_all(*parts).subquery()
    return select(*every.c)


ROLLUPS: dict[str, tuple[Table, Callable[[Window], Select[*tuple[Any, ...]]]]] = {
    "approvals": (t.approval_days, approval_rows),
    "cases": (t.case_days, case_rows),
    "spans": (t.case_spans, span_rows),
    "savings": (t.savings_days, savings_rows),
    "savings_values": (t.savings_value_days, savings_value_rows),
}
"""Each roll-up: its table, and what it sums over a window."""


def sealed_through(conn: Connection, name: str) -> date | None:
    """The last day ``name`` has summed (None: none yet, every day is read from the case tables)."""
    return conn.execute(select(t.rollup_seals.c.sealed_through).where(t.rollup_seals.c.name == name)).scalar()


def unsealed_window(conn: Connection, name: str) -> Window:
    """Where the case tables must be read for what ``name`` has not summed."""
    sealed = sealed_through(conn, name)
    return (None if sealed is None else start_of(sealed + timedelta(days=1)), None)


def seal_days(conn: Connection, through: date) -> dict[str, int]:
    """Sum every day up to ``through`` that each roll-up has not; per roll-up, how many days it sealed
    now (negative: the days unsealed because the clock went back before them; a first seal counts the
    days from the first it found). Several tickers at once take turns: each roll-up's seal row is
    locked while it is summed."""
    done = {}
    seal = t.rollup_seals.c
    for name, (table, rows) in ROLLUPS.items():
        until = month_end_through(through) if "month" in table.c else through
        sealed = conn.execute(select(seal.sealed_through).where(seal.name == name).with_for_update()).first()
        if sealed is None:
            conn.execute(insert(t.rollup_seals).values(name=name, sealed_through=None))
        last = None if sealed is None else sealed[0]
        if last is not None and last >= until:
            conn.execute(delete(table).where(_after_day(table, until)))
            done[name] = (until - last).days
        else:
            if last is not None:
                conn.execute(delete(table).where(_after_day(table, last)))
            window = (None if last is None else start_of(last + timedelta(days=1)),
                      start_of(until + timedelta(days=1)))
            query = rows(window)
            conn.execute(insert(table).from_select([column.name for column in query.selected_columns], query))
            first = last or conn.execute(select(func.min(_day_of(table)))).scalar() or until
            done[name] = (until - first).days + (last is None)
        conn.execute(update(t.rollup_seals).where(seal.name == name).values(sealed_through=until))
    return done


def _day_of(table: Table) -> ColumnElement[date]:
    """The day a roll-up's rows are sealed by (the spans: the day the cases closed; a month's rows: its
    first day, which is after a sealed day only for the months after it, as months are sealed whole)."""
    column: ColumnElement[date] = (table.c.closed_day if table is t.case_spans
                                   else table.c.month if "month" in table.c else table.c.day)
    return column


def month_end_through(day: date) -> date:
    """The last day of the last whole month up to ``day``."""
    following = day + timedelta(days=1)
    return day if following.day == 1 else following.replace(day=1) - timedelta(days=1)


def _after_day(table: Table, day: date) -> ColumnElement[bool]:
    """The rows a roll-up holds for the days after ``day`` (the spans by their closing day)."""
    return _day_of(table) > day


def reseal(conn: Connection, through: date) -> dict[str, int]:
    """Forget every sealed day and sum them all again (after writing into the past)."""
    for table, _rows in ROLLUPS.values():
        conn.execute(delete(table))
    conn.execute(update(t.rollup_seals).values(sealed_through=None))
    return seal_days(conn, through)


class RollupRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def seal(self, through: date) -> dict[str, int]:
        return seal_days(self.conn, through)

    def reseal(self, through: date) -> dict[str, int]:
        return reseal(self.conn, through)
