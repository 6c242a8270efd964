"""The working-day calendar: the real China data, administrator overrides, official and confirmed
years, and the per-year cache. Expected dates are counted by hand on a printed calendar; the
comments show the count."""

from __future__ import annotations

import random
from datetime import date, timedelta

import holidays
import pytest

from engine.domain.calendar import CalendarOverride, WorkingCalendar
from engine.services.calendar import china_calendar

# What the service layer is expected to pass in: years backed by a State Council notice.
OFFICIAL = range(2020, 2027)


def test_the_package_carries_the_2026_schedule_and_nothing_official_for_2027() -> None:
    china = holidays.country_holidays("CN", years=[2026, 2027])
    workdays = set(china.weekend_workdays)
    # 国办发明电〔2025〕7号: 2026 adjusted working days 1/4, 2/14, 2/28, 5/9, 9/20, 10/10.
    assert {d for d in workdays if d.year == 2026} == {
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
        date(2026, 10, 10)}
    # No notice for 2027 yet: no adjusted working day, holidays only estimated by rule.
    assert not {d for d in workdays if d.year == 2027}


def test_spring_festival_2026() -> None:
    cal = china_calendar()
    # Days off Sun 2/15 to Mon 2/23 (2/16-2/20 and 2/23 are weekdays off); Sat 2/14 and 2/28 work.
    for day in (16, 17, 18, 19, 20, 23):
        assert not cal.is_working_day(date(2026, 2, day))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))
    assert not cal.is_working_day(date(2026, 2, 15)) and not cal.is_working_day(date(2026, 3, 1))
    # After Thu 2/12: Fri 2/13 (1), Sat 2/14 (2), [2/15-2/23 off], 2/24 (3), 2/25 (4), 2/26 (5),
    # 2/27 (6), Sat 2/28 (7), [Sun 3/1], Mon 3/2 (8), 3/3 (9), Wed 3/4 (10).
    assert cal.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)
    assert cal.working_days_between(date(2026, 2, 12), date(2026, 3, 4)) == 10
    # One working day after Fri 2/13 is the working Saturday; one after that is Tue 2/24.
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_twenty_working_days_across_national_day_2026() -> None:
    cal = china_calendar()
    # After Thu 9/24: [Fri 9/25 Mid-Autumn, weekend], 9/28 (1), 9/29 (2), 9/30 (3), [10/1-10/7 off],
    # 10/8 (4), 10/9 (5), Sat 10/10 (6), 10/12-10/16 (7-11), 10/19-10/23 (12-16), 10/26 (17),
    # 10/27 (18), 10/28 (19), Thu 10/29 (20).
    assert cal.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 29)
    assert cal.working_days_between(date(2026, 9, 24), date(2026, 10, 29)) == 20
    assert cal.working_days_between(date(2026, 9, 24), date(2026, 10, 28)) == 19


def test_counting_across_new_year_into_2027() -> None:
    # After Thu 12/24: 12/25 (1), 12/28-12/31 (2-5), [Fri 1/1 New Year, weekend], 1/4-1/8 (6-10).
    assert china_calendar().add_working_days(date(2026, 12, 24), 10) == date(2027, 1, 8)
    assert china_calendar().working_days_between(date(2026, 12, 24), date(2027, 1, 8)) == 10


def test_a_holiday_override_pushes_the_due_date_one_working_day() -> None:
    cal = china_calendar()
    closed = cal.with_overrides([CalendarOverride(date(2026, 10, 16), "holiday", "台风停工")])
    assert not closed.is_working_day(date(2026, 10, 16))
    # Fri 10/16 no longer counts: the 20th working day after 9/24 is Fri 10/30 instead of Thu 10/29.
    assert closed.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 30)
    # The package's adjusted working Saturday 10/10 can be taken back too.
    no_saturday = cal.with_overrides([CalendarOverride(date(2026, 10, 10), "holiday", "调休取消")])
    assert no_saturday.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 30)


def test_a_workday_override_pulls_the_due_date_in() -> None:
    cal = china_calendar()
    saturday = cal.with_overrides([CalendarOverride(date(2026, 10, 17), "workday", "集中办理日")])
    # Sat 10/17 becomes the 12th working day, so the 20th is Wed 10/28.
    assert saturday.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 28)
    # A statutory day off that the centre works anyway (Wed 10/7) counts as the 4th working day.
    open_on_holiday = cal.with_overrides([CalendarOverride(date(2026, 10, 7), "workday", "窗口值班")])
    assert open_on_holiday.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 28)


