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
