"""Many realistic cases through the real engine and database, on a settable clock, to measure what
bundling saves (四减一优) the way the reports do.

A discrete-event simulation: every action (an applicant arriving at the window, a department
deciding, a special procedure pausing a clock, an applicant coming back with materials or for the
results) is scheduled at a moment in office hours of a working day, and runs through the same use
cases the API calls, with the clock set to that moment. Applicants are drawn from the registries
(the demo set, seeded: most are known there, some records stale, a few newcomers unknown); some come
back for another bundle and then hold the e-licences their earlier cases issued. Cases
are online or at the window, accepted with gaps (容缺) or not, corrected (补正), rejected in part,
paused by special procedures, and collected at the window, mailed or issued as e-licences."""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol

from engine.domain.clocks import SHANGHAI, shanghai_day
from engine.domain.decisions import HandOver, SupplyCorrection
from engine.domain.errors import Conflict
from engine.domain.model import Actor, Bundle, Delivery, TaskKind
from engine.domain.records import TaskRecord
from engine.persistence.case_search import CaseCriteria
from engine.services.cases import PickUp, StartCase, pick_up, start_case
from engine.services.catalogue import get_bundle_catalogue, get_prefilled_form
from engine.services.context import ServiceContext
from engine.services.demo_registries import SEED, demo_registries, load_demo_registries
from engine.services.hall import service_points
from engine.services.materials import SupplyMaterials, supply_materials, terminate_overdue_cases
from engine.services.report_days import seal_report_days
from engine.services.shared_data import subject_fields
from engine.services.simulation_follow_up import POOR_RATING_REASON, FollowUpDesk
from engine.services.simulation_online import OnlineDesk, PendingApplication
from engine.services.simulation_people import (
    NEWCOMERS,
    STALE,
    Applicant,
    declare_materials,
    form_values,
    new_applicant,
)
from engine.services.simulation_review import Reviews, later_in_office, office_moment
from engine.services.tasks import CompleteTask, complete_task
from engine.services.views import list_bundles
from engine.services.work_order_actions import sweep_work_orders
from forms.samples import sample_values
from forms.subjects import SubjectKind

CLERK = Actor("sim.window", "window", "clerk")
NEAR_HOME = (0.35, 0.3)
"""Of the walk-ins whose bundle a township (then the district) accepts, the shares that apply there."""
HOME_VISITS = 0.05
"""Of the intakes near home, the share a clerk takes at the applicant's home (上门办理)."""


def clerk_at(point: str | None) -> Actor:
    """The window clerk of a service point (the centre's without one)."""
    return CLERK if point is None else Actor(f"sim.window.{point}", "window", "clerk", point=point)
REPEAT = 0.3
"""Chance that a case's applicant is someone whose earlier case was handed over."""
ONLINE = 0.3
"""Share of cases applied for online (网上申请)."""
DELIVERIES = ("window", "mail", "online")
DELIVERY_WEIGHTS = {"window": (0.7, 0.2, 0.1), "online": (0.1, 0.45, 0.45)}
"""How the results go out (窗口领取, 邮寄, 电子证照) after a window or an online application."""
NEVER_SUPPLIED = 0.03
"""Share of 容缺 cases whose applicant never brings the missing material: terminated at its due day."""
CASES_PER_DAY = 40


class SettableClock(Protocol):
    now: datetime

    def __call__(self) -> datetime: ...


class SimulationClock:
    """The engine's clock during a simulation: moved by the simulation, read by every use case."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class SimulationPlan:
    cases: int = 2000
    seed: int = 1
    bundles: tuple[str, ...] | None = None
    """Bundle codes; None for every deployed bundle."""
    days: int | None = None
    """Working days over which the cases arrive; by default about 40 a day."""
    stop_after: date | None = None
    """The last day simulated: the cases not finished by its end stay as they are (in review, waiting
    for a correction or for pickup), as in a live database. None: every case runs to its end."""


@dataclass
class SimulationResult:
    first_day: date
    started: int = 0
    closed: int = 0
    terminated: int = 0
    online: int = 0
    returned: int = 0
    """Online applications the window's 预审 returned once with what to fix."""
    repeat_applicants: int = 0
    tolerated: int = 0
    corrections: int = 0
    rejections: int = 0
    inspections: int = 0
    inspections_failed: int = 0
    pauses: int = 0
    last_day: date | None = None
    work_orders: int = 0
    """Complaints and 12345 tickets raised about the cases (rectifications come from the ratings)."""


@dataclass
class SimulatedCase:
    id: int
    number: str
    bundle: Bundle
    applicant: Applicant
    delivery: str
    supplies_tolerated: bool
    channel: str = "window"
    point: str | None = None
    """The service point that accepted it, where its window work and pickup happen (None: the centre)."""
    scheduled: set[str] = field(default_factory=set)
    """Tasks whose completion is already scheduled."""
    visit_planned: bool = False


