"""The departments of a simulation: how long each takes to decide (within its promised limit, a few
overdue), which special procedures pause its clock, how its site inspections turn out (a few sites
fail, are put right after a correction and pass the second visit), and what it decides (approve with
a licence number, a correction once in a while, now and then a refusal); and the reads the
simulation makes of a case between its actions."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import SHANGHAI, SpecialProcedure, shanghai_day
from engine.domain.decisions import Approve, ItemDecision, Reject, RequestCorrection
from engine.domain.errors import Conflict
from engine.domain.inspections import InspectionResult, RecordInspection
from engine.domain.model import Actor, Bundle, Item
from engine.domain.records import TaskRecord
from engine.services.applicants import ListBadCredit, list_bad_credit
from engine.services.clock_actions import PauseTask, pause_task
from engine.services.context import ServiceContext
from engine.services.simulation_people import Applicant
from forms.checklist import MaterialStatus

if TYPE_CHECKING:
    from engine.services.simulation import SimulationResult

REJECT = 0.01
CORRECT = 0.025
"""Chances that a department's first review of an item refuses it (不予许可) or asks for a correction
(补正): over a bundle's five to nine items, about one case in six sees a correction."""
FAIL_INSPECTION = 0.06
"""Chance that a site fails its first inspection (现场核查不合格): the department then asks for 整改."""
OVERDUE = 0.04
"""Chance that a department takes a day or two longer than it promised."""
PAUSE = 0.8
"""Chance that an item whose catalogue lists a clock-pausing procedure goes through it."""
PROCEDURE_WORDS = (("听证", SpecialProcedure.HEARING), ("招标", SpecialProcedure.TENDER),
                   ("拍卖", SpecialProcedure.AUCTION), ("检验", SpecialProcedure.INSPECTION),
                   ("检测", SpecialProcedure.TESTING), ("检疫", SpecialProcedure.QUARANTINE),
                   ("鉴定", SpecialProcedure.APPRAISAL), ("专家评审", SpecialProcedure.EXPERT_REVIEW))
"""The catalogue names a procedure in words; the engine pauses a clock only for those of 行政许可法 art. 45."""

Schedule = Callable[[datetime, Callable[[], None]], None]


def office_moment(day: date, rng: random.Random) -> datetime:
    """A moment of the office day (9:00 to 17:00 in Shanghai)."""
    return datetime.combine(day, time(9), SHANGHAI) + timedelta(minutes=rng.randint(0, 8 * 60))


def later_in_office(moment: datetime, days: int, calendar: WorkingCalendar, rng: random.Random) -> datetime:
    """``days`` working days after ``moment`` at an office hour; 0 means later the same day (or the next
    working morning once the office has closed)."""
    if days > 0:
        return office_moment(calendar.add_working_days(shanghai_day(moment), days), rng)
    same_day = moment + timedelta(minutes=rng.randint(20, 180))
    if same_day.astimezone(SHANGHAI).time() <= time(17, 30):
        return same_day
    return datetime.combine(calendar.add_working_days(shanghai_day(moment), 1), time(9), SHANGHAI) + timedelta(
        minutes=rng.randint(0, 120))


def pausing_procedure(item: Item) -> tuple[SpecialProcedure, str] | None:
    for procedure in item.special_procedures:
        if procedure.pauses_clock:
            for word, kind in PROCEDURE_WORDS:
                if word in procedure.name:
                    return kind, procedure.name
    return None


