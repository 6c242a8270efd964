"""The inbox (待办): tasks within the departments a viewer may see, filtered and sorted in the query.

Index use: a department's open tasks come from ``(department, state, created_at)``, a person's from
``(assignee, state)``; sorting by anything but arrival sorts the department's open tasks, which an
inbox keeps to hundreds. Every order ends on ``created_at, id`` so that paging is stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Select, UnaryExpression, exists, select

from engine.domain.records import TaskRecord, case_id_in
from engine.persistence import tables as t
from engine.persistence.queries import Page, count_matches
from engine.persistence.rows import rows_as

SORTS = ("arrived", "due", "accepted", "bundle", "case")
"""arrived: when the task opened; due: the approval's due day (tasks without a clock after the others); accepted:
when its case was accepted; bundle; case: the case number."""


@dataclass(frozen=True)
class InboxCriteria:
    """What to match; every member that is set must hold."""

    states: tuple[str, ...]
    departments: frozenset[str] | None = None
    """The viewer's scope: ``None`` for every department."""
    department: str | None = None
    case_ref: str | None = None
    """A case id or case number: only its tasks (none if there is no such case)."""
    assignee: str | None = None
    colour: str | None = None
    bundle_code: str | None = None
    paused: bool | None = None
    """True: only tasks whose clock a special procedure stops; False: only the others."""
    service_point: str | None = None
    """Only the tasks of cases accepted at that point or handed over there (a window's own work)."""


def _conditions(criteria: InboxCriteria) -> list[ColumnElement[bool]]:
    c = t.tasks.c
    conditions: list[ColumnElement[bool]] = [c.state.in_(criteria.states)]
    if criteria.case_ref is not None:
        conditions.append(_of_case(criteria.case_ref))
    if criteria.colour is not None:
        conditions.append(c.colour == criteria.colour)
    if criteria.department is not None:
        conditions.append(c.department == criteria.department)
    if criteria.departments is not None:
        conditions.append(c.department.in_(sorted(criteria.departments)))
    if criteria.assignee is not None:
        conditions.append(c.assignee == criteria.assignee)
    if criteria.bundle_code is not None:
        conditions.append(c.bundle_code == criteria.bundle_code)
    if criteria.paused is not None:
        conditions.append(c.paused_since.is_not(None) if criteria.paused else c.paused_since.is_(None))
    if criteria.service_point is not None:
        # Probed per task on the case's key: an IN would read every case the point ever accepted.
        cases = t.cases.c
        conditions.append(exists().where(cases.id == c.case_id, (cases.accepted_point == criteria.service_point)
                                         | (cases.handover_point == criteria.service_point)))
    return conditions


def _of_case(ref: str) -> ColumnElement[bool]:
    case_id = case_id_in(ref)
    if case_id is not None:
        return t.tasks.c.case_id == case_id
    return t.tasks.c.case_id == select(t.cases.c.id).where(t.cases.c.number == ref).scalar_subquery()


def _ordered(query: Select[tuple[object, ...]], sort: str, descending: bool) -> Select[tuple[object, ...]]:
    c = t.tasks.c
    way: Callable[[ColumnElement[object]], UnaryExpression[object]] = (
        (lambda column: column.desc()) if descending else (lambda column: column.asc()))
    first: list[UnaryExpression[object]] = []
    if sort == "due":  # descending is the exact reverse: tasks without a clock last going up, first going down
        first = [way(c.due_on).nulls_first() if descending else way(c.due_on).nulls_last()]
    elif sort == "accepted":
        query = query.join(t.cases, t.cases.c.id == c.case_id)
        first = [way(t.cases.c.accepted_at)]
    elif sort == "bundle":
        first = [way(c.bundle_code)]
    elif sort == "case":
        first = [way(c.case_number)]
    return query.order_by(*first, way(c.created_at), way(c.id))


def list_inbox(conn: Connection, criteria: InboxCriteria, page: int = 1, per_page: int = 50,
               sort: str = "arrived", descending: bool = False) -> Page[TaskRecord]:
    """The matching tasks in the order asked for (``SORTS``), oldest first by default."""
    conditions = _conditions(criteria)
    query = _ordered(select(t.tasks).where(*conditions), sort, descending)
    rows = conn.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    total, exact = count_matches(conn, t.tasks, conditions, len(rows), page == 1 and len(rows) < per_page)
    return Page(rows_as(TaskRecord, rows), total, page, per_page, exact)
