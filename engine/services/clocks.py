"""Working-day clocks of department tasks and of cases: started when an approval opens (and the
case at acceptance), paused by special procedures, extended by a head, read for the views, and
refreshed by the ticker, which raises a warning for each change of colour (红黄牌)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import Clock, Extension, Pause, colour, colour_by_due, remaining_days, shanghai_day
from engine.domain.model import SYSTEM, Bundle, CaseStatus, Item, TaskKind, TaskState
from engine.domain.records import CaseRecord, TaskRecord
from engine.persistence.clock_store import ExtensionRow, PauseRow
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork


def item_limit(item: Item) -> int | None:
    """The limit a department is held to: its promise (承诺时限), else the statutory limit."""
    return item.promised_days if item.promised_days is not None else item.statutory_days


def statutory_limit(item: Item) -> int | None:
    """The statutory limit (法定时限), else the promise where the law sets none."""
    return item.statutory_days if item.statutory_days is not None else item.promised_days


def bundle_limit(bundle: Bundle, item_limit: Callable[[Item], int | None] = item_limit) -> int | None:
    """The case's limit: the longest chain of item limits along their dependencies (the items
    of a chain are decided one after another, the rest in parallel)."""
    items = {i.code: i for i in bundle.items}
    memo: dict[str, int] = {}

    def chain(code: str, seen: frozenset[str]) -> int:
        if code in memo:
            return memo[code]
        item = items[code]
        before = max((chain(r, seen | {code}) for r in item.requires if r in items and r not in seen), default=0)
        memo[code] = before + (item_limit(item) or 0)
        return memo[code]

    if not any(item_limit(i) is not None for i in bundle.items):
        return None
    return max(chain(code, frozenset()) for code in items)


_CLOCKED = (TaskKind.APPROVAL, TaskKind.INSPECTION)


def start_task_clocks(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, rows: list[TaskRecord],
                      now: datetime) -> None:
    """Give each newly opened approval its item's limit and due day. An approval opened again after
    a correction starts afresh: the materials are complete from then on (行政许可法 art. 32). A site
    inspection (现场核查) counts toward the item's limit: it opens with the item's clock, and the
    approval that follows it keeps the inspection's due day."""
    approvals = [r for r in rows if r.kind in _CLOCKED and r.item_code]
    if not approvals:
        return
    row = uow.flows.bundle(case.bundle_code)
    if row is None:
        return
    items = {i.code: i for i in ctx.catalogues.get(uow, row.definition).bundle.items}
    calendar = ctx.calendars.get(uow)
    inspected = _inspections_before(uow, case, approvals, items)
    today = shanghai_day(now)
    for task in approvals:
        item = items.get(task.item_code or "")
        limit = item_limit(item) if item is not None else None
        if limit is not None:
            assert item is not None
            statutory = max(limit, statutory_limit(item) or limit)
            inspection = inspected.get(task.item_code or "")
            if inspection is not None:
                used = calendar.working_days_between(shanghai_day(inspection.created_at), today)
                limit, statutory = max(limit - used, 0), max(statutory - used, 0)
            task.limit_days, task.statutory_days = limit, statutory
            task.due_on = calendar.add_working_days(today, limit)
            task.colour = colour_by_due(limit, today, task.due_on, calendar, ctx.thresholds)


def _inspections_before(uow: UnitOfWork, case: CaseRecord, opened: list[TaskRecord],
                        items: dict[str, Item]) -> dict[str, TaskRecord]:
    """Per item whose approval just opened after its site inspection, that inspection (read only for
    items that have one): the approval goes on with its clock. An inspection from before the item's
    latest correction does not count: after a correction the clock starts afresh."""
    codes = {t.item_code for t in opened if t.kind == TaskKind.APPROVAL and t.item_code
             and (item := items.get(t.item_code)) is not None and item.inspection}
    if not codes:
        return {}
    latest: dict[tuple[str, str], TaskRecord] = {}
    for task in uow.tasks.of_case(case.id):
        if task.item_code in codes and task.kind in (TaskKind.INSPECTION, TaskKind.CORRECTION) \
                and task.state == TaskState.COMPLETED:
            key = (str(task.kind), task.item_code)
            if key not in latest or task.created_at > latest[key].created_at:
                latest[key] = task
    found: dict[str, TaskRecord] = {}
    for code in codes:
        inspection = latest.get((str(TaskKind.INSPECTION), code))
        correction = latest.get((str(TaskKind.CORRECTION), code))
        if inspection is not None and (correction is None or correction.created_at <= inspection.created_at):
            found[code] = inspection
    return found


