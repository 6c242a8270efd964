"""Working days (工作日) as Chinese administrative law counts them: weekends and statutory holidays
do not count, adjusted working weekends (调休上班日) do, and the day of acceptance itself does not.

The State Council publishes each year's schedule late in the year before, so a calendar also says
which years rest on official data (``official_years``) and which an administrator has checked and
confirmed (``confirmed_years``); a deadline in any other year is an estimate and must say so.
Administrators may override any single day (``CalendarOverride``); overrides win over the data."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal, get_args

OverrideKind = Literal["holiday", "workday"]
OVERRIDE_KINDS: frozenset[str] = frozenset(get_args(OverrideKind))


@dataclass(frozen=True)
class CalendarOverride:
    """An administrator's decision about one day: ``holiday`` makes it a day off (e.g. a local
    holiday or an emergency closure), ``workday`` makes it a working day (e.g. a newly published
    调休上班日). The reason is shown to whoever wonders why a deadline moved."""

    day: date
    kind: OverrideKind
    reason: str

    def __post_init__(self) -> None:
        if self.kind not in OVERRIDE_KINDS:
            raise ValueError(f"override kind must be one of {sorted(OVERRIDE_KINDS)}, not {self.kind!r}")
        if not self.reason.strip():
            raise ValueError(f"an override of {self.day.isoformat()} needs a reason")


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    """Statutory holidays and the days off they bring (放假), weekdays included."""
    workdays: frozenset[date] = field(default_factory=frozenset)
    """Weekend days that are working days (调休上班)."""
    official_years: frozenset[int] = field(default_factory=frozenset)
    """Years whose data come from a published State Council schedule, not from rules."""
    confirmed_years: frozenset[int] = field(default_factory=frozenset)
    """Years an administrator has checked (with any overrides needed) and confirmed."""
    overrides: tuple[CalendarOverride, ...] = ()
    """The overrides already applied to ``holidays`` and ``workdays``, one per day, by date."""
    _working_ordinals: dict[int, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)
    """Per year, the sorted ordinals of its working days; filled lazily. The calendar is immutable,
    so the cache never goes stale; concurrent fills compute the same tuple."""

    @staticmethod
    def of(holidays: Collection[date], workdays: Collection[date]) -> WorkingCalendar:
        return WorkingCalendar(frozenset(holidays), frozenset(workdays))

    def with_overrides(self, overrides: Iterable[CalendarOverride]) -> WorkingCalendar:
        """A calendar where each override decides its day, whatever the package data say. Two
        overrides of the same day in one call are refused; an override given here replaces an
        earlier one of the same day. Official and confirmed years are kept."""
        given = list(overrides)
        days = [o.day for o in given]
        if len(set(days)) != len(days):
            twice = sorted({d for d in days if days.count(d) > 1})
            raise ValueError(f"more than one override for {', '.join(d.isoformat() for d in twice)}")
        holidays, workdays = set(self.holidays), set(self.workdays)
        for override in given:
            if override.kind == "holiday":
                holidays.add(override.day)
                workdays.discard(override.day)
            else:
                workdays.add(override.day)
                holidays.discard(override.day)
        replaced = set(days)
        kept = [o for o in self.overrides if o.day not in replaced]
        return replace(self, holidays=frozenset(holidays), workdays=frozenset(workdays),
                       overrides=tuple(sorted([*kept, *given], key=lambda o: o.day)))

    def with_official_years(self, years: Iterable[int]) -> WorkingCalendar:
        return replace(self, official_years=frozenset(years))

    def with_confirmed_years(self, years: Iterable[int]) -> WorkingCalendar:
        return replace(self, confirmed_years=frozenset(years))

    def override_on(self, day: date) -> CalendarOverride | None:
        return next((o for o in self.overrides if o.day == day), None)

    def is_year_known(self, year: int) -> bool:
        """Official data or an administrator's confirmation; otherwise the year is an estimate."""
        return year in self.official_years or year in self.confirmed_years

    def unconfirmed_years(self, start: date, end: date) -> tuple[int, ...]:
        """The years of the days from ``start`` to ``end`` (both included, in either order) that are
        neither official nor confirmed, in order; empty when the whole span is trustworthy."""
        first, last = sorted((start.year, end.year))
        return tuple(y for y in range(first, last + 1) if not self.is_year_known(y))

    def touches_unconfirmed_year(self, start: date, end: date) -> bool:
        """Whether a deadline computed over this span rests on estimated data and needs a warning."""
        return bool(self.unconfirmed_years(start, end))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def _year_ordinals(self, year: int) -> tuple[int, ...]:
        cached = self._working_ordinals.get(year)
        if cached is None:
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            cached = tuple(o for o in range(first, last + 1) if self.is_working_day(date.fromordinal(o)))
            self._working_ordinals[year] = cached
        return cached

    def add_working_days(self, start: date, days: int) -> date:
        """The day on which ``days`` working days after ``start`` have passed; ``start`` (the day
        of acceptance) is not counted, so one working day after a Friday is the next Monday."""
        if days < 0:
            raise ValueError("working days to add must not be negative")
        if days == 0:
            return start
        year, left = start.year, days
        ordinals = self._year_ordinals(year)
        index = bisect_right(ordinals, start.toordinal())
        while left > len(ordinals) - index:
            left -= len(ordinals) - index
            year += 1
            ordinals, index = self._year_ordinals(year), 0
        return date.fromordinal(ordinals[index + left - 1])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._year_ordinals(year)
            count += bisect_right(ordinals, high) - bisect_right(ordinals, low)
        return count
