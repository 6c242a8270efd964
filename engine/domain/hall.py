"""The service hall's queue (叫号, issue 27): an applicant takes a ticket at a service point — for a
booking (预约, served first) or walking in —, a window calls the next one, and the hall's display
shows who is called to which window. How long each waited is measured from the ticket to the call."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVED = "served"
    """The window served the applicant (an intake started, a question answered)."""
    ABSENT = "absent"
    """Called and did not come (过号)."""


class TicketKind(StrEnum):
    WALK_IN = "walk_in"
    BOOKED = "booked"


PREFIX = {TicketKind.BOOKED: "B", TicketKind.WALK_IN: "A"}
"""A ticket's number starts with its kind's letter: B for a booking, A for a walk-in (B called first)."""


@dataclass
class Ticket:
    point: str
    day: str
    """YYYYMMDD, Asia/Shanghai: numbers start again every day."""
    number: str
    kind: TicketKind
    bundle_code: str | None
    taken_at: datetime
    state: TicketState = TicketState.WAITING
    window: int | None = None
    called_at: datetime | None = None
    called_by: str | None = None
    id: int = 0
    case_number: str | None = None
    """The case the window accepted for this ticket's applicant."""
    served_at: datetime | None = None
    """When that case was accepted: call to acceptance is how long the window took."""

    @property
    def waited_seconds(self) -> float | None:
        return None if self.called_at is None else (self.called_at - self.taken_at).total_seconds()


def next_in_line(waiting: Sequence[Ticket]) -> Ticket | None:
    """Whom a window calls: bookings first, then walk-ins, each in the order the tickets were taken."""
    if not waiting:
        return None
    return min(waiting, key=lambda t: (t.kind != TicketKind.BOOKED, t.taken_at, t.id))


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` of 0.5 is the median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class BookingState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    """The applicant took the booking's ticket at the hall."""
    NO_SHOW = "no_show"
    """The slot passed and nobody came (爽约)."""


SLOT_MINUTES = 30
"""A booking's slot: each window serves one booking per half hour."""
ARRIVE_EARLY = 30
"""How many minutes before the slot a booking's ticket may be taken."""
MAX_OPEN_BOOKINGS = 3
"""Bookings one mobile number may hold at once."""


@dataclass
class Booking:
    """预约: a slot at a service point for a bundle, by an applicant online or a clerk by phone."""

    point: str
    bundle_code: str
    phone: str
    name: str
    starts_at: datetime
    ends_at: datetime
    code: str
    created_at: datetime
    created_by: str
    state: BookingState = BookingState.BOOKED
    reminded: bool = False
    ticket_id: int | None = None
    case_number: str | None = None
    id: int = 0


CONSENT_DAYS = 7
"""How long an applicant's online consent to a hall agent (帮办代办) stays good."""


@dataclass
class AgentConsent:
    """An applicant's online consent (申请人在线授权) that a hall agent at ``point`` applies for them
    for ``bundle_code``: good until ``expires_at``, for one case."""

    phone: str
    bundle_code: str
    point: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    case_number: str | None = None
    id: int = 0

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.case_number is None and now < self.expires_at