def start_case_clock(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, bundle: Bundle,
                     now: datetime) -> None:
    limit = bundle_limit(bundle)
    if limit is not None:
        case.limit_days, case.statutory_days = limit, max(limit, bundle_limit(bundle, statutory_limit) or limit)
        calendar = ctx.calendars.get(uow)
        case.due_on = calendar.add_working_days(shanghai_day(now), limit)
        case.colour = colour_by_due(limit, shanghai_day(now), case.due_on, calendar, ctx.thresholds)


def _pauses(rows: Iterable[PauseRow]) -> tuple[Pause, ...]:
    return tuple(Pause(r.started_at, r.ended_at, r.reason, r.procedure) for r in rows)  # type: ignore[arg-type]


def _extensions(rows: Iterable[ExtensionRow]) -> tuple[Extension, ...]:
    return tuple(Extension(r.days, r.approved_by, r.reason, r.approved_at) for r in rows)


def extend_limits(task: TaskRecord, days: int) -> None:
    """An approved extension moves the task's limits on its row, the promised and the statutory one
    alike (行政许可法 art. 42): the views and the ticker read the limit from the row, so it is the
    limit as extended. ``task_clock`` takes the extensions back out, to count each once."""
    if task.limit_days is None:
        raise ValueError("only a clocked task can be extended")
    task.statutory_days = max(task.statutory_days or task.limit_days, task.limit_days) + days
    task.limit_days += days


def task_clock(task: TaskRecord, pauses: Iterable[PauseRow], extensions: Iterable[ExtensionRow]) -> Clock | None:
    """The task's clock from its row and its pauses and extensions. The row's limits include the
    extensions (``extend_limits``); the clock starts from the limits the task opened with and adds
    the extensions itself, from the moment each was approved."""
    if task.limit_days is None:
        return None
    granted = _extensions(extensions)
    extended = sum(e.days for e in granted)
    promised = task.limit_days - extended
    statutory = max(task.statutory_days or task.limit_days, task.limit_days) - extended
    return Clock(task.created_at, statutory, promised, pauses=_pauses(pauses), extensions=granted,
                 completed_at=task.completed_at)


def case_clock(case: CaseRecord, pauses: Iterable[PauseRow], extensions: Iterable[ExtensionRow],
               stopped_at: datetime | None) -> Clock | None:
    if case.limit_days is None:
        return None
    statutory = max(case.statutory_days or case.limit_days, case.limit_days)
    return Clock(case.accepted_at, statutory, case.limit_days, pauses=_pauses(pauses),
                 extensions=_extensions(extensions), completed_at=stopped_at)


@dataclass(frozen=True)
class ClockReading:
    """A clock read at a moment; its limits include the extensions approved by then."""

    limit_days: int
    due_on: date
    statutory_days: int
    statutory_due_on: date
    remaining_days: int
    colour: str
    state: str
    paused_days: int
    extension_days: int
    unconfirmed_years: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"limit_days": self.limit_days, "due_on": self.due_on.isoformat(),
                "statutory_days": self.statutory_days, "statutory_due_on": self.statutory_due_on.isoformat(),
                "remaining_days": self.remaining_days, "colour": self.colour, "state": str(self.state),
                "paused_days": self.paused_days, "extension_days": self.extension_days,
                "unconfirmed_years": list(self.unconfirmed_years)}


def read_clock(ctx: ServiceContext, clock: Clock, now: datetime, calendar: WorkingCalendar) -> ClockReading:
    return ClockReading(
        limit_days=clock.limit_days_at(now), due_on=clock.due_date(now, calendar),
        statutory_days=clock.statutory_days_at(now), statutory_due_on=clock.statutory_due_date(now, calendar),
        remaining_days=clock.remaining_working_days(now, calendar),
        colour=colour(clock, now, calendar, ctx.thresholds), state=clock.state(now),
        paused_days=clock.paused_working_days(now, calendar), extension_days=clock.extension_days(now),
        unconfirmed_years=clock.unconfirmed_years(now, calendar),
    )


def _case_stopped_at(case: CaseRecord, now: datetime) -> datetime | None:
    """A case's clock runs while its departments review; results ready or finished stops it."""
    return None if case.status == CaseStatus.IN_REVIEW else (case.closed_at or now)


