"""BPMN timers and the ticker that drives everything time does: timers fire, clocks change colour,
cases whose tolerated materials were not supplied in time are terminated.

A timer fires at most once however many tickers run: each case is handled under its row lock, and
the second ticker to get the lock finds the timer no longer due (the case row records when the next
timer is due, and its version guards the write)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.domain.clocks import working_days_later
from engine.domain.model import SYSTEM, CaseStatus
from engine.services.bookings import sweep_bookings
from engine.services.clocks import refresh_clocks
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.materials import terminate_overdue_cases
from engine.services.notifications import deliver_outbox, remind_tolerance_due
from engine.services.progress import load_workflow, save_progress
from engine.services.report_days import seal_report_days
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.services.work_order_actions import sweep_work_orders
from engine.workflow.case_workflow import WorkflowError

LOG = logging.getLogger("onething.ticker")


def fire_due_timers(ctx: ServiceContext) -> list[str]:
    """Fire the timers that are due, each case in its own transaction; answers '<case>: <timer>'."""
    now = ctx.clock()
    with ctx.uow(False) as uow:
        due = uow.cases.timers_due(now)
    fired: list[str] = []
    for case_id in due:
        def work(uow: UnitOfWork, case_id: int = case_id) -> list[str]:
            case = uow.cases.lock(case_id)
            if case is None or CaseStatus(case.status).is_finished or case.next_timer_at is None \
                    or case.next_timer_at > now:
                return []  # fired by another ticker meanwhile, or finished
            wf = load_workflow(ctx, uow, case)
            open_before = {t.id: t.name for t in wf.waiting_tasks()}
            try:
                names = wf.fire_timers()
            except WorkflowError as err:  # an incident on the case (save_progress), not a crashed ticker
                wf.halt(err)
                names = []
            for name in names:
                record_event(uow, case, "TimerFired", SYSTEM, now, {"timer": name})
            save_progress(ctx, uow, case, wf, now, SYSTEM, open_before=open_before)
            return [f"{case.number}: {name}" for name in names]

        fired += in_transaction(ctx, work)
    return fired


@dataclass
class TickReport:
    timers: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    clocks: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    notifications: list[str] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)
    work_orders: int = 0
    """Work orders escalated to the supervisors (a clock turned red)."""
    sealed: dict[str, int] = field(default_factory=dict)
    """Rows the report roll-ups wrote for days that ended (none most ticks)."""

    def lines(self) -> list[str]:
        return ([f"timer fired: {t}" for t in self.timers] + [f"terminated: {n}" for n in self.terminated]
                + [f"clock changed: {n}" for n in self.clocks] + [f"reminded: {n}" for n in self.reminded]
                + [f"booking {n}" for n in self.bookings] + [f"notification {n}" for n in self.notifications]
                + ([f"work orders escalated: {self.work_orders}"] if self.work_orders else [])
                + [f"report days sealed: {name} {rows} rows" for name, rows in self.sealed.items() if rows])


def tick(ctx: ServiceContext) -> TickReport:
    """One pass of the ticker (the CLI, the in-process scheduler and the Celery beat all call this)."""
    report = TickReport()
    report.timers = fire_due_timers(ctx)
    report.terminated = terminate_overdue_cases(ctx)
    report.clocks = refresh_clocks(ctx)
    report.reminded = remind_tolerance_due(ctx)
    report.bookings = sweep_bookings(ctx)
    report.work_orders = sweep_work_orders(ctx)
    report.notifications = deliver_outbox(ctx)
    report.sealed = seal_report_days(ctx)
    return report


def timer_functions(ctx: ServiceContext) -> dict[str, Callable[..., Any]]:
    """Functions BPMN expressions may call, for timers counted in working days:
    ``<timeDate>working_days(3)</timeDate>`` is the same time of day on the third working day from
    now (Asia/Shanghai days, China's holidays and adjusted weekends, the administrators' overrides)."""
    def working_days(n: Any) -> str:
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 366:
            raise ValueError(f"working_days takes a whole number of days from 0 to 366, not {n!r}")
        # SpiffWorkflow compares timers with the wall clock, so this reads the wall clock too.
        return working_days_later(datetime.now(UTC), n, ctx.calendars.current).isoformat()

    return {"working_days": working_days}


class Ticker:
    """The single-machine default: a daemon thread that ticks every ``interval`` seconds. Several
    processes may each run one (and cron, and Celery beat): a timer still fires once."""

    def __init__(self, ctx: ServiceContext, interval: float) -> None:
        self.ctx, self.interval = ctx, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="onething-ticker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                for line in tick(self.ctx).lines():
                    LOG.info("ticker: %s", line)
            except Exception:  # keep ticking: one bad case must not stop every clock
                LOG.exception("ticker pass failed")
