"""办件查询: one free query box plus filters, each kind of query only for those who may see its data.

The free query ``q`` is read as what it looks like: a case number (prefix), an ID number or a unified
social credit code (exact), a phone number (exact), a date (that day's acceptances) or else part of
the applicant's name. Supervisors see applicants' data masked, so they may search by case number and
date only; a department searches only the cases it has an item in, as it lists them. The window and
supervisors may ask for the cases of any one department (a case with an item of it); a department
may name only itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from engine.domain.access import Principal, Role
from engine.domain.errors import Forbidden
from engine.domain.records import CaseRecord
from engine.persistence.case_search import SORTS, CaseCriteria
from engine.persistence.queries import Page
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of, points_within

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASE_SORTS = SORTS

_CASE_NUMBER = re.compile(r"[A-Z]{1,8}(-[0-9-]*)?")
_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_PHONE = re.compile(r"\+?[\d-]{5,20}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class QueryKind(StrEnum):
    NUMBER = "number"
    IDENTIFIER = "identifier"
    PHONE = "phone"
    DATE = "date"
    NAME = "name"


@dataclass(frozen=True)
class SearchCases:
    viewer: Principal
    q: str | None = None
    status: str | None = None
    bundle_code: str | None = None
    accepted_from: date | None = None
    """First day of acceptance (Asia/Shanghai), inclusive."""
    accepted_to: date | None = None
    """Last day of acceptance (Asia/Shanghai), inclusive."""
    page: int = 1
    per_page: int = 50
    department: str | None = None
    """Only the cases with an item of this department."""
    service_point: str | None = None
    """Only the cases accepted at this service point or one below it."""
    level: str | None = None
    """Only the cases accepted at a point of this level (city, county, township, village)."""
    sort: str = "accepted_at"
    """One of ``CASE_SORTS``."""
    descending: bool = True


def classify_query(q: str) -> tuple[QueryKind, str]:
    """What a typed query is, and its normalised value."""
    text = q.strip()
    compact = text.replace(" ", "").upper()
    if _ID_NUMBER.fullmatch(compact) or _CREDIT_CODE.fullmatch(compact):
        return QueryKind.IDENTIFIER, compact
    if _DATE.fullmatch(compact) and _day(compact) is not None:
        return QueryKind.DATE, compact
    if _CASE_NUMBER.fullmatch(compact):
        return QueryKind.NUMBER, compact
    if _PHONE.fullmatch(compact):
        return QueryKind.PHONE, compact.replace("-", "") if compact.startswith("1") else compact
    return QueryKind.NAME, text


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


def _criteria(cmd: SearchCases, points: frozenset[str] | None) -> CaseCriteria:
    viewer = cmd.viewer
    department = None if viewer.task_departments() is None or Role.CLERK in viewer.roles else viewer.department
    agent = None
    if Role.AGENT in viewer.roles and not viewer.works_in_department and viewer.task_departments() == frozenset():
        department, agent = None, viewer.login  # an agent's own cases, nobody else's
    if cmd.department is not None and department is not None and cmd.department != department:
        raise Forbidden(f"department {department!r} searches its own cases only",
                        "您只能查询本部门的办件")
    department = cmd.department or department
    criteria = CaseCriteria(department=department, status=cmd.status, bundle_code=cmd.bundle_code,
                            points=points, agent=agent,
                            accepted_from=_start_of(cmd.accepted_from) if cmd.accepted_from else None,
                            accepted_before=_start_of(cmd.accepted_to + timedelta(days=1)) if cmd.accepted_to
                            else None)
    if not cmd.q or not cmd.q.strip():
        return criteria
    kind, value = classify_query(cmd.q)
    masked_only = bool({Role.SUPERVISOR, Role.MONITOR} & viewer.roles) and not (
        {Role.CLERK, Role.REVIEWER, Role.HEAD} & viewer.roles)
    if masked_only and kind not in (QueryKind.NUMBER, QueryKind.DATE):
        raise Forbidden("supervisors see applicants' data masked and search by case number or date only",
                        "效能监督人员看到的申请人信息已脱敏，只能按办件编号或受理日期查询")
    if kind is QueryKind.NUMBER:
        return replace(criteria, number_prefix=value)
    if kind is QueryKind.IDENTIFIER:
        return replace(criteria, identifier=value)
    if kind is QueryKind.PHONE:
        return replace(criteria, phone=value)
    if kind is QueryKind.DATE:
        day = date.fromisoformat(value)
        start, end = _start_of(day), _start_of(day + timedelta(days=1))
        return replace(criteria, accepted_from=max(start, criteria.accepted_from or start),
                       accepted_before=min(end, criteria.accepted_before or end))
    return replace(criteria, name_part=value)


def search_cases(cmd: SearchCases, ctx: ServiceContext) -> Page[CaseRecord]:
    """The cases matching ``cmd`` that its viewer may see, in the order asked for (newest first)."""
    with ctx.uow(False) as uow:
        points = None if cmd.service_point is None and cmd.level is None else \
            points_within(points_of(uow), cmd.service_point, cmd.level)
        criteria = _criteria(cmd, points)
        return uow.reads.search_cases(criteria, cmd.page, cmd.per_page, cmd.sort, cmd.descending)
