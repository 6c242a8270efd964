"""The service hall's queue tickets (tables/hall.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from engine.domain.hall import AgentConsent, Booking, BookingState, Ticket, TicketKind, TicketState
from engine.persistence import tables as t
from engine.persistence.rows import record_of, values_of

h = t.hall_tickets
b = t.hall_bookings


def _ticket(row: object) -> Ticket:
    found = record_of(Ticket, row)  # type: ignore[arg-type]
    found.kind, found.state = TicketKind(found.kind), TicketState(found.state)
    return found


class TicketRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, ticket: Ticket) -> int:
        values = {k: str(v) if k in ("kind", "state") else v for k, v in values_of(ticket).items() if k != "id"}
        return int(self.conn.execute(insert(h).values(**values).returning(h.c.id)).scalar_one())

    def save(self, ticket: Ticket) -> None:
        values = {k: str(v) if k in ("kind", "state") else v for k, v in values_of(ticket).items() if k != "id"}
        self.conn.execute(update(h).where(h.c.id == ticket.id).values(**values))

    def get(self, ticket_id: int, lock: bool = False) -> Ticket | None:
        query = select(h).where(h.c.id == ticket_id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _ticket(row) if row else None

    def of_day(self, point: str, day: str, state: TicketState | None = None, lock: bool = False) -> list[Ticket]:
        query = select(h).where(h.c.point == point, h.c.day == day)
        if state is not None:
            query = query.where(h.c.state == str(state))
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return [_ticket(r) for r in self.conn.execute(query.order_by(h.c.id))]

    def called_since(self, point: str, since: datetime, limit: int = 20) -> list[Ticket]:
        """The calls at ``point`` after ``since``, newest first."""
        rows = self.conn.execute(select(h).where(h.c.point == point, h.c.called_at > since)
                                 .order_by(h.c.called_at.desc(), h.c.id.desc()).limit(limit))
        return [_ticket(r) for r in rows]


def _booking(row: object) -> Booking:
    found = record_of(Booking, row)  # type: ignore[arg-type]
    found.state = BookingState(found.state)
    return found


class BookingRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, booking: Booking) -> int:
        values = {k: str(v) if k == "state" else v for k, v in values_of(booking).items() if k != "id"}
        return int(self.conn.execute(insert(b).values(**values).returning(b.c.id)).scalar_one())

    def save(self, booking: Booking) -> None:
        values = {k: str(v) if k == "state" else v for k, v in values_of(booking).items() if k != "id"}
        self.conn.execute(update(b).where(b.c.id == booking.id).values(**values))

    def get(self, booking_id: int, lock: bool = False) -> Booking | None:
        query = select(b).where(b.c.id == booking_id)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return None if row is None else _booking(row)

    def by_code(self, code: str) -> Booking | None:
        row = self.conn.execute(select(b).where(b.c.code == code)).first()
        return None if row is None else _booking(row)

    def of_slot(self, point: str, starts_at: datetime) -> list[Booking]:
        rows = self.conn.execute(select(b).where(b.c.point == point, b.c.starts_at == starts_at))
        return [_booking(r) for r in rows]

    def of_point(self, point: str, since: datetime, before: datetime) -> list[Booking]:
        rows = self.conn.execute(select(b).where(b.c.point == point, b.c.starts_at >= since, b.c.starts_at < before)
                                 .order_by(b.c.starts_at, b.c.id))
        return [_booking(r) for r in rows]

    def of_phone(self, phone: str) -> list[Booking]:
        rows = self.conn.execute(select(b).where(b.c.phone == phone).order_by(b.c.starts_at.desc(), b.c.id.desc()))
        return [_booking(r) for r in rows]

    def booked_before(self, before: datetime) -> list[Booking]:
        """Bookings still waiting for their applicant whose slot starts before ``before``."""
        rows = self.conn.execute(select(b).where(b.c.state == str(BookingState.BOOKED), b.c.starts_at < before)
                                 .order_by(b.c.starts_at, b.c.id))
        return [_booking(r) for r in rows]


a = t.agent_consents


class ConsentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, consent: AgentConsent) -> int:
        values = {k: v for k, v in values_of(consent).items() if k != "id"}
        return int(self.conn.execute(insert(a).values(**values).returning(a.c.id)).scalar_one())

    def save(self, consent: AgentConsent) -> None:
        values = {k: v for k, v in values_of(consent).items() if k != "id"}
        self.conn.execute(update(a).where(a.c.id == consent.id).values(**values))

    def of_phone(self, phone: str, bundle_code: str | None = None, lock: bool = False) -> list[AgentConsent]:
        """The number's consents (for one bundle), newest first."""
        query = select(a).where(a.c.phone == phone)
        if bundle_code is not None:
            query = query.where(a.c.bundle_code == bundle_code)
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return [record_of(AgentConsent, r) for r in self.conn.execute(query.order_by(a.c.id.desc()))]
