"""Savings per case (四减一优), recorded in the transaction that closes the case: the case's facts
(window visits, human steps, working days to results, materials, form fields) are read cheaply,
measured against the bundle's items done separately under the context's counting rules, and
stored in ``case_savings``, so that reports read figures and never recompute them from events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import Pause, shanghai_day
from engine.domain.model import Delivery, ItemStatus, TaskKind, TaskState
from engine.domain.records import CaseRecord, TaskRecord
from engine.domain.savings import CaseFacts, compute_case_savings
from engine.domain.savings_rules import Channel, MaterialUse, TripKind
from engine.domain.savings_time import ApprovalTime, CaseTime, case_time
from engine.persistence.clock_store import PauseRow
from engine.persistence.savings_store import CaseEvent, StoredSavings
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

WINDOW_VISITS = {
    "CaseAccepted": TripKind.INTAKE,
    "MaterialsSupplied": TripKind.SUPPLY,  # tolerated (容缺) materials brought later
    "CorrectionSupplied": TripKind.SUPPLY,  # corrected (补正) materials
    "ResultsHandedOver": TripKind.PICKUP,
}
"""The events the window records while the applicant stands at it, and why the applicant came."""

RESULTS_READY = "ResultsReady"
FACT_EVENTS = frozenset({*WINDOW_VISITS, RESULTS_READY})


def window_trips(events: Iterable[CaseEvent], channel: Channel) -> tuple[tuple[TripKind, ...], Delivery]:
    """The applicant's trips to the window, and how the results were delivered.

    An online application makes no intake trip, materials the applicant uploads for a correction or
    a tolerated gap no supply trip, and results sent by mail or issued as e-licences no pickup trip
    (DOMAIN.md: "0 for online + mailed results"). Everything the window records for the
    case on one day (Asia/Shanghai) is one visit: an applicant who brings the materials of two
    corrections together, or supplies a tolerated material when collecting the results, comes once;
    the visit is named after the first thing recorded that day."""
    visits: dict[date, TripKind] = {}
    delivery = Delivery.WINDOW
    for event in events:
        kind = WINDOW_VISITS.get(event.type)
        if kind is None or (kind is TripKind.INTAKE and channel is Channel.ONLINE):
            continue
        if kind is TripKind.SUPPLY and event.data.get("channel") == Channel.ONLINE:
            continue  # uploaded by the applicant, not brought to the window
        if kind is TripKind.PICKUP:
            delivery = Delivery(str(event.data.get("delivery") or Delivery.WINDOW))
            if delivery is not Delivery.WINDOW:
                continue
        visits.setdefault(shanghai_day(event.occurred_at), kind)
    return tuple(visits.values()), delivery


def results_ready_at(events: Sequence[CaseEvent], closed_at: datetime) -> datetime:
    """When the last department decided (``ResultsReady``); the closing moment if none did."""
    ready = [e.occurred_at for e in events if e.type == RESULTS_READY]
    return ready[-1] if ready else closed_at


def approval_times(tasks: Iterable[TaskRecord], pauses: Iterable[PauseRow]) -> list[ApprovalTime]:
    """Each approval of the case with its special procedures. A cancelled one (the workflow dropped
    it, or the case was terminated) is left out: it decided nothing, and its row does not say when
    it stopped."""
    by_task: dict[str, list[Pause]] = defaultdict(list)
    for p in pauses:
        by_task[p.task_id].append(Pause(p.started_at, p.ended_at, p.reason, p.procedure))  # type: ignore[arg-type]
    return [ApprovalTime(task.created_at, task.completed_at, tuple(by_task.get(task.id, ())))
            for task in tasks if task.kind == TaskKind.APPROVAL and task.state != TaskState.CANCELLED]


def working_days_to_results(accepted_at: datetime, ready_at: datetime, tasks: Iterable[TaskRecord],
                            pauses: Iterable[PauseRow], calendar: WorkingCalendar) -> CaseTime:
    """Working days from acceptance (not counted) to results ready, and those on which special
    procedures stopped the case: every approval open that day was paused (engine.domain.savings_time)."""
    return case_time(accepted_at, ready_at, approval_times(tasks, pauses), calendar)


def completed_steps(tasks: Iterable[TaskRecord]) -> tuple[TaskKind, ...]:
    """The kind of every task the case completed (its human steps), oldest first."""
    done = sorted((task for task in tasks if task.state == TaskState.COMPLETED and task.completed_at is not None),
                  key=lambda task: task.completed_at or datetime.min)
    return tuple(task.kind for task in done)  # type: ignore[misc]


def record_case_savings(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord) -> StoredSavings:
    """Measure the case that is closing and store its figures; call in the closing transaction."""
    if case.closed_at is None:
        raise ValueError(f"case {case.number} is not closed")
    uow.events.flush()  # the events of this very transaction (the handing over) are facts too
    row = uow.flows.bundle(case.bundle_code)
    if row is None:
        raise ValueError(f"case {case.number} belongs to no known bundle")
    catalogue = ctx.catalogues.get(uow, row.definition)
    events = [CaseEvent(e.type, e.occurred_at, dict(e.data or {}))
              for e in uow.events.for_case(case.id) if e.type in FACT_EVENTS]
    channel = Channel(case.channel)
    trips, delivery = window_trips(events, channel)
    ready_at = results_ready_at(events, case.closed_at)
    tasks = uow.tasks.of_case(case.id)
    took = working_days_to_results(case.accepted_at, ready_at, tasks, uow.clocks.pauses_of_case(case.id),
                                   ctx.calendars.get(uow))
    form = catalogue.form()
    asked = form.keys
    facts = CaseFacts(
        bundle_code=case.bundle_code, case_number=case.number, channel=channel, result_delivery=delivery,
        trips=trips, steps=completed_steps(tasks),
        working_days_elapsed=took.elapsed_days, paused_working_days=took.paused_days,
        materials={key: MaterialUse(status) for key, status in case.materials.items()},
        fields_asked=asked, fields_prefilled=tuple(k for k in case.prefilled if k in asked),
        fields_prefillable=tuple(f.key for f in form.fields if f.prefill),
        # The catalogue states fees as local-rate texts, not amounts, and the engine records no
        # payment: the fee figure stays 0 against 0 until a case carries amounts.
        fees_paid=0.0,
    )
    items = uow.items.for_case(case.id)
    departments = tuple(sorted({item.department for item in items}))
    # An item not applicable (its prerequisite refused) would not have been applied for alone either:
    # the baseline is the items the applicant really needed.
    dropped = {item.item_code for item in items if item.status == ItemStatus.NOT_APPLICABLE}
    bundle = replace(catalogue.bundle, items=tuple(i for i in catalogue.bundle.items if i.code not in dropped))
    stored = StoredSavings(case.id, case.accepted_at, case.closed_at,
                           compute_case_savings(bundle, facts, ctx.savings_rules), took.elapsed_days,
                           took.paused_days, departments, case.accepted_point)
    uow.savings.add(stored)
    return stored


def backfill_savings(ctx: ServiceContext) -> list[str]:
    """Measure every closed case that has no figures yet (closed before savings were measured),
    each in its own transaction; answers their case numbers."""
    with ctx.uow(False) as uow:
        missing = uow.savings.closed_without_savings()
    done = []
    for case_id in missing:
        def work(uow: UnitOfWork, case_id: int = case_id) -> str | None:
            case = uow.cases.lock(case_id)
            if case is None or case.closed_at is None or uow.savings.get(case_id) is not None:
                return None
            record_case_savings(uow, ctx, case)
            return case.number

        number = in_transaction(ctx, work)
        if number:
            done.append(number)
    return done
