"""Case search (办件查询) over the cases table, within what the caller may see.

Index use: a case number is matched by prefix on the unique ``number`` column; status, bundle and the
acceptance range use the ``(status, accepted_at)`` and ``(bundle_code, accepted_at)`` indexes. The
applicant's ID number, credit code and phone are copied out of the ``applicant`` JSON at acceptance
(``applicant_columns``) into indexed columns, matched exactly; a part of a name is matched in
``applicant_name`` (the person's and the enterprise's names), which still scans the caller's scope.

Sorting: by acceptance (the default, newest first), case number, bundle, status or the case's due day,
then by acceptance and ``id`` (stable paging), every key in the one direction asked for, so that each
order is one index read forwards or backwards: ``(accepted_at, id)``, the unique ``number``,
``(bundle_code, accepted_at)``, ``(status, accepted_at)``, ``(due_on, accepted_at, id)``. Descending is
the exact reverse of ascending: a case without a due day comes last going up and first going down,
as PostgreSQL's index keeps it, on SQLite too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, UnaryExpression, and_, exists, or_, select, tuple_

from engine.domain.records import CaseRecord
from engine.persistence import tables as t
from engine.persistence.queries import Page, count_matches
from engine.persistence.rows import rows_as


@dataclass(frozen=True)
class CaseCriteria:
    """What to match; every member that is set must hold. ``department``: only cases it has an item in."""

    department: str | None = None
    status: str | None = None
    bundle_code: str | None = None
    number_prefix: str | None = None
    name_part: str | None = None
    identifier: str | None = None
    """An ID number or a unified social credit code, matched exactly."""
    phone: str | None = None
    party_phone: str | None = None
    """The applicant's phone, or the phone of the agent who applied online for the applicant."""
    accepted_from: datetime | None = None
    """Inclusive."""
    accepted_before: datetime | None = None
    """Exclusive."""
    points: frozenset[str] | None = None
    """Only cases accepted at one of these service points."""
    agent: str | None = None
    """Only the cases this hall agent (帮办代办) prepared."""


def applicant_columns(applicant: Mapping[str, Any]) -> dict[str, str | None]:
    """What case search matches, out of the applicant block: the person's and the enterprise's names,
    the ID number, the credit code and the phone, as given."""
    def given(key: str, limit: int) -> str | None:
        value = applicant.get(key)
        return value[:limit] if isinstance(value, str) and value else None

    names = " ".join(v for v in (applicant.get("name"), applicant.get("entity_name")) if isinstance(v, str) and v)
    return {"applicant_name": names[:300] or None, "applicant_id": given("id_number", 18),
            "applicant_code": given("credit_code", 18), "applicant_phone": given("phone", 20)}


def _conditions(criteria: CaseCriteria) -> list[ColumnElement[bool]]:
    c = t.cases.c
    conditions: list[ColumnElement[bool]] = []
    if criteria.department is not None:
        # EXISTS, probed per case in the list's order (an IN list would make SQLite sort every case
        # of the department first; PostgreSQL plans both as the same semi join).
        items = t.case_items.c
        conditions.append(exists().where(items.case_id == c.id, items.department == criteria.department))
    if criteria.status is not None:
        conditions.append(c.status == criteria.status)
    if criteria.bundle_code is not None:
        conditions.append(c.bundle_code == criteria.bundle_code)
    if criteria.number_prefix is not None:
        conditions.append(c.number.startswith(criteria.number_prefix, autoescape=True))
    if criteria.name_part is not None:
        conditions.append(c.applicant_name.contains(criteria.name_part, autoescape=True))
    if criteria.identifier is not None:
        conditions.append(or_(c.applicant_id == criteria.identifier, c.applicant_code == criteria.identifier))
    if criteria.phone is not None:
        conditions.append(c.applicant_phone == criteria.phone)
    if criteria.party_phone is not None:
        agents = t.case_agents.c
        conditions.append(or_(c.applicant_phone == criteria.party_phone,
                              exists().where(agents.case_id == c.id, agents.agent_phone == criteria.party_phone)))
    if criteria.points is not None:
        conditions.append(c.accepted_point.in_(sorted(criteria.points)))
    if criteria.agent is not None:
        conditions.append(c.agent == criteria.agent)
    if criteria.accepted_from is not None:
        conditions.append(c.accepted_at >= criteria.accepted_from)
    if criteria.accepted_before is not None:
        conditions.append(c.accepted_at < criteria.accepted_before)
    return conditions


SORTS = ("accepted_at", "number", "bundle", "status", "due")
"""What the list may be sorted by; anything else is refused before it gets here."""


def sort_columns(sort: str) -> list[ColumnElement[Any]]:
    """The columns of a sort, most significant first: a page's key is their values on its last row."""
    c = t.cases.c
    if sort == "accepted_at":
        return [c.accepted_at, c.id]
    if sort == "number":
        return [c.number]  # unique
    first = {"bundle": c.bundle_code, "status": c.status, "due": c.due_on}[sort]
    return [first, c.accepted_at, c.id]


def _order(sort: str, descending: bool) -> list[UnaryExpression[Any]]:
    ordered = []
    for column in sort_columns(sort):
        way = column.desc() if descending else column.asc()
        if column is t.cases.c.due_on:
            way = way.nulls_first() if descending else way.nulls_last()
        ordered.append(way)
    return ordered


def _after(sort: str, descending: bool, key: tuple[Any, ...]) -> ColumnElement[bool]:
    """The rows that come after ``key`` in the order: one row-value comparison, which an index on the
    sort's columns answers by seeking, whatever the depth. A due day may be missing (last going up,
    first going down), which a row comparison cannot order: that case is spelled out."""
    columns = sort_columns(sort)

    def beyond(cols: list[ColumnElement[Any]], values: tuple[Any, ...]) -> ColumnElement[bool]:
        return tuple_(*cols) < tuple_(*values) if descending else tuple_(*cols) > tuple_(*values)

    if sort != "due":
        return beyond(columns, key)
    due, rest, rest_key = columns[0], columns[1:], key[1:]
    if key[0] is None:
        same_nulls = and_(due.is_(None), beyond(rest, rest_key))
        return or_(same_nulls, due.is_not(None)) if descending else same_nulls
    after_value = beyond(columns, key)
    return after_value if descending else or_(after_value, due.is_(None))


def search_cases(conn: Connection, criteria: CaseCriteria, page: int = 1, per_page: int = 50,
                 sort: str = "accepted_at", descending: bool = True,
                 after: tuple[Any, ...] | None = None) -> Page[CaseRecord]:
    """The matching cases in the order asked for (``SORTS``), newest first by default: the ``page``-th
    page, or the page after the row whose sort key is ``after`` (``Page.next_key`` of the page before)."""
    conditions = _conditions(criteria)
    query = select(t.cases).where(*conditions).order_by(*_order(sort, descending)).limit(per_page + 1)
    query = query.where(_after(sort, descending, after)) if after is not None else query.offset((page - 1) * per_page)
    rows = conn.execute(query).all()
    more, rows = len(rows) > per_page, rows[:per_page]
    total, exact = count_matches(conn, t.cases, conditions, len(rows), after is None and page == 1 and not more)
    columns = sort_columns(sort)
    last = rows[-1]._mapping if rows and more else None
    next_key = tuple(last[column] for column in columns) if last is not None else None
    return Page(rows_as(CaseRecord, rows), total, page, per_page, exact, next_key)