def refresh_case_clocks(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, now: datetime,
                        calendar: WorkingCalendar) -> bool:
    """Recompute the due days and colours of the case's open clocked tasks and of the case itself;
    each change of colour is an event and a warning in the supervisors' queue. Call with the case
    locked; answers whether anything changed (the caller saves the case)."""
    tasks = [t for t in uow.tasks.open_for_case(case.id) if t.limit_days is not None]
    pauses = uow.clocks.pauses_of_case(case.id)
    extensions = uow.clocks.extensions([t.id for t in tasks]) if tasks else []
    changed = False
    for task in tasks:
        clock = task_clock(task, [p for p in pauses if p.task_id == task.id],
                           [e for e in extensions if e.task_id == task.id])
        assert clock is not None
        reading = read_clock(ctx, clock, now, calendar)
        if (task.due_on, task.colour) != (reading.due_on, reading.colour):
            if task.colour != reading.colour:
                _warn(uow, case, task.id, task.department, task.colour, reading, now)
            task.due_on, task.colour = reading.due_on, reading.colour
            uow.tasks.save(task)
            changed = True
    clock = case_clock(case, pauses, [], _case_stopped_at(case, now))
    if clock is not None:
        reading = read_clock(ctx, clock, now, calendar)
        if (case.due_on, case.colour) != (reading.due_on, reading.colour):
            if case.colour != reading.colour and case.status == CaseStatus.IN_REVIEW:
                _warn(uow, case, None, "window", case.colour, reading, now)
            case.due_on, case.colour = reading.due_on, reading.colour
            changed = True
    return changed


def _warn(uow: UnitOfWork, case: CaseRecord, task_id: str | None, department: str, previous: str | None,
          reading: ClockReading, now: datetime) -> None:
    uow.warnings.add(case_id=case.id, case_number=case.number, task_id=task_id, department=department,
                     colour=reading.colour, previous=previous, due_on=reading.due_on,
                     remaining_days=reading.remaining_days, raised_at=now)
    record_event(uow, case, "DeadlineColourChanged", SYSTEM, now,
                 {"task": task_id, "department": department, "from": previous, "to": reading.colour,
                  "due_on": reading.due_on.isoformat(), "remaining_days": reading.remaining_days}, task_id)


def refresh_clocks(ctx: ServiceContext) -> list[str]:
    """The ticker's pass: find the running cases whose stored due days or colours are stale (one
    read), then bring each up to date in its own transaction. Answers the case numbers changed."""
    now = ctx.clock()
    with ctx.uow(False) as uow:
        calendar = ctx.calendars.get(uow)
        stale = _stale_cases(uow, ctx, now, calendar)
    changed = []
    for case_id in stale:
        def work(uow: UnitOfWork, case_id: int = case_id) -> str | None:
            case = uow.cases.lock(case_id)
            if case is None or CaseStatus(case.status).is_finished:
                return None
            if not refresh_case_clocks(uow, ctx, case, now, ctx.calendars.get(uow)):
                return None
            uow.cases.save(case)
            return case.number

        number = in_transaction(ctx, work)
        if number:
            changed.append(number)
    return changed + [n for n in settle_late_completions(ctx) if n not in changed]


LATE_SWEEP_DAYS = 62
"""How far back (calendar days of the due day) the ticker looks for late decisions left uncarded."""


def stop_task_clock(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, task: TaskRecord,
                    now: datetime) -> None:
    """An approval is decided (its ``completed_at`` set, a special procedure it was in ended): a
    decision after the end of the due day is an overdue event, and the board gets its red card now
    unless a tick carded it while it was open. A decision by its stored due day needs no reading
    (pauses only move a due day later): the common path costs nothing."""
    if task.due_on is None or task.colour == "red" or shanghai_day(now) <= task.due_on:
        return
    _card_if_late(uow, ctx, case, task, ctx.calendars.get(uow), now)


def _card_if_late(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, task: TaskRecord,
                  calendar: WorkingCalendar, now: datetime) -> bool:
    """Read the stopped clock, its pauses included, store the due day it ends on (a pause may have
    moved it since the last tick) and, when the decision came after it, the red card. Answers
    whether it carded; the caller saves the task."""
    clock = task_clock(task, uow.clocks.pauses([task.id]), uow.clocks.extensions([task.id]))
    if clock is None or clock.completed_at is None:
        return False
    reading = read_clock(ctx, clock, clock.completed_at, calendar)
    task.due_on = reading.due_on
    if reading.colour != "red":
        return False
    _warn(uow, case, task.id, task.department, task.colour, reading, now)
    task.colour = "red"
    return True


