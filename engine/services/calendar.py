"""The working-day calendar of China from the ``holidays`` package (statutory holidays and the
official adjusted working weekends)."""

from __future__ import annotations

from functools import lru_cache

import holidays

from engine.domain.calendar import WorkingCalendar

YEARS = range(2020, 2031)


@lru_cache(maxsize=1)
def china_calendar() -> WorkingCalendar:
    china = holidays.country_holidays("CN", years=YEARS)
    return WorkingCalendar.of(set(china.keys()), set(getattr(china, "weekend_workdays", set())))
