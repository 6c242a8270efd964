"""The time a case took (DOMAIN.md "What is measured"): a special procedure stops the case's clock
only on the working days on which every open approval of the case was paused; days counted with the
clocks' half-open convention (engine.domain.clocks)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.domain.calendar import WorkingCalendar
from engine.domain.clocks import Pause, SpecialProcedure
from engine.domain.savings_time import ApprovalTime, CaseTime, case_paused_days, case_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
# September 2026: Mon 7 … Fri 11, Mon 14 … Fri 18, Mon 21 …; Fri 25 is a holiday (中秋).
CALENDAR = WorkingCalendar.of({date(2026, 9, 25)}, set())


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 9, day, hour, tzinfo=SHANGHAI)


def paused(start: datetime, end: datetime | None) -> Pause:
    return Pause(start, end, "从业人员健康体检", SpecialProcedure.INSPECTION)


def test_one_item_in_a_special_procedure_does_not_stop_a_case_whose_other_items_are_worked_on() -> None:
    """The reproduced defect: the health certificate was paused for the whole case while the other
    departments worked 6 working days; the case took 6 working days, not 0."""
    accepted, ready = at(7, 9), at(15, 16)  # Mon 7 to Tue 15: 8, 9, 10, 11, 14, 15
    health = ApprovalTime(at(7, 9), at(15, 16), (paused(at(7, 10), at(15, 16)),))
    licence = ApprovalTime(at(7, 9), at(8))
    permit = ApprovalTime(at(8), at(15, 15))  # opened when the licence was granted
    took = case_time(accepted, ready, [health, licence, permit], CALENDAR)
    assert took == CaseTime(elapsed_days=6, paused_days=0) and took.counted_days == 6


def test_the_days_every_open_approval_was_paused_stop_the_case() -> None:
    accepted, ready = at(7, 9), at(18, 16)  # 9 working days: 8, 9, 10, 11, 14, 15, 16, 17, 18
    health = ApprovalTime(at(7, 9), at(18, 16), (paused(at(7, 10), at(18, 16)),))
    permit = ApprovalTime(at(7, 9), at(15, 15))  # worked on until Tue 15
    assert case_time(accepted, ready, [health, permit], CALENDAR) == CaseTime(9, 3)  # Wed 16, Thu 17, Fri 18


def test_two_items_paused_at_once_stop_the_case_once_per_day() -> None:
    accepted, ready = at(7, 9), at(14, 16)  # 8, 9, 10, 11, 14
    fire = ApprovalTime(at(7, 9), at(14, 16), (paused(at(8), at(10)), paused(at(10, 15), at(11))))
    health = ApprovalTime(at(7, 9), at(14, 16), (paused(at(8), at(11)),))
    # Both paused on Wed 9, Thu 10 and Fri 11 (the fire check's two procedures back to back).
    assert case_paused_days(accepted, ready, [fire, health], CALENDAR) == 3


@pytest.mark.parametrize(("pause_start", "expected"), [
    (at(8, 9), 1),  # paused Tue 8: covers Wed 9 only (the day a procedure starts still counts)
    (at(8, 17), 1),
    (at(7, 11), 2),  # paused on the day of acceptance: Tue 8 and Wed 9
])
def test_a_pause_covers_the_days_after_the_day_it_starts_through_the_day_it_ends(
        pause_start: datetime, expected: int) -> None:
    health = ApprovalTime(at(7, 9), at(9, 16), (paused(pause_start, at(9, 12)),))
    assert case_paused_days(at(7, 9), at(9, 16), [health], CALENDAR) == expected


def test_an_approval_is_open_from_the_day_after_it_opens_through_the_day_it_is_decided() -> None:
    health = ApprovalTime(at(7, 9), at(11, 16), (paused(at(7, 10), at(11, 16)),))
    # The permit opens Wed 9 (not open that day) and is decided Thu 10 (open that day).
    permit = ApprovalTime(at(9, 15), at(10, 9))
    assert case_paused_days(at(7, 9), at(11, 16), [health, permit], CALENDAR) == 3  # Tue 8, Wed 9, Fri 11
    same_day = ApprovalTime(at(9, 9), at(9, 17))  # opened and decided on one day: open on none
    assert case_paused_days(at(7, 9), at(11, 16), [health, same_day], CALENDAR) == 4


def test_a_day_with_no_approval_open_is_not_paused() -> None:
    # The only approval went back for a correction on Tue 8 and reopened on Thu 10: on Wed 9 and Thu
    # 10 no approval was open, so those days count although nothing was paused on them either.
    first = ApprovalTime(at(7, 9), at(8), (paused(at(7, 10), at(8)),))
    again = ApprovalTime(at(10), at(14, 16), (paused(at(10, 11), at(14, 16)),))
    assert case_paused_days(at(7, 9), at(14, 16), [first, again], CALENDAR) == 3  # Tue 8, Fri 11, Mon 14
    assert case_paused_days(at(7, 9), at(14, 16), [], CALENDAR) == 0


def test_holidays_are_not_counted_and_a_pause_still_open_runs_to_results_ready() -> None:
    accepted, ready = at(24, 9), at(29, 16)  # Thu 24 to Tue 29: Fri 25 中秋 and the weekend do not count
    health = ApprovalTime(at(24, 9), None, (paused(at(24, 10), None),))
    assert case_time(accepted, ready, [health], CALENDAR) == CaseTime(2, 2)  # Mon 28, Tue 29
    later = ApprovalTime(at(30), None, (paused(at(30, 11), None),))  # after results ready: nothing
    assert case_time(accepted, ready, [later], CALENDAR) == CaseTime(2, 0)


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError, match="before it opens"):
        ApprovalTime(at(8), at(7))
    with pytest.raises(ValueError, match="naive"):
        ApprovalTime(datetime(2026, 9, 7, 9), None)  # a naive moment
    with pytest.raises(ValueError, match="before acceptance"):
        case_time(at(8), at(7), [], CALENDAR)
