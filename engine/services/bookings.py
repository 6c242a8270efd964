"""预约 (issue 27): an applicant online, or a clerk taking a call, books a half-hour slot at a service
point for a bundle; each window serves one booking a slot. The applicant is told at once and
reminded the day before (the outbox); at the hall the booking's code gives a ticket called before
walk-ins; a slot passed without them is a no-show; the case the window starts from it names it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.access import Permission, Principal, applicant_phone
from engine.domain.clocks import SHANGHAI, shanghai_day
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.hall import MAX_OPEN_BOOKINGS, SLOT_MINUTES, Booking, BookingState
from engine.domain.model import Actor
from engine.domain.notifications import NotificationKind, OutboxMessage
from engine.domain.policy import ensure_window
from engine.domain.service_points import ServicePoint, slots_of_day
from engine.services.context import ServiceContext
from engine.services.hall import find_point
from engine.services.notifications import recipients_of_phone
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.identifiers import is_mobile

BOOK_DAYS = 14
"""How far ahead slots may be booked, in days."""


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    free: int


def _slots(ctx: ServiceContext, uow: UnitOfWork, point: ServicePoint, day: date) -> list[datetime]:
    return slots_of_day(point, day, ctx.calendars.get(uow).is_working_day(day), SLOT_MINUTES, SHANGHAI)


def open_slots(ctx: ServiceContext, point_code: str, bundle_code: str, day: date) -> list[Slot]:
    """The day's slots at the point still to come, with how many bookings each may still take."""
    point = _accepting(ctx, point_code, bundle_code)
    now = ctx.clock()
    with ctx.uow(False) as uow:
        starts = [s for s in _slots(ctx, uow, point, day) if s > now]
        if not starts:
            return []
        taken = [b for b in uow.bookings.of_point(point.code, starts[0], starts[-1] + timedelta(minutes=1))
                 if b.state != BookingState.CANCELLED]
    return [Slot(s, point.windows - sum(1 for b in taken if b.starts_at == s)) for s in starts]


def _accepting(ctx: ServiceContext, point_code: str, bundle_code: str) -> ServicePoint:
    point = find_point(ctx, point_code)
    if not point.accepts(bundle_code):
        raise InvalidInput(f"{point.name} does not accept {bundle_code}", f"{point.name}不受理该一件事",
                           {"bundle": ["本服务点不受理该一件事"]})
    return point


def _code(point: str, day: str, serial: int) -> str:
    return f"Y{day[2:]}{hashlib.sha1(point.encode(), usedforsecurity=False).hexdigest()[:2].upper()}{serial:03d}"


def book(ctx: ServiceContext, point_code: str, bundle_code: str, starts_at: datetime, phone: str, name: str,
         by: Actor) -> Booking:
    """A slot booked for the applicant with ``phone``: one of the point's slots, to come, within the
    booking horizon, with a window free; three open bookings per number at most."""
    point = _accepting(ctx, point_code, bundle_code)
    phone, name = phone.strip(), name.strip()
    if not is_mobile(phone):
        raise InvalidInput("phone must be a mobile number", "请填写 11 位手机号码", {"phone": ["应为 11 位手机号码"]})
    if not name or len(name) > 50:
        raise InvalidInput("name the applicant", "请填写申请人姓名", {"name": ["必填，不超过 50 字"]})
    starts_at = starts_at.astimezone(SHANGHAI)
    now = ctx.clock()

    def work(uow: UnitOfWork) -> Booking:
        day = starts_at.date()
        horizon = (now + timedelta(days=BOOK_DAYS)).date()
        if starts_at not in _slots(ctx, uow, point, day) or starts_at <= now or day > horizon:
            raise InvalidInput("not one of the point's slots to come", "请选择本服务点可预约的时段",
                               {"slot": [f"须为今后 {BOOK_DAYS} 天内本服务点办公时间的时段"]})
        stamp = day.strftime("%Y%m%d")
        # The slot's counter row serializes bookings of one slot (PostgreSQL holds its lock to the commit).
        serial = uow.counters.next(f"K{hashlib.sha1(point.code.encode(), usedforsecurity=False).hexdigest()[:15]}",
                                   stamp)
        taken = [b for b in uow.bookings.of_slot(point.code, starts_at) if b.state != BookingState.CANCELLED]
        if len(taken) >= point.windows:
            raise Conflict("the slot is full", "该时段已约满，请选择其他时段")
        mine = [b for b in uow.bookings.of_phone(phone) if b.state == BookingState.BOOKED and b.ends_at > now]
        if len(mine) >= MAX_OPEN_BOOKINGS:
            raise Conflict(f"{phone} holds {len(mine)} bookings",
                           f"同一手机号码最多同时保留 {MAX_OPEN_BOOKINGS} 个预约")
        booking = Booking(point.code, bundle_code, phone, name, starts_at, starts_at + timedelta(minutes=SLOT_MINUTES),
                          _code(point.code, stamp, serial), now, by.user)
        booking.id = uow.bookings.add(booking)
        uow.outbox.add(_messages(booking, point, NotificationKind.BOOKED, now))
        return booking

    return in_transaction(ctx, work)


