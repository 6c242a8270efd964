"""In-memory queue tickets, as the persistence keeps them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.domain.hall import Booking, BookingState, Ticket, TicketState
from engine.domain.model import Actor
from engine.domain.work_orders import WorkOrder, WorkOrderState
from engine.persistence.queries import Page
from engine.persistence.work_order_store import WorkOrderCriteria
from tests.fakes.tables import Tables


class FakeTicketRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, ticket: Ticket) -> int:
        stored = replace(ticket, id=self.tables.next_id("hall_tickets"))
        self.tables.put("hall_tickets", stored.id, stored)
        return stored.id

    def save(self, ticket: Ticket) -> None:
        self.tables.put("hall_tickets", ticket.id, replace(ticket))

    def get(self, ticket_id: int, lock: bool = False) -> Ticket | None:
        found: Ticket | None = self.tables.get("hall_tickets", ticket_id)
        return replace(found) if found is not None else None

    def of_day(self, point: str, day: str, state: TicketState | None = None, lock: bool = False) -> list[Ticket]:
        return sorted((replace(x) for x in self.tables.all("hall_tickets")
                       if x.point == point and x.day == day and (state is None or x.state == state)),
                      key=lambda x: x.id)

    def called_since(self, point: str, since: datetime, limit: int = 20) -> list[Ticket]:
        found = [replace(x) for x in self.tables.all("hall_tickets")
                 if x.point == point and x.called_at is not None and x.called_at > since]
        return sorted(found, key=lambda x: (x.called_at, x.id), reverse=True)[:limit]


class FakeBookingRepository:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _all(self) -> list[Booking]:
        return sorted((replace(x) for x in self.tables.all("hall_bookings")), key=lambda x: (x.starts_at, x.id))

    def add(self, booking: Booking) -> int:
        stored = replace(booking, id=self.tables.next_id("hall_bookings"))
        self.tables.put("hall_bookings", stored.id, stored)
        return stored.id

    def save(self, booking: Booking) -> None:
        self.tables.put("hall_bookings", booking.id, replace(booking))

    def get(self, booking_id: int, lock: bool = False) -> Booking | None:
        found: Booking | None = self.tables.get("hall_bookings", booking_id)
        return None if found is None else replace(found)

    def by_code(self, code: str) -> Booking | None:
        return next((x for x in self._all() if x.code == code), None)

    def of_slot(self, point: str, starts_at: datetime) -> list[Booking]:
        return [x for x in self._all() if x.point == point and x.starts_at == starts_at]

    def of_point(self, point: str, since: datetime, before: datetime) -> list[Booking]:
        return [x for x in self._all() if x.point == point and since <= x.starts_at < before]

    def of_phone(self, phone: str) -> list[Booking]:
        return sorted((x for x in self._all() if x.phone == phone), key=lambda x: (x.starts_at, x.id), reverse=True)

    def booked_before(self, before: datetime) -> list[Booking]:
        return [x for x in self._all() if x.state == BookingState.BOOKED and x.starts_at < before]


class FakeWorkOrderRepository:
    """Work orders in memory: enough for the ticker's sweep and the simulation over the use cases' fakes."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def add(self, order: WorkOrder) -> int:
        stored = replace(order, id=self.tables.next_id("work_orders"), events=[])
        self.tables.put("work_orders", stored.id, stored)
        return stored.id

    def save(self, order: WorkOrder) -> None:
        self.tables.put("work_orders", order.id, replace(order, events=[]))

    def get(self, number: str, lock: bool = False) -> WorkOrder | None:
        return next((replace(o) for o in self.tables.all("work_orders") if o.number == number), None)

    def search(self, criteria: WorkOrderCriteria, page: int = 1, per_page: int = 50) -> Page[WorkOrder]:
        wanted = {"kind": criteria.kind, "channel": criteria.channel, "department": criteria.department,
                  "phone": criteria.phone, "case_number": criteria.case_number, "colour": criteria.colour}
        found = [replace(o) for o in self.tables.all("work_orders")
                 if (criteria.states is None or str(o.state) in criteria.states)
                 and all(value is None or str(getattr(o, name)) == value for name, value in wanted.items())]
        found.sort(key=lambda o: (o.raised_at, o.id), reverse=True)
        return Page(found[(page - 1) * per_page:page * per_page], len(found), page, per_page)

    def open_orders(self, lock: bool = False) -> list[WorkOrder]:
        return [replace(o) for o in self.tables.all("work_orders") if o.state != WorkOrderState.CLOSED]

    def record(self, order_id: int, event: str, actor: Actor, at: datetime, data: dict[str, Any]) -> None:
        self.tables.put("work_order_events", self.tables.next_id("work_order_events"), (order_id, event, data))