def test_overrides_leave_the_original_alone_and_keep_their_reasons() -> None:
    cal = china_calendar()
    assert cal.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 29)  # fills the cache first
    override = CalendarOverride(date(2026, 10, 16), "holiday", "台风停工")
    closed = cal.with_overrides([override])
    assert closed.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 30)
    assert cal.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 29)
    assert cal.is_working_day(date(2026, 10, 16))
    assert closed.override_on(date(2026, 10, 16)) == override and cal.override_on(date(2026, 10, 16)) is None


def test_a_later_override_replaces_an_earlier_one_of_the_same_day() -> None:
    cal = china_calendar().with_overrides([CalendarOverride(date(2026, 10, 16), "holiday", "台风停工")])
    reopened = cal.with_overrides([CalendarOverride(date(2026, 10, 16), "workday", "台风已过，恢复办公")])
    assert reopened.is_working_day(date(2026, 10, 16))
    assert [o.reason for o in reopened.overrides] == ["台风已过，恢复办公"]
    assert reopened.add_working_days(date(2026, 9, 24), 20) == date(2026, 10, 29)


def test_bad_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        CalendarOverride(date(2026, 10, 16), "closed", "停电")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        CalendarOverride(date(2026, 10, 16), "holiday", "  ")
    with pytest.raises(ValueError, match="2026-10-16"):
        china_calendar().with_overrides([CalendarOverride(date(2026, 10, 16), "holiday", "停电"),
                                         CalendarOverride(date(2026, 10, 16), "workday", "恢复")])


def test_a_span_into_2027_is_flagged_until_an_administrator_confirms_the_year() -> None:
    cal = china_calendar().with_official_years(OFFICIAL)
    assert cal.is_year_known(2026) and not cal.is_year_known(2027)
    assert not cal.touches_unconfirmed_year(date(2026, 9, 24), date(2026, 10, 29))
    assert cal.unconfirmed_years(date(2026, 12, 10), date(2027, 1, 8)) == (2027,)
    assert cal.touches_unconfirmed_year(date(2026, 12, 10), date(2027, 1, 8))
    assert cal.unconfirmed_years(date(2026, 12, 10), date(2028, 1, 3)) == (2027, 2028)

    confirmed = cal.with_confirmed_years({2027}).with_overrides(
        [CalendarOverride(date(2027, 2, 20), "workday", "2027 年春节调休上班")])
    assert not confirmed.touches_unconfirmed_year(date(2026, 12, 10), date(2027, 1, 8))
    assert confirmed.official_years == frozenset(OFFICIAL) and confirmed.confirmed_years == {2027}


def test_a_calendar_without_year_data_trusts_no_year() -> None:
    assert WorkingCalendar().touches_unconfirmed_year(date(2026, 1, 5), date(2026, 1, 5))


def test_existing_api_still_works() -> None:
    cal = WorkingCalendar.of({date(2026, 10, 1)}, {date(2026, 10, 10)})
    assert cal.add_working_days(date(2026, 10, 2), 0) == date(2026, 10, 2)
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 2)
    assert cal.working_days_between(date(2026, 10, 5), date(2026, 10, 5)) == 0
    assert cal.working_days_between(date(2026, 10, 9), date(2026, 10, 1)) == 0
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 10, 2), -1)
    assert cal == WorkingCalendar.of({date(2026, 10, 1)}, {date(2026, 10, 10)})


def day_by_day_add(cal: WorkingCalendar, start: date, days: int) -> date:
    """The plain definition, without the cache, to check the bisect version against."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += cal.is_working_day(day)
    return day


def test_the_cached_counting_agrees_with_day_by_day_counting() -> None:
    rng = random.Random(20260924)
    cal = china_calendar().with_overrides([
        CalendarOverride(date(2026, 12, 31), "holiday", "年末盘点"),
        CalendarOverride(date(2027, 1, 2), "workday", "元旦调休"),
    ])
    for _ in range(300):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        days = rng.randrange(0, 400)
        due = cal.add_working_days(start, days)
        assert due == day_by_day_add(cal, start, days)
        assert cal.working_days_between(start, due) == days
