"""Follow-up in the simulation (issue 28): the ratings applicants give (a few poor ones, which open
rectifications), the complaints some of them make online after their case, and the 12345 tickets
an operator enters about others; the supervisors assign each within a working day, the department
responds and replies within a few days (now and then late, so that the ticker escalates), and the
applicant confirms the reply or disputes it once. All through the real use cases."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from engine.domain.access import APPLICANTS, Permission, Principal, Role
from engine.domain.calendar import WorkingCalendar
from engine.domain.errors import DomainError
from engine.domain.model import OFFICE, Actor
from engine.domain.work_orders import WorkOrderState
from engine.persistence.work_order_store import WorkOrderCriteria
from engine.services.context import ServiceContext
from engine.services.simulation_review import later_in_office
from engine.services.work_order_actions import (
    assign_order,
    call_back,
    confirm_order,
    list_orders,
    reply_order,
    respond_order,
)
from engine.services.work_orders import RaiseOrder, raise_order

POOR_RATING_REASON = "窗口等候时间长，告知不够清楚"
RATINGS = (5, 4, 3, 2, 1)
RATING_WEIGHTS = (58, 26, 11, 3, 2)
"""How applicants rate (好差评): mostly satisfied; one in twenty a 差评."""
COMPLAINTS = 0.03
"""The share of applicants who complain online about their case after it."""
HOTLINE = 0.015
"""The share of cases a caller rings 12345 about."""
LATE = 0.15
"""The share of replies a department gives after their due day."""
DISPUTED = 0.15
"""The share of replies the applicant disputes (once)."""
SUPERVISOR = Principal(0, "sim.office", "模拟效能监督", OFFICE, frozenset({Role.SUPERVISOR}))

Schedule = Callable[[datetime, Callable[[], None]], None]
T = TypeVar("T")


class FollowUpDesk:
    def __init__(self, ctx: ServiceContext, rng: random.Random, calendar: WorkingCalendar, schedule: Schedule,
                 clock: Callable[[], datetime]) -> None:
        self.ctx, self.rng, self.calendar, self.schedule, self.now = ctx, rng, calendar, schedule, clock
        self.raised = 0

    def rating(self) -> int:
        return self.rng.choices(RATINGS, RATING_WEIGHTS)[0]

    def after_close(self, number: str, name: str, phone: str, departments: list[str]) -> None:
        """Some applicants complain online; about some cases a caller rings 12345; a poor rating's
        rectification waits for the supervisors to assign it."""
        if self.rng.random() < COMPLAINTS:
            applicant = Principal(0, phone, name, APPLICANTS, frozenset({Role.APPLICANT}))
            self._later(self.rng.randint(0, 5), lambda: self._raise(
                applicant, Actor(phone, APPLICANTS, "applicant"),
                RaiseOrder("complaint", f"对办件 {number} 的投诉", "办理过程中多次往返，告知不清。", name=name,
                           case_number=number), departments))
        if self.rng.random() < HOTLINE:
            self._later(self.rng.randint(0, 3), lambda: self._raise(
                SUPERVISOR, SUPERVISOR.actor(Permission.WORK_ORDERS),
                RaiseOrder("hotline", f"12345 来电：办件 {number}", "来电反映办理进度不清楚。", name=name, phone=phone,
                           case_number=number, external_number=f"12345-{self.rng.randrange(10**7, 10**8)}"),
                departments))
        waiting = list_orders(self.ctx, SUPERVISOR, WorkOrderCriteria(
            states=(str(WorkOrderState.OPEN),), kind="rectification", case_number=number)).items
        for order in waiting:  # 差评整改 of a rating naming no department: the supervisors assign it
            self._later(self.rng.randint(0, 1), self._assigning(order.number, departments))

    def _assigning(self, number: str, departments: list[str]) -> Callable[[], None]:
        return lambda: self._assign(number, departments)

    def _soon(self, action: Callable[[], None]) -> None:
        """Within the hour, the same day."""
        self.schedule(self.now() + timedelta(minutes=self.rng.randint(5, 50)), action)

    def _later(self, days: int, action: Callable[[], None]) -> None:
        self.schedule(later_in_office(self.now(), days, self.calendar, self.rng), action)

    def _raise(self, who: Principal, actor: Actor, cmd: RaiseOrder, departments: list[str]) -> None:
        order = self._quietly(lambda: raise_order(self.ctx, cmd, who, actor))
        if order is None:
            return
        self.raised += 1
        self._soon(lambda: self._assign(order.number, departments, who))  # 分类交办 at once

    def _assign(self, number: str, departments: list[str], applicant: Principal | None = None) -> None:
        department = self.rng.choice(departments)
        actor = SUPERVISOR.actor(Permission.WORK_ORDERS)
        if self._quietly(lambda: assign_order(self.ctx, number, department, "", SUPERVISOR, actor)) is None:
            return
        staff = Principal(0, f"sim.{department}", "模拟承办", department, frozenset({Role.REVIEWER}))
        self._soon(lambda: self._handle(number, staff, applicant))  # 当天响应

    def _handle(self, number: str, staff: Principal, applicant: Principal | None) -> None:
        actor = staff.actor(Permission.WORK_ORDERS)
        self._quietly(lambda: respond_order(self.ctx, number, "已联系申请人", staff, actor))
        days = self.rng.randint(4, 8) if self.rng.random() < LATE else self.rng.randint(1, 3)
        self._later(days, lambda: self._reply(number, staff, applicant))

    def _reply(self, number: str, staff: Principal, applicant: Principal | None, again: bool = False) -> None:
        text = "已核实并整改，向申请人说明情况。" if not again else "已再次核实，问题已解决。"
        actor = staff.actor(Permission.WORK_ORDERS)
        if self._quietly(lambda: reply_order(self.ctx, number, text, staff, actor)) is None:
            return
        if applicant is None or Role.APPLICANT not in applicant.roles:  # a hotline ticket, a rectification
            self._later(self.rng.randint(1, 2), lambda: self._call_back(number))
            return
        satisfied = again or self.rng.random() >= DISPUTED
        self._later(self.rng.randint(0, 2), lambda: self._confirm(number, staff, applicant, satisfied))

    def _call_back(self, number: str) -> None:
        """回访: the supervisors call whoever raised it and close the order."""
        actor = SUPERVISOR.actor(Permission.WORK_ORDERS)
        self._quietly(lambda: call_back(self.ctx, number, "电话回访，诉求人表示认可", SUPERVISOR, actor))

    def _confirm(self, number: str, staff: Principal, applicant: Principal, satisfied: bool) -> None:
        actor = Actor(applicant.login, APPLICANTS, "applicant")
        comment = "" if satisfied else "问题仍未解决"
        if self._quietly(lambda: confirm_order(self.ctx, number, satisfied, comment, applicant, actor)) is None:
            return
        if not satisfied:
            self._later(self.rng.randint(1, 3), lambda: self._reply(number, staff, applicant, again=True))

    @staticmethod
    def _quietly(action: Callable[[], T]) -> T | None:
        """What a simulated person does that the engine refuses (a state changed meanwhile) is dropped."""
        try:
            return action()
        except DomainError:
            return None
