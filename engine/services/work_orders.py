"""Work orders (工单, issue 28): raising one (the window, the applicant online, a hotline operator, an
outside supervisor, a poor rating), 分类交办 and 转办, the department's response and reply, the
applicant's confirmation or dispute, the supervisor's callback, and the ticker's clocks that
escalate a red order to the supervisors. Each change is recorded in the order's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.access import Principal, Role
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Forbidden, InvalidInput, NotFound
from engine.domain.model import SYSTEM, Actor
from engine.domain.work_orders import KIND_NAMES, ClockRule, WorkOrder, WorkOrderKind, due_day, rule_of
from engine.services.accounts import known_departments
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

PREFIX = "GD"
"""A work order's number: GD-YYYYMMDD-NNNNN, the day it was raised (Asia/Shanghai)."""
RAISED_BY = {
    Role.CLERK: (WorkOrderKind.COMPLAINT, WorkOrderKind.CANNOT_DO),
    Role.SUPERVISOR: (WorkOrderKind.HOTLINE, WorkOrderKind.COMPLAINT, WorkOrderKind.CANNOT_DO),
    Role.MONITOR: (WorkOrderKind.OBSERVATION,),
    Role.APPLICANT: (WorkOrderKind.COMPLAINT, WorkOrderKind.CANNOT_DO),
}
"""Which kinds each role raises; a rectification is raised by a poor rating only."""
CHANNEL_OF = {Role.CLERK: "window", Role.SUPERVISOR: "hotline", Role.MONITOR: "monitor", Role.APPLICANT: "online"}


@dataclass(frozen=True)
class RaiseOrder:
    kind: str
    title: str
    description: str
    name: str | None = None
    phone: str | None = None
    case_number: str | None = None
    external_number: str | None = None
    """A 12345 ticket's own number: required for a hotline order."""
    category: str | None = None
    department: str | None = None
    """Assigned at once (a supervisor classifying while entering a hotline ticket)."""


def rules(uow: UnitOfWork) -> dict[WorkOrderKind, ClockRule]:
    stored = uow.catalogue.entries("work_order")
    return {kind: rule_of(stored.get(str(kind))) for kind in WorkOrderKind}


def _text(value: str | None, name: str, most: int, required: bool = True) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{name} is required", "请填写完整", {name: ["必填"]})
    if len(text) > most:
        raise InvalidInput(f"{name} is too long", "内容过长", {name: [f"不超过 {most} 个字"]})
    return text or None


def new_order(uow: UnitOfWork, ctx: ServiceContext, kind: WorkOrderKind, channel: str, title: str,
              description: str, actor: Actor, now: datetime, **details: Any) -> WorkOrder:
    """A new order with its clocks from ``now`` on the working calendar, numbered and recorded."""
    calendar, rule = ctx.calendars.get(uow), rules(uow)[kind]
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    number = f"{PREFIX}-{day}-{uow.counters.next(PREFIX, day):05d}"
    order = WorkOrder(number, kind, channel, title, description, now, actor.user,
                      due_day(now, rule.response_days, calendar), due_day(now, rule.reply_days, calendar),
                      due_day(now, rule.close_days, calendar), **details)
    order.id = uow.work_orders.add(order)
    uow.work_orders.record(order.id, "WorkOrderRaised", actor, now,
                           {"kind": str(kind), "channel": channel, "title": title, "case": order.case_number,
                            "external_number": order.external_number})
    return order


def raise_order(ctx: ServiceContext, cmd: RaiseOrder, principal: Principal, actor: Actor) -> WorkOrder:
    """A work order from the window, the applicant online, a hotline operator or an outside supervisor."""
    role = next((r for r in RAISED_BY if r in principal.roles), None)
    try:
        kind = WorkOrderKind(cmd.kind)
    except ValueError:
        raise InvalidInput(f"no kind {cmd.kind!r}", "工单类型无效",
                           {"kind": [f"应为 {'、'.join(KIND_NAMES[k] for k in WorkOrderKind)} 之一"]}) from None
    if role is None or kind not in RAISED_BY[role]:
        raise Forbidden(f"{principal.login} may not raise {kind}", f"您不能登记“{KIND_NAMES[kind]}”")
    title = _text(cmd.title, "title", 200) or ""
    description = _text(cmd.description, "description", 4000) or ""
    if kind == WorkOrderKind.HOTLINE and not (cmd.external_number or "").strip():
        raise InvalidInput("a hotline ticket needs its 12345 number", "请填写 12345 工单编号",
                           {"external_number": ["必填"]})
    personal = kind != WorkOrderKind.OBSERVATION  # an observation names nobody
    phone = principal.login if role == Role.APPLICANT else _text(cmd.phone, "phone", 20, personal)
    name = _text(cmd.name, "name", 100, personal)

    def work(uow: UnitOfWork) -> WorkOrder:
        now = ctx.clock()
        point = None
        if cmd.case_number:
            case = uow.cases.get_by_number(cmd.case_number.strip())
            if case is None or (role == Role.APPLICANT and case.applicant.get("phone") != phone):
                raise NotFound(f"no case {cmd.case_number!r}", f"没有办件 {cmd.case_number}")
            point = case.accepted_point
        order = new_order(uow, ctx, kind, CHANNEL_OF[role], title, description, actor, now, name=name, phone=phone,
                          case_number=(cmd.case_number or "").strip() or None,
                          external_number=(cmd.external_number or "").strip() or None,
                          category=_text(cmd.category, "category", 64, False), point=point)
        if cmd.department:
            assign_to(uow, ctx, order, cmd.department, "", actor, now)
        return order

    return in_transaction(ctx, work)


def assign_to(uow: UnitOfWork, ctx: ServiceContext, order: WorkOrder, department: str, reason: str, actor: Actor,
            now: datetime) -> None:
    if department not in known_departments(uow) or department in ("window", "office"):
        raise InvalidInput(f"no department {department!r}", "没有该部门", {"department": ["请选择承办部门"]})
    order.assign(department, reason, now)
    save_order(uow, order, actor, now)


def save_order(uow: UnitOfWork, order: WorkOrder, actor: Actor, now: datetime) -> None:
    uow.work_orders.save(order)
    for event, data in order.take_events():
        uow.work_orders.record(order.id, event, actor, now, data)


def rectify_poor_rating(uow: UnitOfWork, ctx: ServiceContext, case_number: str, rating: int, comment: str,
                        name: str | None, phone: str | None, department: str | None, point: str | None,
                        now: datetime) -> WorkOrder:
    """差评整改: a rating of 1 or 2 opens a rectification with its clock, for the department the rating
    names, else for the supervisors to assign."""
    order = new_order(uow, ctx, WorkOrderKind.RECTIFICATION, "rating", f"差评整改：{case_number}", comment, SYSTEM,
                      now, name=name, phone=phone, case_number=case_number, rating=rating, point=point)
    if department is not None:
        order.assign(department, "", now)
        save_order(uow, order, SYSTEM, now)
    return order