def settle_late_completions(ctx: ServiceContext) -> list[str]:
    """The ticker's safety net for ``stop_task_clock``: approvals decided after their due day (due
    within the last ``LATE_SWEEP_DAYS`` days) that carry no red card, e.g. decided before cards were
    raised at decisions, get it now, so that the board's red approvals are the on-time rate's late
    ones. Each case in its own transaction, finished cases too. Answers the case numbers carded."""
    now = ctx.clock()
    with ctx.uow(False) as uow:
        late = uow.warnings.late_without_red(shanghai_day(now) - timedelta(days=LATE_SWEEP_DAYS))
    by_case: dict[int, list[str]] = {}
    for case_id, task_id in late:
        by_case.setdefault(case_id, []).append(task_id)
    carded = []
    for case_id, task_ids in by_case.items():
        def work(uow: UnitOfWork, case_id: int = case_id, task_ids: list[str] = task_ids) -> str | None:
            case = uow.cases.lock(case_id)
            if case is None:
                return None
            calendar = ctx.calendars.get(uow)
            warned = False
            for task_id in task_ids:
                task = uow.tasks.get(task_id)
                if task is None or task.colour == "red":
                    continue  # settled by another ticker meanwhile
                warned = _card_if_late(uow, ctx, case, task, calendar, now) or warned
                uow.tasks.save(task)
            uow.cases.save(case)
            return case.number if warned else None

        number = in_transaction(ctx, work)
        if number:
            carded.append(number)
    return carded


def _stale_cases(uow: UnitOfWork, ctx: ServiceContext, now: datetime,
                 calendar: WorkingCalendar) -> list[int]:
    """Cases with a clocked open task or a case clock whose reading differs from what is stored.
    Tasks without pauses are judged from their row alone: its limit includes the extensions."""
    today = shanghai_day(now)
    stale: set[int] = set()
    tasks = uow.tasks.open_with_clock()
    paused = {p.task_id for p in uow.clocks.pauses([t.id for t in tasks])}
    for task in tasks:
        if task.id in paused or task.due_on is None:
            stale.add(task.case_id)
            continue
        expected = colour_by_due(task.limit_days or 0, today, task.due_on, calendar, ctx.thresholds)
        if expected != task.colour or calendar.add_working_days(shanghai_day(task.created_at),
                                                                task.limit_days or 0) != task.due_on:
            stale.add(task.case_id)
    for case in uow.cases.running_with_clock():
        if case.due_on is None or case.status != CaseStatus.IN_REVIEW:
            continue
        if colour_by_due(case.limit_days or 0, today, case.due_on, calendar, ctx.thresholds) != case.colour:
            stale.add(case.id)
    return sorted(stale)



def clock_fields(limit_days: int | None, due_on: date | None, stored_colour: str | None, paused: bool,
                 ctx: ServiceContext, statutory_days: int | None = None) -> dict[str, Any] | None:
    """A clock as the views show it, from the projection alone (whose limits include the approved
    extensions): limits, due days, working days left today, colour (as of today; a paused clock keeps
    the colour it paused with), whether it is paused, and the years without confirmed holiday data
    among the days it counts, from today (or the due day, once past) to the statutory due day."""
    if limit_days is None or due_on is None:
        return None
    calendar = ctx.calendars.current
    today = shanghai_day(ctx.clock())
    live = stored_colour if paused else colour_by_due(limit_days, today, due_on, calendar, ctx.thresholds)
    statutory = max(statutory_days or limit_days, limit_days)
    # The statutory due day lies as many working days after the promised one as the limits differ
    # (the same pauses and extensions moved both).
    statutory_due = calendar.add_working_days(due_on, statutory - limit_days)
    return {"limit_days": limit_days, "due_on": due_on.isoformat(),
            "statutory_days": statutory, "statutory_due_on": statutory_due.isoformat(),
            "remaining_days": remaining_days(today, due_on, calendar),
            "colour": live or "green", "paused": paused,
            "unconfirmed_years": list(calendar.unconfirmed_years(min(today, due_on), max(today, statutory_due)))}
