"""Working-day clocks on the real China calendar. Every expected date is counted by hand; the
working days of autumn 2026 after acceptance on Thu 9/24 are:

    9/28 (1)  9/29 (2)  9/30 (3)   [9/25 Mid-Autumn; 10/1-10/7 National Day]
    10/8 (4)  10/9 (5)  Sat 10/10 (6, adjusted working day)
    10/12-10/16 (7-11)  10/19-10/23 (12-16)  10/26-10/30 (17-21)
    11/2-11/6 (22-26)  11/9-11/13 (27-31)  11/16 (32)  11/17 (33)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.domain.clocks import (
    Clock,
    ClockState,
    Extension,
    Pause,
    SpecialProcedure,
    WarningThresholds,
    colour,
    colour_by_due,
    deadline_of,
    working_days_later,
)
from engine.domain.records import TaskRecord
from engine.persistence.clock_store import ExtensionRow
from engine.services.calendar import china_calendar
from engine.services.clocks import extend_limits, task_clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = china_calendar().with_official_years(range(2020, 2027))


def sh(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


ACCEPTED = sh(9, 24)


def inspection(start: datetime, end: datetime | None) -> Pause:
    return Pause(start, end, "样品送检", SpecialProcedure.INSPECTION)


def test_statutory_and_promised_due_dates() -> None:
    clock = Clock(ACCEPTED, statutory_days=20, promised_days=10)
    assert clock.statutory_due_date(sh(9, 25), CAL) == date(2026, 10, 29)
    assert clock.promised_due_date(sh(9, 25), CAL) == date(2026, 10, 15)
    assert clock.due_date(sh(9, 25), CAL) == date(2026, 10, 15)
    assert Clock(ACCEPTED, 20).promised_due_date(sh(9, 25), CAL) is None
    assert Clock(ACCEPTED, 20).due_date(sh(9, 25), CAL) == date(2026, 10, 29)


def test_the_day_of_acceptance_is_the_shanghai_day() -> None:
    # 17:00 UTC on 9/23 is 01:00 on 9/24 in Shanghai: 9/24 is the uncounted day, not 9/23.
    clock = Clock(datetime(2026, 9, 23, 17, 0, tzinfo=UTC), 20)
    assert clock.statutory_due_date(sh(9, 25), CAL) == date(2026, 10, 29)


def test_a_deadline_is_the_end_of_its_day_in_shanghai() -> None:
    clock = Clock(ACCEPTED, 20)
    assert clock.deadline(sh(9, 25), CAL) == datetime(2026, 10, 29, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert deadline_of(date(2026, 10, 29)).utcoffset() is not None
    assert not clock.is_overdue(datetime(2026, 10, 29, 15, 59, tzinfo=UTC), CAL)  # 23:59 Shanghai
    assert clock.is_overdue(datetime(2026, 10, 29, 16, 0, tzinfo=UTC), CAL)  # 00:00 on 10/30


def test_a_pause_of_three_working_days_moves_both_due_dates_by_three() -> None:
    # Mon 10/12 10:00 to Thu 10/15 16:00 covers (10/12, 10/15]: 10/13, 10/14, 10/15.
    clock = Clock(ACCEPTED, 20, 10, pauses=(inspection(sh(10, 12), sh(10, 15, 16)),))
    assert clock.paused_working_days(sh(10, 20), CAL) == 3
    # Statutory: 23rd working day is Tue 11/3 (10/29 + 3). Promised: 13th is Tue 10/20 (10/15 + 3).
    assert clock.statutory_due_date(sh(10, 20), CAL) == date(2026, 11, 3)
    assert clock.promised_due_date(sh(10, 20), CAL) == date(2026, 10, 20)


def test_pause_counting_rules() -> None:
    def paused(*pauses: Pause) -> int:
        return Clock(ACCEPTED, 20, pauses=pauses).paused_working_days(sh(11, 30), CAL)

    # Within one day: nothing.
    assert paused(inspection(sh(10, 12, 9), sh(10, 12, 17))) == 0
    # Fri 10/16 14:00 to Mon 10/19 11:00: only Monday is a working day in (10/16, 10/19].
    assert paused(inspection(sh(10, 16, 14), sh(10, 19, 11))) == 1
    # Back to back: (10/12, 10/14] + (10/14, 10/16] = 2 + 2, the same as one pause (10/12, 10/16].
    assert paused(inspection(sh(10, 12), sh(10, 14)), inspection(sh(10, 14, 15), sh(10, 16))) == 4
    # Overlapping procedures count each day once: (10/12, 10/15] with (10/14, 10/16] = 10/13-10/16.
    expert = Pause(sh(10, 14, 9), sh(10, 16, 17), "专家论证", SpecialProcedure.EXPERT_REVIEW)
    assert paused(inspection(sh(10, 12), sh(10, 15, 16)), expert) == 4
    clock = Clock(ACCEPTED, 20, pauses=(inspection(sh(10, 12), sh(10, 15, 16)), expert))
    assert clock.statutory_due_date(sh(11, 30), CAL) == date(2026, 11, 4)  # 24th working day


def test_an_open_pause_stops_the_count_and_moves_the_due_date_day_by_day() -> None:
    clock = Clock(ACCEPTED, 20, pauses=(inspection(sh(10, 12), None),))
    assert clock.state(sh(10, 12, 9)) is ClockState.RUNNING
    assert clock.state(sh(10, 14, 12)) is ClockState.PAUSED
    # At Wed 10/14 noon: passed 9 working days (9/28 ... 10/14), paused 2 (10/13, 10/14).
    assert clock.paused_working_days(sh(10, 14, 12), CAL) == 2
    assert clock.elapsed_working_days(sh(10, 14, 12), CAL) == 7
    assert clock.remaining_working_days(sh(10, 14, 12), CAL) == 13
    assert clock.statutory_due_date(sh(10, 14, 12), CAL) == date(2026, 11, 2)  # 22nd working day
    # A day later the remaining days are unchanged and the due date is a working day later.
    assert clock.remaining_working_days(sh(10, 15, 12), CAL) == 13
    assert clock.statutory_due_date(sh(10, 15, 12), CAL) == date(2026, 11, 3)


def test_a_paused_clock_is_not_overdue_over_the_weekend_after_its_due_day() -> None:
    # Due Fri 10/30 (21 days); the procedure starts on the due day and is still open on Saturday.
    clock = Clock(ACCEPTED, 21, pauses=(inspection(sh(10, 30, 15), None),))
    assert clock.due_date(sh(10, 31), CAL) == date(2026, 10, 30)
    assert not clock.is_overdue(sh(10, 31), CAL) and colour(clock, sh(10, 31), CAL) == "yellow"
    assert clock.due_date(sh(11, 2), CAL) == date(2026, 11, 2)  # Monday paused: due moves to it
    # Without the pause, Saturday is past the end of Friday: red, though 0 working days remain.
    running = Clock(ACCEPTED, 21)
    assert running.remaining_working_days(sh(10, 31), CAL) == 0
    assert running.is_overdue(sh(10, 31), CAL) and colour(running, sh(10, 31), CAL) == "red"


def test_an_extension_moves_the_due_date_by_its_days_once_approved() -> None:
    extension = Extension(10, "钱科长", "需现场补充调查", sh(10, 20, 15))
    clock = Clock(ACCEPTED, 20, extensions=(extension,))
    assert clock.statutory_due_date(sh(10, 20, 14), CAL) == date(2026, 10, 29)  # not yet approved
    # 30th working day: 11/9 (27), 11/10 (28), 11/11 (29), Thu 11/12 (30).
    assert clock.statutory_due_date(sh(10, 20, 16), CAL) == date(2026, 11, 12)
    both = Clock(ACCEPTED, 20, pauses=(inspection(sh(10, 12), sh(10, 15, 16)),), extensions=(extension,))
    assert both.statutory_due_date(sh(10, 21), CAL) == date(2026, 11, 17)  # 20 + 10 + 3 = 33rd


def test_a_completed_clock_stops() -> None:
    clock = Clock(ACCEPTED, 20, completed_at=sh(10, 20, 15))
    assert clock.state(sh(10, 20, 14)) is ClockState.RUNNING
    assert clock.state(sh(10, 20, 15)) is ClockState.STOPPED
    # 9/28 ... 10/20 are 13 working days, however late the clock is read.
    assert clock.elapsed_working_days(sh(12, 1), CAL) == 13
    assert clock.remaining_working_days(sh(12, 1), CAL) == 7
    assert colour(clock, sh(12, 1), CAL) == "green"
    late = Clock(ACCEPTED, 20, completed_at=sh(11, 3))
    assert late.remaining_working_days(sh(12, 1), CAL) == -3 and colour(late, sh(12, 1), CAL) == "red"


def test_remaining_days_go_negative_when_overdue() -> None:
    clock = Clock(ACCEPTED, 20)
    assert clock.remaining_working_days(sh(10, 29), CAL) == 0
    assert not clock.is_overdue(sh(10, 29, 23, 59), CAL)
    # Tue 11/3 is the 23rd working day: three past the limit.
    assert clock.remaining_working_days(sh(11, 3), CAL) == -3
    assert clock.is_overdue(sh(11, 3), CAL)


def test_colour_goes_green_yellow_red_on_the_statutory_limit() -> None:
    clock = Clock(ACCEPTED, 20)  # yellow at 20% of 20 = 4 working days left, i.e. from day 16
    assert colour(clock, sh(9, 24, 11), CAL) == "green"
    assert colour(clock, sh(10, 22), CAL) == "green"  # day 15: 5 left
    assert colour(clock, sh(10, 23), CAL) == "yellow"  # day 16: 4 left
    assert colour(clock, sh(10, 29, 23, 59), CAL) == "yellow"  # due day: 0 left
    assert colour(clock, sh(10, 30, 0, 1), CAL) == "red"


def test_colour_follows_the_promised_limit_when_there_is_one() -> None:
    clock = Clock(ACCEPTED, 20, promised_days=10)  # yellow at max(2, 20% of 10) = 2 left
    assert colour(clock, sh(10, 12), CAL) == "green"  # day 7: 3 left
    assert colour(clock, sh(10, 13), CAL) == "yellow"  # day 8: 2 left
    assert colour(clock, sh(10, 16), CAL) == "red"  # past Thu 10/15, long before 10/29


def test_thresholds_are_configurable() -> None:
    half = WarningThresholds(yellow_fraction=0.5, yellow_days=0)
    clock = Clock(ACCEPTED, 20)  # yellow at 10 left, i.e. from day 10 (Thu 10/15)
    assert colour(clock, sh(10, 14), CAL, half) == "green"
    assert colour(clock, sh(10, 15), CAL, half) == "yellow"
    defaults = WarningThresholds()
    assert (defaults.yellow_at(20), defaults.yellow_at(15), defaults.yellow_at(12), defaults.yellow_at(5)) == (
        4, 3, 2, 2)
    with pytest.raises(ValueError):
        WarningThresholds(yellow_fraction=1.5)
    with pytest.raises(ValueError):
        WarningThresholds(yellow_days=-1)


def test_an_extension_widens_the_yellow_band() -> None:
    # With 10 more days the limit is 30: yellow at 20% of 30 = 6 left, i.e. from day 24 (Wed 11/4).
    clock = Clock(ACCEPTED, 20, extensions=(Extension(10, "钱科长", "需补充调查", sh(10, 20)),))
    assert clock.remaining_working_days(sh(11, 3), CAL) == 7
    assert colour(clock, sh(11, 3), CAL) == "green"  # day 23, red without the extension
    assert colour(clock, sh(11, 4), CAL) == "yellow"


def test_only_special_procedures_pause() -> None:
    assert Pause(sh(10, 12), None, "送检", "testing").procedure is SpecialProcedure.TESTING  # type: ignore[arg-type]
    for not_a_procedure in ("supplement", "容缺补正", "site_verification"):
        with pytest.raises(ValueError, match="does not pause"):
            Pause(sh(10, 12), None, "等待补齐材料", not_a_procedure)  # type: ignore[arg-type]
    assert [p.label for p in SpecialProcedure] == ["听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"]
    assert ClockState.PAUSED.label == "暂停计时"


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 9, 24, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        Clock(naive, 20)
    with pytest.raises(ValueError, match="naive"):
        inspection(naive, None)
    with pytest.raises(ValueError, match="naive"):
        inspection(sh(10, 12), naive)
    with pytest.raises(ValueError, match="naive"):
        Extension(5, "钱科长", "补充调查", naive)
    with pytest.raises(ValueError, match="naive"):
        Clock(ACCEPTED, 20, completed_at=naive)
    clock = Clock(ACCEPTED, 20)
    with pytest.raises(ValueError, match="naive"):
        clock.remaining_working_days(naive, CAL)
    with pytest.raises(ValueError, match="naive"):
        clock.state(naive)
    with pytest.raises(ValueError, match="naive"):
        working_days_later(naive, 1, CAL)


def test_inconsistent_clocks_are_refused() -> None:
    with pytest.raises(ValueError):
        Clock(ACCEPTED, 20, promised_days=25)
    with pytest.raises(ValueError):
        Clock(ACCEPTED, 20, pauses=(inspection(sh(9, 23), sh(9, 30)),))
    with pytest.raises(ValueError):
        Clock(ACCEPTED, 20, extensions=(Extension(5, "钱科长", "补充调查", sh(11, 1)),), completed_at=sh(10, 20))
    with pytest.raises(ValueError):
        inspection(sh(10, 15), sh(10, 12))
    with pytest.raises(ValueError):
        Extension(0, "钱科长", "补充调查", sh(10, 20))
    with pytest.raises(ValueError):
        Extension(5, " ", "补充调查", sh(10, 20))
    with pytest.raises(ValueError):
        Clock(ACCEPTED, 20).elapsed_working_days(sh(9, 23), CAL)


def test_a_deadline_in_2027_is_flagged_until_the_year_is_confirmed() -> None:
    # After Thu 12/10: 12/11 (1), 12/14-18 (2-6), 12/21-25 (7-11), 12/28-31 (12-15),
    # [Fri 1/1 New Year, weekend], 1/4-1/8 (16-20): due Fri 2027-01-08, on estimated 2027 data.
    clock = Clock(sh(12, 10), 20)
    assert clock.statutory_due_date(sh(12, 11), CAL) == date(2027, 1, 8)
    assert clock.unconfirmed_years(sh(12, 11), CAL) == (2027,)
    assert clock.unconfirmed_years(sh(12, 11), CAL.with_confirmed_years({2027})) == ()
    assert Clock(ACCEPTED, 20).unconfirmed_years(sh(10, 1), CAL) == ()
    # A 2026 deadline long overdue is read over 2027 days too.
    assert Clock(ACCEPTED, 20).unconfirmed_years(sh(1, 5, year=2027), CAL) == (2027,)


def test_an_extension_moves_both_limits_once_approved() -> None:
    clock = Clock(ACCEPTED, statutory_days=20, promised_days=10,
                  extensions=(Extension(5, "钱科长", "补充调查", sh(10, 9)),))
    assert (clock.limit_days_at(sh(10, 8)), clock.statutory_days_at(sh(10, 8))) == (10, 20)
    assert (clock.limit_days_at(sh(10, 9)), clock.statutory_days_at(sh(10, 9))) == (15, 25)
    assert clock.limit_days == 10 and clock.statutory_days == 20


def sign_task(opened: datetime, limit_days: int, statutory_days: int) -> TaskRecord:
    return TaskRecord("t1", 1, "CY-20260924-0001", "restaurant", "cg", "approval", "sign", "户外招牌", "ready",
                      opened, item_code="cy.zp", limit_days=limit_days, statutory_days=statutory_days)


def test_a_task_row_holds_its_extended_limits_and_its_clock_counts_the_extension_once() -> None:
    task = sign_task(ACCEPTED, 5, 20)
    extend_limits(task, 3)
    assert (task.limit_days, task.statutory_days) == (8, 23)
    clock = task_clock(task, [], [ExtensionRow(1, "t1", 1, 3, "补充调查", "钱科长", sh(9, 28))])
    assert clock is not None and (clock.limit_days, clock.statutory_days) == (5, 20)
    assert (clock.limit_days_at(sh(9, 29)), clock.statutory_days_at(sh(9, 29))) == (8, 23)
    # 8 working days after 9/24: 10/13; 23: 11/3.
    assert clock.due_date(sh(9, 29), CAL) == date(2026, 10, 13)
    assert clock.statutory_due_date(sh(9, 29), CAL) == date(2026, 11, 3)


def test_a_task_clock_flags_its_statutory_due_day_in_an_unconfirmed_year() -> None:
    # Opened Thu 12/10: the promise (5) ends on 12/17, the statutory limit (20) on 2027-01-08.
    clock = task_clock(sign_task(sh(12, 10), 5, 20), [], [])
    assert clock is not None and clock.due_date(sh(12, 11), CAL) == date(2026, 12, 17)
    assert clock.unconfirmed_years(sh(12, 11), CAL) == (2027,)
    assert clock.unconfirmed_years(sh(12, 11), CAL.with_confirmed_years({2027})) == ()


def test_working_days_later_keeps_the_time_of_day_in_shanghai() -> None:
    assert working_days_later(sh(9, 30, 15, 30), 1, CAL) == sh(10, 8, 15, 30)
    # After Wed 9/30: 10/8 (1), 10/9 (2), Sat 10/10 (3), 10/12 (4), 10/13 (5), Wed 10/14 (6).
    assert working_days_later(sh(9, 30, 15, 30), 6, CAL) == sh(10, 14, 15, 30)
    # 16:30 UTC on 9/30 is 00:30 on 10/1 in Shanghai, a holiday: next working day Thu 10/8.
    assert working_days_later(datetime(2026, 9, 30, 16, 30, tzinfo=UTC), 1, CAL) == sh(10, 8, 0, 30)
    assert working_days_later(sh(9, 30, 15, 30), 0, CAL) == sh(9, 30, 15, 30)
    with pytest.raises(ValueError):
        working_days_later(sh(9, 30), -1, CAL)


def test_the_yellow_margin_of_a_short_limit_leaves_a_fresh_clock_green() -> None:
    defaults = WarningThresholds()
    # At most half the limit and below it: 0 days has no yellow band, 1 day turns yellow on its due day.
    assert [defaults.yellow_at(n) for n in range(7)] == [-1, 0, 1, 1, 2, 2, 2]
    assert WarningThresholds(yellow_fraction=1, yellow_days=0).yellow_at(10) == 5
    for limit in range(0, 31):
        assert colour(Clock(ACCEPTED, limit), ACCEPTED, CAL) == "green", limit


def test_a_one_day_promise_is_green_then_yellow_on_its_due_day_then_red() -> None:
    clock = Clock(ACCEPTED, 3, promised_days=1)  # due Mon 9/28 (9/25 is the Mid-Autumn Festival)
    assert colour(clock, sh(9, 24, 17), CAL) == "green"
    assert colour(clock, sh(9, 26), CAL) == "green"  # a day off: still one working day left
    assert colour(clock, sh(9, 28, 9), CAL) == "yellow"
    assert colour(clock, sh(9, 29, 9), CAL) == "red"
    assert colour_by_due(1, date(2026, 9, 24), date(2026, 9, 28), CAL) == "green"
    assert colour_by_due(1, date(2026, 9, 28), date(2026, 9, 28), CAL) == "yellow"


def test_a_same_day_limit_goes_from_green_straight_to_red() -> None:
    clock = Clock(ACCEPTED, 0)  # 当场办结: due the day of acceptance
    assert colour(clock, sh(9, 24, 23, 59), CAL) == "green"
    assert colour(clock, sh(9, 25, 0, 1), CAL) == "red"
    assert colour_by_due(0, date(2026, 9, 24), date(2026, 9, 24), CAL) == "green"


def test_a_decision_after_the_due_day_stops_the_clock_red() -> None:
    clock = Clock(ACCEPTED, 3, promised_days=1, completed_at=sh(9, 30, 11))
    assert colour(clock, sh(10, 20), CAL) == "red"  # read long after: it stopped late
    on_time = Clock(ACCEPTED, 3, promised_days=1, completed_at=sh(9, 28, 23, 59))
    assert colour(on_time, sh(10, 20), CAL) != "red"
