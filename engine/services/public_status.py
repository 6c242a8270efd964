"""办件查询: anyone holding a case number and the last six characters of the applicant's ID number
or credit code (the notices' QR codes lead here) reads the case's progress, and nothing personal:
the bundle, the status, the dates, and per department whether its items are in review, waiting for
a correction, granted or refused.

A wrong pair and an unknown case number answer alike (no way to learn which numbers exist), and
failed checks are counted per client address and per case number as failed logins are: past the
limit the address, or the case, answers 429 for the rest of the window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.catalogue import bundle_from_dict
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import InvalidInput, NotFound, TooManyAttempts
from engine.domain.model import CaseStatus, ItemStatus
from engine.domain.records import CaseRecord
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

CHECK = re.compile(r"^[0-9A-Z]{6}$")
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 10
MAX_FAILURES_PER_CASE = 10
ADDRESS, CASE = "st_addr", "st_case"  # login_failure_counts.scope holds 8 characters

CASE_STATES = {CaseStatus.IN_REVIEW: "审批中", CaseStatus.AWAITING_PICKUP: "已办结，待领取",
               CaseStatus.CLOSED: "已办结，已出件", CaseStatus.TERMINATED: "已终止"}
ITEM_STATES = {ItemStatus.IN_REVIEW: "审批中", ItemStatus.CORRECTION_REQUESTED: "待补正",
               ItemStatus.APPROVED: "准予许可", ItemStatus.REJECTED: "不予许可", ItemStatus.NOT_APPLICABLE: "不再办理"}


@dataclass(frozen=True)
class DepartmentProgress:
    name: str
    items: list[tuple[str, str]]
    """(item name, state in words), in the bundle's order."""


@dataclass(frozen=True)
class PublicStatus:
    number: str
    bundle: str
    status: str
    state: str
    accepted_on: date
    due_on: date | None
    closed_on: date | None
    departments: list[DepartmentProgress]


def _not_found() -> NotFound:
    return NotFound("no case with this number and these last six characters",
                    "办件编号或证件号码后六位不正确")


def _counted(uow: UnitOfWork, scope: str, subject: str, limit: int, now: datetime) -> None:
    failures, start = uow.login_failures.count(scope, subject, now, WINDOW)
    if failures > limit:
        retry = max(1, int((start + WINDOW - now).total_seconds()) + 1)
        raise TooManyAttempts("too many wrong checks; try again later",
                              f"查询错误次数过多，请 {(retry + 59) // 60} 分钟后再试", retry)


def case_status(ctx: ServiceContext, number: str, check: str, address: str) -> PublicStatus:
    """The case's progress when ``check`` is the applicant's last six characters; each try is
    counted as a failure first and taken back when it was right (as a login is)."""
    check = check.strip().upper()
    if not CHECK.fullmatch(check):
        raise InvalidInput("check must be the last 6 characters of the ID number or credit code",
                           "请输入证件号码的后六位", {"check": ["6 位数字或字母"]})
    number = number.strip().upper()[:40]

    def count(uow: UnitOfWork) -> bool:
        now = ctx.clock()
        _counted(uow, ADDRESS, address, MAX_FAILURES_PER_ADDRESS, now)
        _counted(uow, CASE, number, MAX_FAILURES_PER_CASE, now)
        case = uow.cases.get_by_number(number)
        ref = "" if case is None else str(case.applicant.get("id_number") or case.applicant.get("credit_code") or "")
        right = bool(ref) and ref.strip().upper()[-6:] == check
        if right:
            uow.login_failures.uncount(ADDRESS, address)
            uow.login_failures.uncount(CASE, number)
        return right

    if not in_transaction(ctx, count):
        raise _not_found()
    with ctx.uow(False) as uow:
        case = uow.cases.get_by_number(number)
        if case is None:
            raise _not_found()
        return progress_of(uow, case)


def progress_of(uow: UnitOfWork, case: CaseRecord) -> PublicStatus:
    """The case's progress as its applicant reads it: no one's names, no one's numbers."""
    items = {i.item_code: i for i in uow.items.for_case(case.id)}
    row = uow.flows.bundle(case.bundle_code)
    assert row is not None
    bundle = bundle_from_dict(row.definition)
    departments: dict[str, DepartmentProgress] = {}
    for spec in bundle.items:
        item = items.get(spec.code)
        if item is not None:
            progress = departments.setdefault(item.department, DepartmentProgress(
                bundle.department_name(item.department), []))
            progress.items.append((spec.name, ITEM_STATES.get(ItemStatus(item.status), item.status)))
    return PublicStatus(case.number, bundle.name, case.status, CASE_STATES.get(CaseStatus(case.status), case.status),
                        case.accepted_at.astimezone(SHANGHAI).date(), case.due_on,
                        case.closed_at.astimezone(SHANGHAI).date() if case.closed_at else None,
                        list(departments.values()))
