"""Work orders (工单, issue 28): what an applicant, a hotline operator, the window or an outside
supervisor raises about the service — a poor rating's rectification (差评整改), a complaint (有诉即办),
something that could not get done (办不成事), a 12345 hotline ticket, a supervisor's observation —
with their own working-day clocks: a response, a written reply, and the order closed within its
longest limit (当天响应、三天回复、十五天跟踪 by default; per kind in the catalogue). A department
responds and replies; the applicant confirms or disputes the reply; the supervisor assigns,
transfers and, after a callback (回访), closes. A clock turning red escalates to the supervisors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import Colour, colour_by_due, shanghai_day
from engine.domain.errors import Conflict, InvalidInput


class WorkOrderKind(StrEnum):
    RECTIFICATION = "rectification"
    """差评整改: opened by a poor rating (1 or 2) for the department concerned."""
    COMPLAINT = "complaint"
    """投诉 (有诉即办): about a case or the service, from the window or the applicant online."""
    CANNOT_DO = "cannot_do"
    """办不成事: something the applicant could not get done, from the 办不成事 window or online."""
    HOTLINE = "hotline"
    """A 12345 hotline ticket an operator enters with its external number."""
    OBSERVATION = "observation"
    """An outside supervisor's (特邀监督员) observation."""


KIND_NAMES: Mapping[WorkOrderKind, str] = {
    WorkOrderKind.RECTIFICATION: "差评整改", WorkOrderKind.COMPLAINT: "投诉",
    WorkOrderKind.CANNOT_DO: "办不成事", WorkOrderKind.HOTLINE: "12345 热线工单",
    WorkOrderKind.OBSERVATION: "监督员意见",
}


class WorkOrderState(StrEnum):
    OPEN = "open"
    """Not yet with a department (分类交办 waits)."""
    ASSIGNED = "assigned"
    """With a department, not yet responded to."""
    RESPONDED = "responded"
    """The department took it up (响应); a disputed reply comes back here."""
    REPLIED = "replied"
    """The department's written reply (答复) waits for the applicant's confirmation or the callback."""
    CLOSED = "closed"


STATE_NAMES: Mapping[WorkOrderState, str] = {
    WorkOrderState.OPEN: "待交办", WorkOrderState.ASSIGNED: "待响应", WorkOrderState.RESPONDED: "办理中",
    WorkOrderState.REPLIED: "已答复待确认", WorkOrderState.CLOSED: "已办结",
}
CHANNELS = {"window": "窗口", "online": "网上", "hotline": "12345 热线", "rating": "好差评", "monitor": "特邀监督员"}
OUTCOMES = {"confirmed": "申请人认可", "disputed": "申请人不认可", "callback": "回访后办结"}


