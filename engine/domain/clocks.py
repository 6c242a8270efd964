"""Working-day clocks (限时办结) of a case or a single step, and their warning cards (红黄牌).

The rules, from the Administrative Licensing Law (arts. 42, 45, 82) as DOMAIN.md summarises them:

* Days are working days of a ``WorkingCalendar``, read in Asia/Shanghai. The day of acceptance is
  not counted; a limit of N working days ends on the Nth working day after the day of acceptance,
  and a deadline is the end of that day in Asia/Shanghai (``deadline_of``).
* Special procedures (``SpecialProcedure``: 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审) pause the
  clock. Nothing else does: waiting for a 容缺 supplement or an on-site verification (现场核查)
  counts against the limit, so a ``Pause`` refuses any other procedure.
* Pause counting: a pause from moment S to moment E covers the working days *after* the day of S
  up to and including the day of E, the half-open span (day(S), day(E)]. The clock resumes the day
  after a procedure ends just as it starts the day after acceptance; the day a procedure starts
  still counts. A pause inside one day covers nothing; pauses back to back add up exactly; overlapping
  pauses count each day once. A pause still open covers up to and including the day of ``now``, so
  a due date only ever moves later while a procedure runs. Every paused working day moves each due
  date by exactly one working day.
* An approved extension (延期) moves both due dates by its days, from the moment it is approved.
* Warnings use the promised limit (承诺时限) when there is one, else the statutory limit (法定时限),
  extensions included: the promise is what the centre publishes and supervises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from engine.domain.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def require_aware(moment: datetime, what: str) -> datetime:
    """Refuse naive datetimes: a clock must know which day a moment falls on in Asia/Shanghai."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment


def shanghai_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Asia/Shanghai."""
    return require_aware(moment, "moment").astimezone(SHANGHAI).date()


def deadline_of(day: date) -> datetime:
    """The last instant of ``day`` in Asia/Shanghai: a moment is past the deadline exactly when its
    Shanghai day is later than ``day``."""
    return datetime.combine(day, time.max, SHANGHAI)


def working_days_later(start: datetime, n: int, calendar: WorkingCalendar) -> datetime:
    """For BPMN timers: the same wall-clock time in Asia/Shanghai on the Nth working day after the
    Shanghai day of ``start`` (that day not counted, whether or not it is a working day). Same time of
    day rather than a fixed hour, so that a timer never runs shorter than N working days measured from
    a moment on a working day. ``n == 0`` is ``start`` itself. The result is in Asia/Shanghai; use
    ``deadline_of`` instead when the timer should fire at the end of the due day."""
    if n < 0:
        raise ValueError("working days must not be negative")
    local = require_aware(start, "start").astimezone(SHANGHAI)
    if n == 0:
        return local
    day = calendar.add_working_days(local.date(), n)
    return datetime.combine(day, local.time(), SHANGHAI)


class SpecialProcedure(StrEnum):
    """特殊环节: the procedures whose time is not counted in the limit (Administrative Licensing Law
    art. 45). The catalogue says per item which of them it may need."""

    HEARING = "hearing"
    TENDER = "tender"
    AUCTION = "auction"
    INSPECTION = "inspection"
    TESTING = "testing"
    QUARANTINE = "quarantine"
    APPRAISAL = "appraisal"
    EXPERT_REVIEW = "expert_review"

    @property
    def label(self) -> str:
        return PROCEDURE_LABELS[self]


PROCEDURE_LABELS: Mapping[SpecialProcedure, str] = {
    SpecialProcedure.HEARING: "听证",
    SpecialProcedure.TENDER: "招标",
    SpecialProcedure.AUCTION: "拍卖",
    SpecialProcedure.INSPECTION: "检验",
    SpecialProcedure.TESTING: "检测",
    SpecialProcedure.QUARANTINE: "检疫",
    SpecialProcedure.APPRAISAL: "鉴定",
    SpecialProcedure.EXPERT_REVIEW: "专家评审",
}


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: Mapping[ClockState, str] = {
    ClockState.RUNNING: "计时中",
    ClockState.PAUSED: "暂停计时",
    ClockState.STOPPED: "已停止计时",
}


@dataclass(frozen=True)
class Pause:
    """A special procedure that stops the clock from ``start`` until ``end`` (``None`` while it
    runs). Only a ``SpecialProcedure`` may pause: a plain string is accepted if it names one."""

    start: datetime
    end: datetime | None
    reason: str
    procedure: SpecialProcedure

    def __post_init__(self) -> None:
        require_aware(self.start, "pause start")
        if self.end is not None and require_aware(self.end, "pause end") < self.start:
            raise ValueError("a pause cannot end before it starts")
        if not self.reason.strip():
            raise ValueError("a pause needs a reason (the applicant is told in writing)")
        try:
            procedure = SpecialProcedure(self.procedure)
        except ValueError:
            raise ValueError(
                f"{self.procedure!r} does not pause the clock: only special procedures do "
                f"({', '.join(p.label for p in SpecialProcedure)}); 容缺 supplements and 现场核查 count"
            ) from None
        object.__setattr__(self, "procedure", procedure)

    def is_open_at(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)

    def span_until(self, until: datetime) -> tuple[date, date] | None:
        """The Shanghai days (first, last) of the half-open span (first, last] this pause covers as
        seen at ``until``; ``None`` if it has not started yet."""
        if self.start > until:
            return None
        end = until if self.end is None else min(self.end, until)
        return shanghai_day(self.start), shanghai_day(end)


@dataclass(frozen=True)
class Extension:
    """延期: extra working days approved by the department head (负责人), with the reason the
    applicant must be told; it counts from the moment ``at`` it is approved."""

    days: int
    approved_by: str
    reason: str
    at: datetime

    def __post_init__(self) -> None:
        require_aware(self.at, "extension time")
        if self.days < 1:
            raise ValueError("an extension adds at least one working day")
        if not self.approved_by.strip():
            raise ValueError("an extension names the head who approved it")
        if not self.reason.strip():
            raise ValueError("an extension needs a reason (the applicant is told)")


@dataclass(frozen=True)
class Clock:
    """A time limit running from acceptance. Every reading takes the moment ``now`` it is read at
    and the calendar to count with; once ``completed_at`` has passed, readings freeze there."""

    accepted_at: datetime
    statutory_days: int
    promised_days: int | None = None
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    completed_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.accepted_at, "acceptance time")
        object.__setattr__(self, "pauses", tuple(self.pauses))
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if self.statutory_days < 0:
            raise ValueError("the statutory limit must not be negative")
        if self.promised_days is not None and not 0 <= self.promised_days <= self.statutory_days:
            raise ValueError("the promised limit lies between 0 and the statutory limit")
        if self.completed_at is not None and require_aware(self.completed_at, "completion time") < self.accepted_at:
            raise ValueError("a clock cannot stop before acceptance")
        last = self.completed_at
        for pause in self.pauses:
            if pause.start < self.accepted_at or (last is not None and pause.start > last):
                raise ValueError("a pause starts between acceptance and completion")
        for extension in self.extensions:
            if extension.at < self.accepted_at or (last is not None and extension.at > last):
                raise ValueError("an extension is approved between acceptance and completion")

    @property
    def limit_days(self) -> int:
        """The limit that drives warnings: the promised one when there is one, else statutory."""
        return self.statutory_days if self.promised_days is None else self.promised_days

    def _until(self, now: datetime) -> datetime:
        """The moment readings are taken at: ``now``, or completion if that came first."""
        if require_aware(now, "now") < self.accepted_at:
            raise ValueError("a clock cannot be read before acceptance")
        if self.completed_at is not None and self.completed_at < now:
            return self.completed_at
        return now

    def state(self, now: datetime) -> ClockState:
        until = self._until(now)
        if self.completed_at is not None and self.completed_at <= now:
            return ClockState.STOPPED
        if any(p.is_open_at(until) for p in self.pauses):
            return ClockState.PAUSED
        return ClockState.RUNNING

    def extension_days(self, now: datetime) -> int:
        until = self._until(now)
        return sum(e.days for e in self.extensions if e.at <= until)

    def limit_days_at(self, now: datetime) -> int:
        """The driving limit with the extensions approved by ``now``: the limit a reading shows and
        its warnings are measured against."""
        return self.limit_days + self.extension_days(now)

    def statutory_days_at(self, now: datetime) -> int:
        """The statutory limit with the extensions approved by ``now`` (an extension moves it too)."""
        return self.statutory_days + self.extension_days(now)

    def paused_working_days(self, now: datetime, calendar: WorkingCalendar) -> int:
        """Working days covered by pauses up to ``now``, each day once (see the module rules)."""
        until = self._until(now)
        spans = sorted(s for s in (p.span_until(until) for p in self.pauses) if s is not None)
        total, current = 0, None
        for first, last in spans:
            if current is not None and first <= current[1]:
                current = (current[0], max(current[1], last))
                continue
            if current is not None:
                total += calendar.working_days_between(*current)
            current = (first, last)
        if current is not None:
            total += calendar.working_days_between(*current)
        return total

    def elapsed_working_days(self, now: datetime, calendar: WorkingCalendar) -> int:
        """Working days used since acceptance (that day not counted) up to the day of ``now``
        included, paused days excluded: the 'actual time' of the savings figures."""
        until = self._until(now)
        passed = calendar.working_days_between(shanghai_day(self.accepted_at), shanghai_day(until))
        return passed - self.paused_working_days(now, calendar)

    def _due(self, days: int, now: datetime, calendar: WorkingCalendar) -> date:
        moved = days + self.extension_days(now) + self.paused_working_days(now, calendar)
        return calendar.add_working_days(shanghai_day(self.accepted_at), moved)

    def statutory_due_date(self, now: datetime, calendar: WorkingCalendar) -> date:
        return self._due(self.statutory_days, now, calendar)

    def promised_due_date(self, now: datetime, calendar: WorkingCalendar) -> date | None:
        if self.promised_days is None:
            return None
        return self._due(self.promised_days, now, calendar)

    def due_date(self, now: datetime, calendar: WorkingCalendar) -> date:
        """The due date of the driving limit (promised, else statutory)."""
        return self._due(self.limit_days, now, calendar)

    def deadline(self, now: datetime, calendar: WorkingCalendar) -> datetime:
        return deadline_of(self.due_date(now, calendar))

    def remaining_working_days(self, now: datetime, calendar: WorkingCalendar) -> int:
        """Working days left of the driving limit after the day of ``now``: 0 on the due day,
        negative once working days have passed after it. It stays 0 over the non-working days right
        after a due day, which are nonetheless overdue: ask ``is_overdue``."""
        return self.limit_days_at(now) - self.elapsed_working_days(now, calendar)

    def is_overdue(self, now: datetime, calendar: WorkingCalendar) -> bool:
        """Past the end of the due day of the driving limit. A paused clock does not become overdue
        over the days off before its pause moves the due date (it only is if it already was)."""
        if self.remaining_working_days(now, calendar) < 0:
            return True
        if self.state(now) is ClockState.PAUSED:
            return False
        return shanghai_day(self._until(now)) > self.due_date(now, calendar)

    def unconfirmed_years(self, now: datetime, calendar: WorkingCalendar) -> tuple[int, ...]:
        """Years from acceptance to the later of the statutory due date (never before the promised
        one) and the day of ``now`` that are neither official nor confirmed: a reading over them is
        an estimate and says so."""
        end = max(self.statutory_due_date(now, calendar), shanghai_day(self._until(now)))
        return calendar.unconfirmed_years(shanghai_day(self.accepted_at), end)


Colour = Literal["green", "yellow", "red"]
COLOUR_LABELS: Mapping[Colour, str] = {"green": "正常", "yellow": "黄牌预警", "red": "红牌超时"}


@dataclass(frozen=True)
class WarningThresholds:
    """Local policy: yellow when the remaining working days are at most ``yellow_fraction`` of the
    limit or at most ``yellow_days``, whichever is more, but never more than half the limit: a
    clock always starts green, so that a yellow card says "little time is left" and not merely "this
    item has a short limit". A 1-day limit turns yellow on its due day; a 0-day limit (当场办结) has
    no yellow band and goes from green straight to red."""

    yellow_fraction: float = 0.2
    yellow_days: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.yellow_fraction <= 1:
            raise ValueError("the yellow fraction lies between 0 and 1")
        if self.yellow_days < 0:
            raise ValueError("the yellow days must not be negative")

    def yellow_at(self, limit_days: int) -> int:
        """Remaining working days at or below which a clock of this limit turns yellow; -1 for no
        yellow band. For whole days, 'remaining ≤ fraction × limit' is 'remaining ≤ floor(fraction ×
        limit)'; the tiny tolerance keeps 0.2 × 15 from landing just below 3. The cap (half the limit,
        and below the limit) keeps a fresh clock, which has all its limit left, out of the band."""
        margin = max(self.yellow_days, math.floor(limit_days * self.yellow_fraction + 1e-9))
        return min(margin, limit_days // 2, limit_days - 1)


def colour(clock: Clock, now: datetime, calendar: WorkingCalendar,
           thresholds: WarningThresholds | None = None) -> Colour:
    """红黄牌 of the driving limit (promised, else statutory; extensions included): red when overdue,
    yellow when few working days remain, else green. A stopped clock keeps the card it stopped with."""
    rules = thresholds or WarningThresholds()
    if clock.is_overdue(now, calendar):
        return "red"
    if clock.remaining_working_days(now, calendar) <= rules.yellow_at(clock.limit_days_at(now)):
        return "yellow"
    return "green"


def remaining_days(today: date, due_on: date, calendar: WorkingCalendar) -> int:
    """Working days left after ``today`` up to the due day: 0 on the due day, negative after it."""
    if today <= due_on:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)


def colour_by_due(limit_days: int, today: date, due_on: date, calendar: WorkingCalendar,
                  thresholds: WarningThresholds | None = None) -> Colour:
    """``colour`` read off a stored due day (pauses and extensions already in it): red after the due
    day, yellow within the margin of ``limit_days``, else green. The projection and the ticker use it
    without loading a clock's pauses and extensions."""
    if today > due_on:
        return "red"
    if remaining_days(today, due_on, calendar) <= (thresholds or WarningThresholds()).yellow_at(limit_days):
        return "yellow"
    return "green"