class Simulation:
    def __init__(self, ctx: ServiceContext, clock: SettableClock, plan: SimulationPlan,
                 progress: Callable[[int, int], None] | None) -> None:
        self.ctx, self.clock, self.plan, self.progress = ctx, clock, plan, progress
        self.rng = random.Random(plan.seed)
        with ctx.uow(False) as uow:
            self.calendar = ctx.calendars.get(uow)
            if uow.reads.search_cases(CaseCriteria(), per_page=1).total:
                raise ValueError("the database already holds cases: simulate on a fresh one, so that the "
                                 "savings report counts the simulated cases only")
        deployed = {view.bundle.code: view.bundle for view in list_bundles(ctx) if view.record.deployed_version_id}
        codes = plan.bundles or tuple(sorted(deployed))
        unknown = sorted(set(codes) - set(deployed))
        if unknown:
            raise ValueError(f"no deployed bundle {', '.join(unknown)}; deployed: {', '.join(sorted(deployed))}")
        self.bundles = [deployed[code] for code in codes]
        self.first_day = self.calendar.add_working_days(shanghai_day(clock()), 1)
        self.result = SimulationResult(self.first_day)
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.returning: list[Applicant] = []
        self.cases: dict[str, SimulatedCase] = {}
        self.reviews = Reviews(ctx, self.rng, self.calendar, self.result)
        self.online = OnlineDesk(ctx, self.rng, CLERK)
        self.points = service_points(ctx)
        self.follow_up = FollowUpDesk(ctx, self.rng, self.calendar, self.schedule, lambda: self.clock.now)
        self.today = self.first_day
        # The registries hold the residents the applicants are drawn from: twice as many as cases, so
        # that parents of recent births and founders of enterprises do not run out.
        population = demo_registries(self.first_day, persons=max(400, 2 * plan.cases), seed=SEED + plan.seed)
        load_demo_registries(ctx, self.first_day, population)
        self.residents = list(population.people)
        self.rng.shuffle(self.residents)
        parents = {row["mother_id_number"] for row in population.rows["birth"]}
        founders = {row["legal_representative_id"] for row in population.rows["enterprise"]}
        self.pools = {SubjectKind.FAMILY_EVENT: [p for p in self.residents if p.id_number in parents],
                      SubjectKind.ENTERPRISE: [p for p in self.residents if p.id_number in founders]}

    def schedule(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.queue, (max(moment, self.clock.now), next(self.order), action))

    def run(self) -> SimulationResult:
        days = self.plan.days or max(5, math.ceil(self.plan.cases / CASES_PER_DAY))
        working = [self.calendar.add_working_days(self.first_day, n) for n in range(days)]
        for _ in range(self.plan.cases):
            self.schedule(office_moment(self.rng.choice(working), self.rng), self.arrive)
        while self.queue:
            moment, _, action = heapq.heappop(self.queue)
            if self.plan.stop_after is not None and shanghai_day(moment) > self.plan.stop_after:
                self.result.last_day = self.plan.stop_after
                self.result.work_orders = self.follow_up.raised
                return self.result
            if shanghai_day(moment) > self.today:  # the ticker's nightly pass: overdue 容缺 cases end
                self.today = shanghai_day(moment)
                self._terminate_overdue(datetime.combine(self.today, time(0, 1), SHANGHAI))
                sweep_work_orders(self.ctx)  # and work orders whose clock turned red are escalated
                seal_report_days(self.ctx)  # and the days over are summed for the reports
            self.clock.now = moment
            action()
        self.result.last_day = shanghai_day(self.clock.now)
        self.result.work_orders = self.follow_up.raised
        if self.cases:  # applicants who never came back: the ticker ends their cases at the due day
            self._terminate_overdue(self.clock.now + timedelta(days=30))
        return self.result

    def _terminate_overdue(self, moment: datetime) -> None:
        self.clock.now = max(self.clock.now, moment)
        for number in terminate_overdue_cases(self.ctx):
            self.result.terminated += 1
            self.cases.pop(number, None)
            self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.result.closed + self.result.terminated, self.plan.cases)

    def _applicant(self, subject: SubjectKind) -> Applicant:
        if self.returning and self.rng.random() < REPEAT:
            self.result.repeat_applicants += 1
            return self.rng.choice(self.returning)
        pool = self.pools.get(subject, self.residents)
        if pool and self.rng.random() >= NEWCOMERS:
            applicant = pool.pop()
            for others in (self.residents, *self.pools.values()):
                if applicant in others:
                    others.remove(applicant)
            if self.rng.random() < STALE:  # moved to a new phone since the registry recorded it
                applicant = replace(applicant, phone=f"199{self.rng.randint(0, 99_999_999):08d}")
        else:
            applicant = new_applicant(self.rng)  # unknown to the registries
        if applicant.bad_credit:
            self.reviews.list_bad_credit(applicant)
        return applicant

    def arrive(self) -> None:
        bundle = self.rng.choice(self.bundles)
        subject = get_bundle_catalogue(self.ctx, bundle.code).subject
        applicant = self._applicant(subject.kind)
        ref = applicant.credit_code if subject.lookup_key == "credit_code" else applicant.id_number
        # Whom the form's other fields name (an employee, a buyer): residents too; the seller is the applicant.
        about = {key: applicant.id_number if key.startswith("seller") or not self.residents
                 else self.rng.choice(self.residents).id_number
                 for key in sorted(subject_fields(get_bundle_catalogue(self.ctx, bundle.code)))}
        prefilled = get_prefilled_form(self.ctx, bundle.code, ref, applicant.id_number, CLERK, about=about)
        materials = declare_materials(prefilled, applicant, bundle.tolerance_days, self.rng)
        channel = "online" if self.rng.random() < ONLINE else "window"
        delivery = self.rng.choices(DELIVERIES, DELIVERY_WEIGHTS[channel])[0]
        block = applicant.as_applicant(prefilled.catalogue.subject)
        form = {**form_values(prefilled, applicant), **about}
        if channel == "online":
            full = {**sample_values(prefilled.form, applicant.known_values(prefilled.catalogue.subject)), **about}
            pending = self.online.apply(prefilled, applicant, block, full, materials, delivery)
            self.result.online += 1
            self.schedule(later_in_office(self.clock.now, self.rng.randint(0, 1), self.calendar, self.rng),
                          lambda: self.pre_review(pending, bundle))
            return
        point = self._point_for(bundle)
        place = "home" if point is not None and self.rng.random() < HOME_VISITS else "hall"
        applied = start_case(StartCase(bundle.code, block, clerk_at(point), channel, form=form, materials=materials,
                                       place=place), self.ctx)
        self._accepted(int(applied.resource_id), bundle, applicant, delivery, materials, channel, point)

    def _point_for(self, bundle: Bundle) -> str | None:
        """Where a walk-in applies: near home (就近办) when a township or the district accepts the bundle."""
        near = [p for p in self.points.values() if p.parent is not None and p.accepts(bundle.code)]
        townships = [p.code for p in near if p.level == "township"]
        counties = [p.code for p in near if p.level == "county"]
        draw = self.rng.random()
        if townships and draw < NEAR_HOME[0]:
            return self.rng.choice(townships)
        if counties and draw < sum(NEAR_HOME):
            return self.rng.choice(counties)
        return None

    def pre_review(self, pending: PendingApplication, bundle: Bundle) -> None:
        """网上预审 at the window; a returned application comes back fixed a working day or two later."""
        def resubmit_later() -> None:
            self.result.returned += 1
            self.schedule(later_in_office(self.clock.now, self.rng.randint(1, 2), self.calendar, self.rng),
                          lambda: self._resubmitted(pending, bundle))

        number = self.online.pre_review(pending, resubmit_later)
        if number is not None:
            case_id = self.reviews.case_id(number)
            self._accepted(case_id, bundle, pending.applicant, pending.delivery, pending.materials, "online")

    def _resubmitted(self, pending: PendingApplication, bundle: Bundle) -> None:
        self.online.resubmit(pending)
        self.schedule(later_in_office(self.clock.now, 0, self.calendar, self.rng),
                      lambda: self.pre_review(pending, bundle))

    def _accepted(self, case_id: int, bundle: Bundle, applicant: Applicant, delivery: str, materials: dict[str, str],
                  channel: str, point: str | None = None) -> None:
        self.result.started += 1
        tolerated = sorted(k for k, v in materials.items() if v == "tolerated")
        case = SimulatedCase(case_id, self.reviews.case_number(case_id), bundle, applicant, delivery,
                             not tolerated or self.rng.random() >= NEVER_SUPPLIED, channel, point)
        self.cases[case.number] = case
        if tolerated:
            self.result.tolerated += 1
            if case.supplies_tolerated:
                days = self.rng.randint(1, bundle.tolerance_days or 1)
                self.schedule(later_in_office(self.clock.now, days, self.calendar, self.rng),
                              lambda: self.visit(case))
                case.visit_planned = True
        self.follow(case)

    def follow(self, case: SimulatedCase) -> None:
        """Schedule what happens to each task the case now waits on."""
        if case.number not in self.cases:
            return
        for task in self.reviews.open_tasks(case.id):
            if task.id in case.scheduled:
                continue
            case.scheduled.add(task.id)
            if task.kind == TaskKind.APPROVAL:
                self.reviews.plan_approval(case.bundle, task, partial(self.decide, case, task), self.schedule)
            elif task.kind == TaskKind.INSPECTION:
                self.schedule(later_in_office(self.clock.now, self.reviews.inspection_days(), self.calendar, self.rng),
                              partial(self.inspect, case, task))
            elif task.kind == TaskKind.CORRECTION and not case.visit_planned:
                case.visit_planned = True
                self.schedule(later_in_office(self.clock.now, self.rng.randint(1, 4), self.calendar, self.rng),
                              lambda: self.visit(case))
            elif task.kind == TaskKind.PICKUP and case.supplies_tolerated:
                days = self.rng.randint(0, 3) if case.delivery == "window" else 0
                self.schedule(later_in_office(self.clock.now, days, self.calendar, self.rng),
                              lambda: self.collect(case))

    def decide(self, case: SimulatedCase, task: TaskRecord) -> None:
        payload = self.reviews.decision(case.bundle, task, case.applicant)
        if self._quietly(lambda: complete_task(CompleteTask(task.id, payload, self.reviews.reviewer(task)),
                                               self.ctx)):
            self.follow(case)

    def inspect(self, case: SimulatedCase, task: TaskRecord) -> None:
        answer = self.reviews.inspection(task)
        if self._quietly(lambda: complete_task(CompleteTask(task.id, answer, self.reviews.reviewer(task)), self.ctx)):
            self.follow(case)

    def visit(self, case: SimulatedCase) -> None:
        """The applicant at the window with what is missing: corrections and tolerated materials."""
        case.visit_planned = False
        if case.number not in self.cases:
            return
        if case.channel == "online" and self._supplied_online(case):
            self.follow(case)
            return
        self._supply_tolerated(case)
        for task in self.reviews.open_tasks(case.id):
            if task.kind == TaskKind.CORRECTION:
                supplied = self.reviews.requested(case.id, task.item_code)
                answer = SupplyCorrection(tuple(supplied))
                self._quietly(partial(complete_task, CompleteTask(task.id, answer, clerk_at(case.point)), self.ctx))
        self.follow(case)

    def _supplied_online(self, case: SimulatedCase) -> bool:
        corrections = [(str(task.item_code), self.reviews.requested(case.id, task.item_code))
                       for task in self.reviews.open_tasks(case.id) if task.kind == TaskKind.CORRECTION]
        tolerated = self.reviews.tolerated(case.id) if case.supplies_tolerated else []
        return self.online.supply(case.number, corrections, tolerated)

    def _supply_tolerated(self, case: SimulatedCase) -> None:
        if not case.supplies_tolerated:
            return
        outstanding = self.reviews.tolerated(case.id)
        if outstanding:
            self._quietly(lambda: supply_materials(SupplyMaterials(case.number, outstanding, clerk_at(case.point)),
                                                   self.ctx))

    def collect(self, case: SimulatedCase) -> None:
        """统一出件; an applicant still owing a tolerated material brings it on the same visit."""
        if case.number not in self.cases:
            return
        if case.channel == "online" and case.delivery == "online":
            if case.supplies_tolerated and self.reviews.tolerated(case.id):
                self._supplied_online(case)
            if self.online.take_elicences(case.number, self.follow_up.rating()):
                self._closed(case)
            return
        self._supply_tolerated(case)
        name = case.applicant.name if case.delivery == "window" else ""
        tracking = f"SIM{self.rng.randrange(10**9, 10**10)}" if case.delivery == "mail" else ""
        rating = self.follow_up.rating()
        comment = POOR_RATING_REASON if rating <= 2 else ""
        if self._quietly(lambda: pick_up(PickUp(case.number, HandOver(Delivery(case.delivery), name, rating, comment,
                                                                      tracking_number=tracking),
                                                      clerk_at(case.point)), self.ctx)):
            self._closed(case)

    def _closed(self, case: SimulatedCase) -> None:
        self.result.closed += 1
        del self.cases[case.number]
        self.follow_up.after_close(case.number, case.applicant.name, case.applicant.phone,
                                   self.reviews.departments(case.id))
        case.applicant.closed_cases += 1
        if case.applicant.closed_cases == 1:
            self.returning.append(case.applicant)
        self._report()

    def _quietly(self, action: Callable[[], object]) -> bool:
        """Run a use case; a case terminated meanwhile refuses it with a Conflict, which is fine."""
        try:
            action()
        except Conflict:
            return False
        return True


def simulate(ctx: ServiceContext, clock: SettableClock, plan: SimulationPlan,
             progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Run ``plan`` from the first working day after the clock's day; answers what happened (the
    savings are in the database, as for any case: ``savings_report``)."""
    if plan.cases < 1:
        raise ValueError("simulate at least one case")
    return Simulation(ctx, clock, plan, progress).run()
