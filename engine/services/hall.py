"""The service points and the hall's queue (issue 27): where applicants are served, and 叫号 — a
ticket taken at a point's ticket machine, a window calling the next one (bookings first), the hall's
display reading the calls, and how long applicants waited from ticket to call."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts
from engine.domain.hall import (
    PREFIX,
    Booking,
    BookingState,
    Ticket,
    TicketKind,
    TicketState,
    next_in_line,
    percentile,
)
from engine.domain.model import Actor
from engine.domain.policy import ensure_window
from engine.domain.service_points import ServicePoint, service_point_of
from engine.services.context import ServiceContext
from engine.services.intake_points import point_of_actor
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork

TICKETS_PER_ADDRESS_HOUR = 600
"""Tickets one client address may take in an hour: a hall's machine is one address serving a whole
hall at its busiest; a script flooding the queue is refused."""
TICKET_SCOPE = "ticket"


def service_points(ctx: ServiceContext) -> dict[str, ServicePoint]:
    with ctx.uow(False) as uow:
        stored = uow.catalogue.entries("service_point")
    return {code: service_point_of(code, definition) for code, definition in sorted(stored.items())}


def find_point(ctx: ServiceContext, code: str) -> ServicePoint:
    found = service_points(ctx).get(code)
    if found is None:
        raise NotFound(f"no service point {code!r}", f"没有编码为 {code} 的服务点")
    return found


def is_open(ctx: ServiceContext, point: ServicePoint, moment: datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    with ctx.uow(False) as uow:
        working = ctx.calendars.get(uow).is_working_day(local.date())
    return point.open_at(local, working)


def _day(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y%m%d")


def _counter(kind: TicketKind, point: str) -> str:
    """The day's counter of the point's tickets of one kind (16 characters, as the counters keep)."""
    return f"Q{PREFIX[kind]}{hashlib.sha1(point.encode(), usedforsecurity=False).hexdigest()[:14]}"


def arrive(uow: UnitOfWork, point: ServicePoint, code: str, now: datetime) -> Booking:
    """The booking whose code the applicant gave at the hall's machine: at this point, today, from
    half an hour before its slot to its end."""
    found = uow.bookings.by_code(code.strip().upper())
    if found is None or found.point != point.code:
        raise NotFound(f"no booking {code!r} at {point.code}", "本服务点没有这个预约号")
    if found.state != BookingState.BOOKED:
        raise Conflict(f"booking {found.code} is {found.state}", "该预约号已取号、已取消或已过时")
    if not found.starts_at - timedelta(minutes=30) <= now <= found.ends_at:
        slot = f"{found.starts_at.astimezone(SHANGHAI):%H:%M}"
        raise Conflict("not the booking's time", f"请在预约时段（{slot}）开始前半小时内至时段结束前取号")
    found.state = BookingState.ARRIVED
    return found


@dataclass(frozen=True)
class TakenTicket:
    ticket: Ticket
    ahead: int
    """Tickets to be called before this one."""


def take_ticket(ctx: ServiceContext, point_code: str, bundle_code: str | None, booking_code: str | None,
                address: str) -> TakenTicket:
    """A ticket from the point's machine, while the hall is open; for a bundle it accepts, or for a
    booking (its code): a booked ticket, called before walk-ins."""
    point = find_point(ctx, point_code)
    if bundle_code is not None and not point.accepts(bundle_code):
        raise InvalidInput(f"{point.name} does not accept {bundle_code}", f"{point.name}不受理该一件事",
                           {"bundle": ["本服务点不受理该一件事"]})
    now = ctx.clock()
    if not is_open(ctx, point, now):
        raise Conflict(f"{point.name} is closed now", f"{point.name}现在不在办公时间")
    kind = TicketKind.BOOKED if booking_code else TicketKind.WALK_IN

    def work(uow: UnitOfWork) -> TakenTicket:
        taken, start = uow.login_failures.count(TICKET_SCOPE, address, now, timedelta(hours=1))
        if taken > TICKETS_PER_ADDRESS_HOUR:
            wait = int((start + timedelta(hours=1) - now).total_seconds()) + 1
            raise TooManyAttempts("too many tickets from this address", "取号过于频繁，请稍后再试", wait)
        booking = arrive(uow, point, booking_code, now) if booking_code else None
        day = _day(now)
        serial = uow.counters.next(_counter(kind, point.code), day)
        ticket = Ticket(point.code, day, f"{PREFIX[kind]}{serial:03d}", kind,
                        booking.bundle_code if booking else bundle_code, now)
        waiting = uow.tickets.of_day(point.code, day, TicketState.WAITING)
        ticket.id = uow.tickets.add(ticket)
        if booking is not None:
            booking.ticket_id = ticket.id
            uow.bookings.save(booking)
        ahead = sum(1 for t in waiting if t.kind == TicketKind.BOOKED or kind == TicketKind.WALK_IN)
        return TakenTicket(ticket, ahead)

    return in_transaction(ctx, work)


def call_next(ctx: ServiceContext, point_code: str, window: int, actor: Actor) -> Ticket | None:
    """The window calls the next ticket (bookings first, then in the order taken); the ticket it
    called before is served. None when nobody waits."""
    ensure_window(actor, "叫号")
    points = service_points(ctx)
    point = find_point(ctx, point_code)
    if point_of_actor(points, actor) != point.code:
        raise Forbidden(f"{actor.user} works at another service point than {point.code}",
                        f"您不在{point.name}工作，不能在该服务点叫号")
    if not 1 <= window <= point.windows:
        raise InvalidInput(f"{point.name} has windows 1 to {point.windows}",
                           f"{point.name}的窗口号为 1 至 {point.windows}", {"window": [f"应为 1 至 {point.windows}"]})

    def work(uow: UnitOfWork) -> Ticket | None:
        now = ctx.clock()
        tickets = uow.tickets.of_day(point.code, _day(now), lock=True)
        for earlier in tickets:
            if earlier.state == TicketState.CALLED and earlier.window == window:
                earlier.state = TicketState.SERVED
                uow.tickets.save(earlier)
        found = next_in_line([t for t in tickets if t.state == TicketState.WAITING])
        if found is None:
            return None
        found.state, found.window, found.called_at, found.called_by = TicketState.CALLED, window, now, actor.user
        uow.tickets.save(found)
        return found

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class Queue:
    point: ServicePoint
    waiting: list[Ticket]
    """In the order they will be called."""
    called: list[Ticket]
    """Today's calls, newest first."""
    bookings: dict[int, Booking]
    """The bookings of the day's booked tickets, by ticket id."""