class Reviews:
    def __init__(self, ctx: ServiceContext, rng: random.Random, calendar: WorkingCalendar,
                 result: SimulationResult) -> None:
        self.ctx, self.rng, self.calendar, self.result = ctx, rng, calendar, result
        self.corrected: set[tuple[int, str]] = set()
        self.failed_sites: set[tuple[int, str]] = set()
        self.inspected: set[tuple[int, str]] = set()

    @staticmethod
    def reviewer(task: TaskRecord) -> Actor:
        return Actor(f"sim.{task.department}", task.department, "reviewer")

    def review_days(self, limit: int | None, again: bool) -> int:
        """Working days a department takes: a triangular spread under its limit, a few overdue; a
        second look after a correction is quicker."""
        if not limit:
            return 0 if self.rng.random() < 0.9 else 1
        if again:
            return self.rng.randint(0, max(1, limit // 3))
        if self.rng.random() < OVERDUE:
            return limit + self.rng.randint(1, 2)
        return min(limit, round(self.rng.triangular(0, limit, limit * 0.35)))

    def plan_approval(self, bundle: Bundle, task: TaskRecord, decide: Callable[[], None],
                      schedule: Schedule) -> None:
        item = bundle.item(task.item_code or "")
        again = (task.case_id, task.item_code or "") in self.corrected
        days = self.review_days(task.limit_days, again)
        now = self.ctx.clock()
        paused = pausing_procedure(item) if item is not None and not again else None
        if paused is None or self.rng.random() >= PAUSE:
            schedule(later_in_office(now, days, self.calendar, self.rng), decide)
            return
        kind, name = paused
        start = later_in_office(now, 0, self.calendar, self.rng)

        def pause() -> None:
            try:
                pause_task(PauseTask(task.id, kind.value, f"{name}（{kind.label}）", self.reviewer(task)), self.ctx)
            except Conflict:
                return  # the case was terminated meanwhile
            self.result.pauses += 1

        schedule(start, pause)
        schedule(later_in_office(start, days + self.rng.randint(1, 5), self.calendar, self.rng), decide)

    def inspection_days(self) -> int:
        """Working days until the inspectors visit the site."""
        return self.rng.randint(1, 3)

    def inspection(self, task: TaskRecord) -> RecordInspection:
        """The first visit of a site fails now and then; the visit after its 整改 passes."""
        key = (task.case_id, task.item_code or "")
        first = key not in self.inspected
        self.inspected.add(key)
        self.result.inspections += 1
        if first and self.rng.random() < FAIL_INSPECTION:
            self.failed_sites.add(key)
            self.result.inspections_failed += 1
            return RecordInspection(InspectionResult.FAILED, None, "现场布局与申报的平面图不一致，需整改")
        self.failed_sites.discard(key)
        return RecordInspection(InspectionResult.PASSED, None, "现场与申报材料一致")

    def decision(self, bundle: Bundle, task: TaskRecord, applicant: Applicant) -> ItemDecision:
        item = bundle.item(task.item_code or "")
        key = (task.case_id, task.item_code or "")
        if key in self.failed_sites:  # 整改 once (the site is inspected again), else refused
            if item is not None and item.materials and key not in self.corrected:
                self.corrected.add(key)
                self.result.corrections += 1
                return RequestCorrection((item.materials[0].key,), "现场核查不合格，请按核查意见整改后补正")
            self.result.rejections += 1
            return Reject("现场核查不合格，整改后仍不符合法定条件")
        draw = self.rng.random()
        if draw < REJECT:
            self.result.rejections += 1
            return Reject("经审查不符合法定条件")
        if item is not None and item.materials and key not in self.corrected and draw < REJECT + CORRECT:
            self.corrected.add(key)
            self.result.corrections += 1
            return RequestCorrection((self.rng.choice(item.materials).key,), "材料内容不完整或不符合法定形式")
        if item is not None and item.grants == "business_licence":
            return Approve(applicant.credit_code)  # a business licence's number is the credit code
        if item is not None and item.grants == "food_permit":  # JY and 14 digits (licences.json)
            return Approve(f"JY1{task.case_id % 10**13:013d}")
        if item is not None and item.grants:  # the issuing department's own register: type, year, serial
            return Approve(f"{item.grants.upper()}-{task.created_at.year}-{task.case_id:07d}")
        return Approve()

    def open_tasks(self, case_id: int) -> list[TaskRecord]:
        with self.ctx.uow(False) as uow:
            return uow.tasks.open_for_case(case_id)

    def requested(self, case_id: int, item_code: str | None) -> list[str]:
        """What a correction of the item asked for."""
        with self.ctx.uow(False) as uow:
            items = uow.items.for_case(case_id)
        return next((list(i.materials_requested) for i in items if i.item_code == item_code), [])

    def tolerated(self, case_id: int) -> list[str]:
        """The case's materials still tolerated (容缺), not yet supplied."""
        with self.ctx.uow(False) as uow:
            case = uow.cases.get(case_id)
        return sorted(k for k, v in (case.materials if case else {}).items() if v == MaterialStatus.TOLERATED)

    def departments(self, case_id: int) -> list[str]:
        """The departments (their units, for a district's case) the case's items went to."""
        with self.ctx.uow(False) as uow:
            return sorted({item.department for item in uow.items.for_case(case_id)})

    def case_number(self, case_id: int) -> str:
        with self.ctx.uow(False) as uow:
            case = uow.cases.get(case_id)
        assert case is not None
        return case.number

    def case_id(self, number: str) -> int:
        with self.ctx.uow(False) as uow:
            case = uow.cases.get_by_number(number)
        assert case is not None
        return case.id

    def list_bad_credit(self, applicant: Applicant) -> None:
        list_bad_credit(ListBadCredit(applicant.id_number, "未履行告知承诺（模拟数据）", "信用中国（模拟）",
                                      Actor("sim.admin", "office", "admin")), self.ctx)