def _messages(booking: Booking, point: ServicePoint, kind: NotificationKind, now: datetime) -> list[OutboxMessage]:
    params = {"bundle": booking.bundle_code, "point": point.name, "code": booking.code,
              "time": f"{booking.starts_at.astimezone(SHANGHAI):%m月%d日 %H:%M}"}
    return [OutboxMessage(f"booking:{booking.id}:{kind}:{channel}", kind, channel, recipient, params, now)
            for channel, recipient in recipients_of_phone(booking.phone)]


def my_bookings(ctx: ServiceContext, principal: Principal) -> list[Booking]:
    phone = applicant_phone(principal)
    with ctx.uow(False) as uow:
        return uow.bookings.of_phone(phone)


def booking_of(ctx: ServiceContext, booking_id: int) -> Booking:
    with ctx.uow(False) as uow:
        found = uow.bookings.get(booking_id)
    if found is None:
        raise NotFound(f"no booking {booking_id}", "没有这个预约")
    return found


def day_bookings(ctx: ServiceContext, point_code: str, day: date) -> list[Booking]:
    point = find_point(ctx, point_code)
    start = datetime.combine(day, datetime.min.time(), SHANGHAI)
    with ctx.uow(False) as uow:
        return uow.bookings.of_point(point.code, start, start + timedelta(days=1))


def cancel_booking(ctx: ServiceContext, principal: Principal, booking_id: int) -> Booking:
    """The applicant cancels their booking before its slot; the window may cancel any."""
    def work(uow: UnitOfWork) -> Booking:
        found = uow.bookings.get(booking_id, lock=True)
        staff = principal.can(Permission.CASE_START)
        if found is None or (not staff and found.phone != principal.login):
            raise NotFound(f"no booking {booking_id}", "没有这个预约")
        if found.state != BookingState.BOOKED or found.starts_at <= ctx.clock():
            raise Conflict(f"booking {found.code} is {found.state}", "该预约已使用、已取消或已过时段，不能取消")
        found.state = BookingState.CANCELLED
        uow.bookings.save(found)
        return found

    return in_transaction(ctx, work)


def sweep_bookings(ctx: ServiceContext) -> list[str]:
    """The ticker's pass: remind the applicants whose slot is tomorrow; a slot passed without its
    applicant is a no-show."""
    now = ctx.clock()
    tomorrow_end = datetime.combine(now.astimezone(SHANGHAI).date() + timedelta(days=2), datetime.min.time(), SHANGHAI)

    def work(uow: UnitOfWork) -> list[str]:
        done = []
        for booking in uow.bookings.booked_before(tomorrow_end):
            if booking.ends_at < now:
                booking.state = BookingState.NO_SHOW
                done.append(f"{booking.code}: no show")
            elif not booking.reminded and shanghai_day(booking.starts_at) > shanghai_day(now):
                point = find_point(ctx, booking.point)
                uow.outbox.add(_messages(booking, point, NotificationKind.BOOKING_REMINDER, now))
                booking.reminded = True
                done.append(f"{booking.code}: reminded")
            else:
                continue
            uow.bookings.save(booking)
        return done

    return in_transaction(ctx, work)


def book_for_caller(ctx: ServiceContext, point_code: str, bundle_code: str, starts_at: datetime, phone: str,
                    name: str, actor: Actor) -> Booking:
    """A clerk books for an applicant who called (电话预约)."""
    ensure_window(actor, "代为预约")
    return book(ctx, point_code, bundle_code, starts_at, phone, name, actor)