@dataclass(frozen=True)
class ClockRule:
    """A kind's limits in working days after the day it was raised: 0 is the same working day."""

    response_days: int = 0
    reply_days: int = 3
    close_days: int = 15

    def problems(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name in ("response_days", "reply_days", "close_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 60:
                found[name] = ["须为 0 至 60 的整数（工作日；0 为当天）"]
        if not found and not self.response_days <= self.reply_days <= self.close_days:
            found["close_days"] = ["须满足 响应 ≤ 答复 ≤ 办结"]
        return found


def rule_of(definition: Mapping[str, Any] | None) -> ClockRule:
    definition = definition or {}
    return ClockRule(definition.get("response_days", 0), definition.get("reply_days", 3),
                     definition.get("close_days", 15))


def due_day(raised: datetime, days: int, calendar: WorkingCalendar) -> date:
    """The day a limit of ``days`` working days ends: 0 is the day it was raised, or the next working
    day when raised on a day off; N the Nth working day after the day raised."""
    day = shanghai_day(raised)
    if days == 0:
        return day if calendar.is_working_day(day) else calendar.add_working_days(day, 1)
    return calendar.add_working_days(day, days)


@dataclass
class WorkOrder:
    number: str
    kind: WorkOrderKind
    channel: str
    title: str
    description: str
    raised_at: datetime
    raised_by: str
    response_due: date
    reply_due: date
    close_due: date
    state: WorkOrderState = WorkOrderState.OPEN
    name: str | None = None
    """Who raised it (the applicant, the caller); none for a supervisor's observation."""
    phone: str | None = None
    case_number: str | None = None
    external_number: str | None = None
    """A 12345 ticket's number in the hotline's system."""
    category: str | None = None
    department: str | None = None
    point: str | None = None
    """The service point it concerns, when known (the case's, the window's)."""
    rating: int | None = None
    responded_at: datetime | None = None
    replied_at: datetime | None = None
    reply: str | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    colour: str = "green"
    escalated_at: datetime | None = None
    id: int = 0
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list, repr=False, compare=False)
    """What the last changes recorded, for the order's timeline (taken by the service)."""

    def clock(self, rule: ClockRule) -> tuple[str, date, int] | None:
        """The clock that runs now under the kind's ``rule``: which, its due day and its limit in
        working days; None once closed."""
        if self.state == WorkOrderState.CLOSED:
            return None
        if self.responded_at is None:
            return "response", self.response_due, rule.response_days
        if self.replied_at is None:
            return "reply", self.reply_due, rule.reply_days
        return "close", self.close_due, rule.close_days

    def colour_at(self, today: date, calendar: WorkingCalendar, rule: ClockRule) -> Colour:
        """红黄牌 of the running clock; a closed order keeps the card it closed with."""
        running = self.clock(rule)
        if running is None:
            return "red" if self.colour == "red" else "green"
        _, due_on, limit = running
        return colour_by_due(limit, today, due_on, calendar)

    # -- changes ------------------------------------------------------------------------------

    def _record(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))

    def _not_now(self, doing: str) -> Conflict:
        return Conflict(f"work order {self.number} is {self.state}",
                        f"工单当前为“{STATE_NAMES[self.state]}”，不能{doing}")

    def _open(self, doing: str) -> None:
        if self.state == WorkOrderState.CLOSED:
            raise Conflict(f"work order {self.number} is closed", f"工单 {self.number} 已办结，不能再{doing}")

    def assign(self, department: str, reason: str, now: datetime) -> None:
        """分类交办 to a department, or transfer (转办) from the one holding it with the reason; the clocks
        run on from when the order was raised."""
        self._open("交办")
        if department == self.department:
            raise Conflict(f"work order {self.number} is already with {department}", "工单已在该部门")
        if self.department is not None and not reason.strip():
            raise InvalidInput("a transfer needs its reason", "转办须写明理由", {"reason": ["转办须写明理由"]})
        before = self.department
        self.department = department
        if self.state in (WorkOrderState.OPEN, WorkOrderState.REPLIED):
            self.state = WorkOrderState.ASSIGNED if self.responded_at is None else WorkOrderState.RESPONDED
        self._record("WorkOrderTransferred" if before else "WorkOrderAssigned",
                     {"from": before, "to": department, "reason": reason.strip() or None})

    def respond(self, note: str, now: datetime) -> None:
        """The department takes it up (响应)."""
        if self.state != WorkOrderState.ASSIGNED:
            raise self._not_now("响应")
        self.state, self.responded_at = WorkOrderState.RESPONDED, now
        self._record("WorkOrderResponded", {"note": note.strip() or None})

    def answer(self, reply: str, now: datetime) -> None:
        """The department's written reply (答复) to whoever raised it."""
        if self.state not in (WorkOrderState.ASSIGNED, WorkOrderState.RESPONDED):
            raise self._not_now("答复")
        if not reply.strip():
            raise InvalidInput("the reply is empty", "请填写答复内容", {"reply": ["必填"]})
        if self.responded_at is None:  # replying is responding too
            self.responded_at = now
        self.state, self.replied_at, self.reply = WorkOrderState.REPLIED, now, reply.strip()
        self._record("WorkOrderReplied", {"reply": self.reply})

    def confirm(self, satisfied: bool, comment: str, now: datetime) -> None:
        """Whoever raised it confirms the reply (the order closes) or disputes it (back to the department,
        to be followed up within the closing limit)."""
        if self.state != WorkOrderState.REPLIED:
            raise Conflict(f"work order {self.number} is {self.state}", "工单尚未答复，不能确认")
        if not satisfied and not comment.strip():
            raise InvalidInput("a dispute needs its reason", "不认可答复时请写明理由", {"comment": ["必填"]})
        if satisfied:
            self.state, self.closed_at, self.outcome = WorkOrderState.CLOSED, now, "confirmed"
        else:
            self.state, self.replied_at, self.outcome = WorkOrderState.RESPONDED, None, "disputed"
        self._record("WorkOrderConfirmed" if satisfied else "WorkOrderDisputed", {"comment": comment.strip() or None})

    def close_after_callback(self, callback: str, now: datetime) -> None:
        """The supervisor closes a replied order after calling back (回访) whoever raised it."""
        if self.state != WorkOrderState.REPLIED:
            raise Conflict(f"work order {self.number} is {self.state}", "工单答复后方可回访办结")
        if not callback.strip():
            raise InvalidInput("the callback needs its record", "请记录回访情况", {"callback": ["必填"]})
        self.state, self.closed_at, self.outcome = WorkOrderState.CLOSED, now, "callback"
        self._record("WorkOrderCalledBack", {"callback": callback.strip()})

    def take_events(self) -> list[tuple[str, dict[str, Any]]]:
        taken, self.events = self.events, []
        return taken
