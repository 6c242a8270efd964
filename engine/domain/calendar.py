"""Working days (工作日) as Chinese administrative law counts them: weekends and statutory holidays
do not count, adjusted working weekends (调休上班日) do, and the day of acceptance itself does not."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    """Statutory holidays and the days off they bring (放假), weekdays included."""
    workdays: frozenset[date] = field(default_factory=frozenset)
    """Weekend days that are working days (调休上班)."""

    @staticmethod
    def of(holidays: Collection[date], workdays: Collection[date]) -> WorkingCalendar:
        return WorkingCalendar(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The day on which ``days`` working days after ``start`` have passed; ``start`` (the day
        of acceptance) is not counted, so one working day after a Friday is the next Monday."""
        if days < 0:
            raise ValueError("working days to add must not be negative")
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
