"""A day of a service hall through the real queue (issue 27), on a settable clock: applicants arrive
through the opening hours (more in the morning, as halls see), some with a booking for a slot, take
tickets at the machine; each window calls the next as soon as it is free and serves for a drawn
time. The waiting times are then what ``waiting_times`` reports, ticket to call."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial

from engine.domain.clocks import SHANGHAI
from engine.domain.model import Actor
from engine.services.bookings import book, open_slots
from engine.services.context import ServiceContext
from engine.services.hall import Waiting, call_next, find_point, take_ticket, waiting_times

CLERK = Actor("sim.hall", "window", "clerk")
"""Books by phone for callers; at the point simulated, calls its windows."""
MORNING_SHARE = 0.65
"""Share of the day's applicants who come before noon."""


@dataclass(frozen=True)
class HallDay:
    point: str
    day: date
    applicants: int
    booked_share: float = 0.2
    service_minutes: float = 9.0
    """The mean time a window spends with one applicant (drawn from a gamma distribution)."""
    seed: int = 1


@dataclass(frozen=True)
class HallDayResult:
    served: int
    booked: int
    waiting: Waiting


def simulate_hall_day(ctx: ServiceContext, clock: Callable[[datetime], None], plan: HallDay) -> HallDayResult:
    """Run the day; ``clock`` sets the engine's clock. The point must be open that day."""
    rng = random.Random(plan.seed)
    point = find_point(ctx, plan.point)
    clerk = replace(CLERK, point=point.code)  # the windows of the point simulated
    with ctx.uow(False) as uow:
        hours = point.hours_on(plan.day, ctx.calendars.get(uow).is_working_day(plan.day))
    if hours is None:
        raise ValueError(f"{point.name} is closed on {plan.day}")
    opens = datetime.combine(plan.day, hours[0], SHANGHAI)
    closes = datetime.combine(plan.day, hours[1], SHANGHAI)
    noon = min(max(datetime.combine(plan.day, datetime.min.time(), SHANGHAI) + timedelta(hours=12), opens), closes)
    events: list[tuple[datetime, int, Callable[[], None]]] = []
    order = itertools.count()
    served = booked = 0

    def at(moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(events, (moment, next(order), action))

    def arrive(code: str | None) -> None:
        take_ticket(ctx, point.code, None, code, "sim")

    clock(opens - timedelta(days=1))
    bundle = (point.bundles or ("restaurant",))[0]
    seats = {s.starts_at: s.free for s in open_slots(ctx, point.code, bundle, plan.day) if s.free > 0}
    for _ in range(plan.applicants):
        morning = rng.random() < MORNING_SHARE and noon > opens
        start, end = (opens, noon) if morning else (noon if noon < closes else opens, closes - timedelta(minutes=30))
        moment = start + (end - start) * rng.random()
        open_seats = [starts for starts, left in seats.items() if left > 0]
        if open_seats and rng.random() < plan.booked_share:
            starts = rng.choice(open_seats)
            made = book(ctx, point.code, bundle, starts, f"137{rng.randrange(10**8):08d}", "模拟申请人", CLERK)
            seats[starts] -= 1
            booked += 1
            at(max(opens, starts - timedelta(minutes=rng.randint(0, 25))), partial(arrive, made.code))
        else:
            at(moment, lambda: arrive(None))

    def free(window: int) -> None:
        nonlocal served
        if clock_now[0] >= closes + timedelta(hours=2):
            return
        called = call_next(ctx, point.code, window, clerk)
        if called is None:
            at(clock_now[0] + timedelta(minutes=1), lambda: free(window))
            return
        served += 1
        at(clock_now[0] + timedelta(minutes=rng.gammavariate(3, plan.service_minutes / 3)), lambda: free(window))

    clock_now = [opens]
    for window in range(1, point.windows + 1):
        at(opens, partial(free, window))
    while events:
        moment, _, action = heapq.heappop(events)
        if moment > closes + timedelta(hours=2):
            break
        clock_now[0] = moment
        clock(moment)
        action()
    return HallDayResult(served, booked, waiting_times(ctx, point.code, plan.day.strftime("%Y%m%d")))
