"""In-memory queue tickets, as the persistence keeps them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from engine.domain.hall import Ticket, TicketState
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

    def of_day(self, point: str, day: str, state: TicketState | None = None, lock: bool = False) -> list[Ticket]:
        return sorted((replace(x) for x in self.tables.all("hall_tickets")
                       if x.point == point and x.day == day and (state is None or x.state == state)),
                      key=lambda x: x.id)

    def called_since(self, point: str, since: datetime, limit: int = 20) -> list[Ticket]:
        found = [replace(x) for x in self.tables.all("hall_tickets")
                 if x.point == point and x.called_at is not None and x.called_at > since]
        return sorted(found, key=lambda x: (x.called_at, x.id), reverse=True)[:limit]
