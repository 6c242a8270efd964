"""What is done with a work order once raised (issue 28): the supervisors classify and assign it
(分类交办) and transfer it (转办, as may the head of the department holding it); the department
responds and replies; whoever raised it confirms or disputes the reply; the supervisors close a
replied order after a callback (回访). Who sees which: supervisors and outside supervisors every
order (outside supervisors with names and numbers masked), a department its own, the window those
it raised, an applicant theirs. The ticker colours each order's running clock and escalates a red
one to the supervisors (督办)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from engine.domain.access import Principal, Role
from engine.domain.clocks import shanghai_day
from engine.domain.errors import Forbidden, NotFound
from engine.domain.model import SYSTEM, Actor
from engine.domain.notifications import NotificationKind, OutboxMessage
from engine.domain.work_orders import WorkOrder, WorkOrderState
from engine.persistence.queries import Page
from engine.persistence.work_order_store import WorkOrderCriteria, WorkOrderEvent
from engine.services.accounts import known_departments
from engine.services.context import ServiceContext
from engine.services.notifications import recipients_of_phone
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.services.work_orders import assign_to, rules, save_order


def may_see(principal: Principal, order: WorkOrder) -> bool:
    if {Role.SUPERVISOR, Role.MONITOR} & principal.roles:
        return True
    if principal.works_in_department and order.department == principal.department:
        return True
    if Role.CLERK in principal.roles and (order.raised_by == principal.login or order.channel == "window"):
        return True
    return Role.APPLICANT in principal.roles and order.phone == principal.login


def _find(uow: UnitOfWork, number: str, principal: Principal, lock: bool = True) -> WorkOrder:
    found = uow.work_orders.get(number, lock)
    if found is None or not may_see(principal, found):
        raise NotFound(f"no work order {number!r}", f"没有工单 {number}")
    return found


def _change(ctx: ServiceContext, number: str, principal: Principal, actor: Actor,
            change: Callable[[UnitOfWork, WorkOrder], None]) -> WorkOrder:
    def work(uow: UnitOfWork) -> WorkOrder:
        order = _find(uow, number, principal)
        change(uow, order)
        save_order(uow, order, actor, ctx.clock())
        return order

    return in_transaction(ctx, work)


def _of_department(principal: Principal, order: WorkOrder, doing: str) -> None:
    if not (principal.works_in_department and order.department == principal.department):
        raise Forbidden(f"{principal.login} is not of the department holding {order.number}",
                        f"只有承办部门可以{doing}")


def assign_order(ctx: ServiceContext, number: str, department: str, reason: str, principal: Principal,
                 actor: Actor) -> WorkOrder:
    """分类交办 by the supervisors, or 转办 by them or by the head of the department holding it."""
    def work(uow: UnitOfWork) -> WorkOrder:
        order = _find(uow, number, principal)
        holding_head = Role.HEAD in principal.roles and order.department == principal.department
        if Role.SUPERVISOR not in principal.roles and not holding_head:
            raise Forbidden(f"{principal.login} may not assign {number}",
                            "只有效能监督人员或承办部门负责人可以交办、转办")
        assign_to(uow, ctx, order, department, reason, actor, ctx.clock())
        return order

    return in_transaction(ctx, work)


def respond_order(ctx: ServiceContext, number: str, note: str, principal: Principal, actor: Actor) -> WorkOrder:
    def change(uow: UnitOfWork, order: WorkOrder) -> None:
        _of_department(principal, order, "响应")
        order.respond(note, ctx.clock())

    return _change(ctx, number, principal, actor, change)


def reply_order(ctx: ServiceContext, number: str, reply: str, principal: Principal, actor: Actor) -> WorkOrder:
    """The department's written reply; whoever raised it is told (SMS and in-app) to read and confirm it."""
    def change(uow: UnitOfWork, order: WorkOrder) -> None:
        _of_department(principal, order, "答复")
        now = ctx.clock()
        order.answer(reply, now)
        if order.phone:
            params = {"number": order.number,
                      "department": known_departments(uow).get(order.department or "", order.department or "")}
            uow.outbox.add([OutboxMessage(f"work_order:{order.id}:replied:{now.isoformat()}:{channel}",
                                          NotificationKind.WORK_ORDER_REPLIED, channel, recipient, params, now)
                            for channel, recipient in recipients_of_phone(order.phone)])

    return _change(ctx, number, principal, actor, change)


