"""The time a case took (减时间): working days from acceptance to results ready, and the days on
which special procedures stopped the case's clock. Plain Python: no I/O.

DOMAIN.md ("What is measured"): "working days from acceptance to results ready, less the days on
which every open approval was paused". A special procedure (听证, 检验, 专家评审, ...) stops one
approval's clock (engine.domain.clocks); while another department works on its item, the case is
not waiting, so the case's clock stops only on a working day on which at least one approval was
open and every approval open that day was paused that day.

Days follow the clocks' half-open convention (``Pause.span_until``): a pause from S to E covers the
working days after the day of S through the day of E, (day(S), day(E)], and an approval opened at
O and decided at D is open on the days (day(O), day(D)]: the day it opens does not count (as the day
of acceptance does not), the day it is decided does. An approval opened and decided on one day is
open on no day, and a day with no approval open is never paused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import Pause, require_aware, shanghai_day

DaySpan = tuple[date, date]
"""(first, last): the days after ``first`` up to and including ``last``."""


def _covers(span: DaySpan | None, day: date) -> bool:
    return span is not None and span[0] < day <= span[1]


@dataclass(frozen=True)
class ApprovalTime:
    """One approval (a department's review of its item) of a case: when it opened, when it was
    decided (``None`` while open), and the special procedures that paused it."""

    opened_at: datetime
    decided_at: datetime | None
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self) -> None:
        require_aware(self.opened_at, "approval opening")
        if self.decided_at is not None and require_aware(self.decided_at, "approval decision") < self.opened_at:
            raise ValueError("an approval cannot be decided before it opens")
        object.__setattr__(self, "pauses", tuple(self.pauses))

    def open_span(self, until: datetime) -> DaySpan | None:
        """The days this approval is open on, as seen at ``until``; ``None`` if it opened later."""
        if self.opened_at > until:
            return None
        end = until if self.decided_at is None else min(self.decided_at, until)
        return shanghai_day(self.opened_at), shanghai_day(end)

    def paused_spans(self, until: datetime) -> tuple[DaySpan, ...]:
        return tuple(span for span in (p.span_until(until) for p in self.pauses) if span is not None)


@dataclass(frozen=True)
class CaseTime:
    elapsed_days: int
    """Working days after the day of acceptance up to and including the day results were ready."""
    paused_days: int
    """Those of them on which at least one approval was open and every open approval was paused."""

    @property
    def counted_days(self) -> int:
        return self.elapsed_days - self.paused_days


def case_paused_days(accepted_at: datetime, ready_at: datetime, approvals: Iterable[ApprovalTime],
                     calendar: WorkingCalendar) -> int:
    """Working days from acceptance to results ready on which special procedures stopped the case:
    some approval was open and every approval open that day was paused (module rules)."""
    spans = [(a.open_span(ready_at), a.paused_spans(ready_at)) for a in approvals]
    first, last = shanghai_day(accepted_at), shanghai_day(ready_at)
    paused = 0
    day = first + timedelta(days=1)
    while day <= last:
        if calendar.is_working_day(day):
            open_on_day = [pauses for opened, pauses in spans if _covers(opened, day)]
            if open_on_day and all(any(_covers(p, day) for p in pauses) for pauses in open_on_day):
                paused += 1
        day += timedelta(days=1)
    return paused


def case_time(accepted_at: datetime, ready_at: datetime, approvals: Iterable[ApprovalTime],
              calendar: WorkingCalendar) -> CaseTime:
    """The working days a case took to results ready, and those special procedures stopped it."""
    require_aware(accepted_at, "acceptance time")
    if require_aware(ready_at, "results ready time") < accepted_at:
        raise ValueError("results cannot be ready before acceptance")
    elapsed = calendar.working_days_between(shanghai_day(accepted_at), shanghai_day(ready_at))
    return CaseTime(elapsed, case_paused_days(accepted_at, ready_at, approvals, calendar))
