"""办件查询: one free query box plus filters, each kind of query only for those who may see its data.

The free query ``q`` is read as what it looks like: a case number (prefix), an ID number or a unified
social credit code (exact), a phone number (exact), a date (that day's acceptances) or else part of
the applicant's name. Supervisors see applicants' data masked, so they may search by case number and
date only; a department searches only the cases it has an item in, as it lists them. The window and
supervisors may ask for the cases of any one department (a case with an item of it); a department
may name only itself.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from engine.domain.access import Principal, Role
from engine.domain.errors import Forbidden, InvalidInput
from engine.domain.records import CaseRecord
from engine.persistence.case_search import SORTS, CaseCriteria
from engine.persistence.queries import COUNT_CAP, Page
from engine.services.context import ServiceContext
from engine.services.intake_points import points_of, points_within
from engine.services.transactions import read_on_replica
from engine.services.unit_of_work import UnitOfWork

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASE_SORTS = SORTS
LIST_CAP = COUNT_CAP
"""Lists count their matches up to this many, and number their pages within it."""

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
    after: str | None = None
    """The ``next`` mark of the page before (keyset paging: any depth at the cost of the first page)."""


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
    """The cases matching ``cmd`` that its viewer may see, in the order asked for (newest first). A
    list a few seconds stale will do: read on the replica, if any (a case's own page reads the primary)."""

    def read(uow: UnitOfWork) -> Page[CaseRecord]:
        points = None if cmd.service_point is None and cmd.level is None else \
            points_within(points_of(uow), cmd.service_point, cmd.level)
        criteria = _criteria(cmd, points)
        after = None if cmd.after is None else read_page_mark(cmd.after, cmd.sort, cmd.descending)
        return uow.reads.search_cases(criteria, cmd.page, cmd.per_page, cmd.sort, cmd.descending, after)

    return read_on_replica(ctx, read)


def page_mark(sort: str, descending: bool, key: tuple[Any, ...]) -> str:
    """The ``next`` mark of a page whose last case has the sort ``key``: opaque to clients (URL-safe
    base64 of the order and the key's values as JSON)."""
    values = [v.isoformat() if isinstance(v, date | datetime) else v for v in key]
    raw = json.dumps([sort, "desc" if descending else "asc", *values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


_BAD_MARK = "翻页标记无效：请从第一页重新查询"
_OTHER_ORDER = "翻页标记与当前排序不符：请从第一页重新查询"


def read_page_mark(mark: str, sort: str, descending: bool) -> tuple[Any, ...]:
    """The sort key a ``page_mark`` holds, checked against the order asked for and typed again."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(mark + "=" * (-len(mark) % 4)))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput(f"after: not a page mark ({error})", _BAD_MARK, {"after": [_BAD_MARK]}) from error
    if not isinstance(decoded, list) or decoded[:2] != [sort, "desc" if descending else "asc"]:
        raise InvalidInput("after: the page mark is of another order", _OTHER_ORDER, {"after": [_OTHER_ORDER]})
    types = _MARK_TYPES[sort]
    values = decoded[2:]
    if len(values) != len(types):
        raise InvalidInput("after: the page mark has the wrong length", _BAD_MARK, {"after": [_BAD_MARK]})
    try:
        return tuple(_typed(value, kind, nullable=sort == "due" and n == 0)
                     for n, (value, kind) in enumerate(zip(values, types, strict=True)))
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"after: {error}", _BAD_MARK, {"after": [_BAD_MARK]}) from error


_MARK_TYPES: dict[str, tuple[type, ...]] = {
    "accepted_at": (datetime, int), "number": (str,), "bundle": (str, datetime, int),
    "status": (str, datetime, int), "due": (date, datetime, int)}


def _typed(value: Any, kind: type, nullable: bool) -> Any:
    if value is None and nullable:
        return None
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a moment without its zone")
        return moment
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 64:
        return value
    raise ValueError(f"{value!r} is not a {kind.__name__}")