def confirm_order(ctx: ServiceContext, number: str, satisfied: bool, comment: str, principal: Principal,
                  actor: Actor) -> WorkOrder:
    """Whoever raised it (the applicant, signed in) confirms or disputes the reply."""
    def change(uow: UnitOfWork, order: WorkOrder) -> None:
        if Role.APPLICANT not in principal.roles or order.phone != principal.login:
            raise Forbidden(f"{principal.login} did not raise {number}", "只有提出诉求的申请人可以确认答复")
        order.confirm(satisfied, comment, ctx.clock())

    return _change(ctx, number, principal, actor, change)


def call_back(ctx: ServiceContext, number: str, callback: str, principal: Principal, actor: Actor) -> WorkOrder:
    """回访: the supervisors record the callback and close a replied order."""
    def change(uow: UnitOfWork, order: WorkOrder) -> None:
        if Role.SUPERVISOR not in principal.roles:
            raise Forbidden(f"{principal.login} may not close {number}", "只有效能监督人员可以回访办结")
        order.close_after_callback(callback, ctx.clock())

    return _change(ctx, number, principal, actor, change)


@dataclass(frozen=True)
class OrderView:
    order: WorkOrder
    events: list[WorkOrderEvent]
    masked: bool
    """Names and numbers hidden (an outside supervisor's view)."""


def get_order(ctx: ServiceContext, number: str, principal: Principal) -> OrderView:
    with ctx.uow(False) as uow:
        order = _find(uow, number, principal, lock=False)
        return OrderView(order, uow.work_orders.events(order.id), _masked(principal))


def _masked(principal: Principal) -> bool:
    return Role.MONITOR in principal.roles and Role.SUPERVISOR not in principal.roles


def list_orders(ctx: ServiceContext, principal: Principal, criteria: WorkOrderCriteria, page: int = 1,
                per_page: int = 50) -> Page[WorkOrder]:
    """The orders the viewer may see that match, newest first."""
    if {Role.SUPERVISOR, Role.MONITOR} & principal.roles:
        scoped = criteria
    elif principal.works_in_department:
        if criteria.department not in (None, principal.department):
            raise Forbidden("a department reads its own work orders", "您只能查看本部门的工单")
        scoped = replace(criteria, department=principal.department)
    elif Role.APPLICANT in principal.roles:
        scoped = replace(criteria, phone=principal.login)
    elif Role.CLERK in principal.roles:
        scoped = replace(criteria, channel="window")
    else:
        raise Forbidden(f"{principal.login} reads no work orders", "您无权查看工单")
    with ctx.uow(False) as uow:
        return uow.work_orders.search(scoped, page, per_page)


def sweep_work_orders(ctx: ServiceContext) -> int:
    """The ticker: each open order's card from its running clock; one turning red is escalated to the
    supervisors (督办), once. Answers how many were escalated."""
    def work(uow: UnitOfWork) -> int:
        now = ctx.clock()
        today, calendar, by_kind = shanghai_day(now), ctx.calendars.get(uow), rules(uow)
        escalated = 0
        for order in uow.work_orders.open_orders(lock=True):
            card = order.colour_at(today, calendar, by_kind[order.kind])
            if card == order.colour and (card != "red" or order.escalated_at is not None):
                continue
            order.colour = card
            if card == "red" and order.escalated_at is None:
                order.escalated_at, escalated = now, escalated + 1
                running = order.clock(by_kind[order.kind])
                uow.work_orders.record(order.id, "WorkOrderEscalated", SYSTEM, now,
                                       {"clock": running[0] if running else None,
                                        "due": running[1].isoformat() if running else None})
            uow.work_orders.save(order)
        return escalated

    return in_transaction(ctx, work)


OPEN_STATES = tuple(str(s) for s in WorkOrderState if s != WorkOrderState.CLOSED)