def queue_of(ctx: ServiceContext, point_code: str) -> Queue:
    point = find_point(ctx, point_code)
    now = ctx.clock()
    day = now.astimezone(SHANGHAI).date()
    with ctx.uow(False) as uow:
        tickets = uow.tickets.of_day(point.code, _day(now))
        start = datetime.combine(day, datetime.min.time(), SHANGHAI)
        booked = uow.bookings.of_point(point.code, start, start + timedelta(days=1))
    waiting = sorted((t for t in tickets if t.state == TicketState.WAITING),
                     key=lambda t: (t.kind != TicketKind.BOOKED, t.taken_at, t.id))
    called = sorted((t for t in tickets if t.called_at is not None), key=lambda t: (t.called_at, t.id), reverse=True)
    return Queue(point, waiting, called, {b.ticket_id: b for b in booked if b.ticket_id is not None})


def calls_since(ctx: ServiceContext, point_code: str, since: datetime) -> list[Ticket]:
    """What the hall's display shows: the calls after ``since``, newest first. The caller has
    found the point (``find_point``) once: a display asks this several times a second."""
    with ctx.uow(False) as uow:
        return uow.tickets.called_since(point_code, since)


@dataclass(frozen=True)
class Waiting:
    tickets: int
    called: int
    p50_minutes: float | None
    p95_minutes: float | None
    accepted: int = 0
    """Tickets the window accepted a case for."""
    to_acceptance_p50_minutes: float | None = None
    """From the call to the case's acceptance (the window's work), the median."""


def waiting_times(ctx: ServiceContext, point_code: str, day: str) -> Waiting:
    """How long the day's applicants waited at the point, ticket to call."""
    point = find_point(ctx, point_code)
    with ctx.uow(False) as uow:
        tickets = uow.tickets.of_day(point.code, day)
    waited = [t.waited_seconds / 60 for t in tickets if t.waited_seconds is not None]
    served = [(t.served_at - t.called_at).total_seconds() / 60 for t in tickets
              if t.served_at is not None and t.called_at is not None]
    return Waiting(len(tickets), len(waited), percentile(waited, 0.5), percentile(waited, 0.95),
                   len(served), percentile(served, 0.5))
