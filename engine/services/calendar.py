"""The working-day calendar of China: statutory holidays and the official adjusted working
weekends from the ``holidays`` package, with the administrators' overrides winning over it."""

from __future__ import annotations

import threading
from functools import lru_cache

import holidays

from engine.domain.calendar import CalendarOverride, WorkingCalendar
from engine.services.unit_of_work import UnitOfWork

YEARS = range(2020, 2031)


@lru_cache(maxsize=1)
def china_calendar() -> WorkingCalendar:
    """The package's calendar. A year counts as official when the package carries the State
    Council's notice for it, which it shows by listing that year's adjusted working weekends;
    later years are computed by rule and carry a warning until an administrator confirms them."""
    china = holidays.country_holidays("CN", years=YEARS)
    workdays = set(getattr(china, "weekend_workdays", set()))
    return WorkingCalendar.of(set(china.keys()), workdays).with_official_years({d.year for d in workdays})


class CalendarCache:
    """The calendar with the stored overrides and confirmed years, per process, rebuilt when the
    stored ones change (one small query tells)."""

    def __init__(self, base: WorkingCalendar | None = None) -> None:
        self._base = base or china_calendar()
        self._stamp: str | None = None
        self._calendar = self._base
        self._lock = threading.Lock()

    @property
    def current(self) -> WorkingCalendar:
        """The calendar as last read from the database (for BPMN timer expressions, which run
        without a transaction at hand)."""
        return self._calendar

    def get(self, uow: UnitOfWork) -> WorkingCalendar:
        stamp = uow.calendar.stamp()
        if stamp == self._stamp:
            return self._calendar
        overrides = [CalendarOverride(r.day, r.kind, r.reason) for r in uow.calendar.overrides()]  # type: ignore[arg-type]
        calendar = self._base.with_overrides(overrides).with_confirmed_years(uow.calendar.confirmed_years())
        with self._lock:
            self._stamp, self._calendar = stamp, calendar
        return calendar
