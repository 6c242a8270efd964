"""Case search (办件查询) over the cases table, within what the caller may see.

Index use: a case number is matched by prefix on the unique ``number`` column; status, bundle and the
acceptance range use the ``(status, accepted_at)`` and ``(bundle_code, accepted_at)`` indexes. The
applicant's name, identifier and phone live in the ``applicant`` JSON column, so matching them scans
the caller's scope (a department's cases, or all for the window): a candidate for indexed columns in
the scale work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, or_, select

from engine.domain.records import CaseRecord
from engine.persistence import tables as t
from engine.persistence.queries import Page, _total
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
    accepted_from: datetime | None = None
    """Inclusive."""
    accepted_before: datetime | None = None
    """Exclusive."""


def _conditions(criteria: CaseCriteria) -> list[ColumnElement[bool]]:
    c = t.cases.c
    applicant = c.applicant
    conditions: list[ColumnElement[bool]] = []
    if criteria.department is not None:
        conditions.append(c.id.in_(
            select(t.case_items.c.case_id).where(t.case_items.c.department == criteria.department)))
    if criteria.status is not None:
        conditions.append(c.status == criteria.status)
    if criteria.bundle_code is not None:
        conditions.append(c.bundle_code == criteria.bundle_code)
    if criteria.number_prefix is not None:
        conditions.append(c.number.startswith(criteria.number_prefix, autoescape=True))
    if criteria.name_part is not None:
        conditions.append(or_(applicant["name"].as_string().contains(criteria.name_part, autoescape=True),
                              applicant["entity_name"].as_string().contains(criteria.name_part, autoescape=True)))
    if criteria.identifier is not None:
        conditions.append(or_(applicant["id_number"].as_string() == criteria.identifier,
                              applicant["credit_code"].as_string() == criteria.identifier))
    if criteria.phone is not None:
        conditions.append(applicant["phone"].as_string() == criteria.phone)
    if criteria.accepted_from is not None:
        conditions.append(c.accepted_at >= criteria.accepted_from)
    if criteria.accepted_before is not None:
        conditions.append(c.accepted_at < criteria.accepted_before)
    return conditions


def search_cases(conn: Connection, criteria: CaseCriteria, page: int = 1, per_page: int = 50) -> Page[CaseRecord]:
    """The matching cases, newest first."""
    conditions = _conditions(criteria)
    rows = conn.execute(
        select(t.cases).where(*conditions)
        .order_by(t.cases.c.accepted_at.desc(), t.cases.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(rows_as(CaseRecord, rows), _total(conn, t.cases, conditions, len(rows), page, per_page),
                page, per_page)
