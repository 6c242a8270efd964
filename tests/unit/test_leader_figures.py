"""The leaders' figures counted from rows: 办结率 never above 100% in a month that closes more than it
accepts; on time against the promised due day; 满意率 from 基本满意; complaints only (not rectifications);
weeks and months cut to the period."""

from __future__ import annotations

from datetime import date, datetime

from engine.domain.clocks import SHANGHAI
from engine.domain.leader_figures import CaseRow, OrderRow, RatingRow, buckets, figures, trend


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)


CASES = [
    CaseRow("newborn", "xx_city", at(3, 30), at(4, 2), "closed", date(2026, 4, 3), ("wj",)),
    CaseRow("newborn", "hongmen", at(4, 1), at(4, 20), "closed", date(2026, 4, 8), ("wj@hongqi",)),
    CaseRow("restaurant", "xx_city", at(4, 2), None, "in_review", date(2026, 4, 9), ("scjg", "wj")),
]
RATINGS = [RatingRow(at(4, 2), 3, "newborn", "xx_city"), RatingRow(at(4, 20), 2, "newborn", "hongmen", ("wj@hongqi",))]
ORDERS = [OrderRow("complaint", at(4, 3), at(4, 8), "scjg", "xx_city", "restaurant", False),
          OrderRow("rectification", at(4, 20), None, "wj@hongqi", "hongmen", "newborn", False),
          OrderRow("hotline", at(4, 21), None, None, None, None, True)]


def test_a_month_counts_what_it_accepted_closed_late_rated_and_complained() -> None:
    april = figures(CASES, RATINGS, ORDERS, date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 6))["all"]
    assert (april.accepted, april.accepted_closed, april.closed) == (2, 1, 2)
    assert april.completion_rate == 0.5  # not 2 closed ÷ 2 accepted: one closed was March's
    assert (april.on_time, april.overdue) == (1, 2)  # closed late on the 20th; still open past the 9th
    assert (april.ratings, april.satisfied, april.satisfaction_rate) == (2, 1, 0.5)
    assert (april.complaints, april.complaints_closed, april.escalated) == (2, 1, 1)
    assert april.median_resolution_days == 5
    by_point = figures(CASES, RATINGS, ORDERS, date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 6), "point")
    assert by_point["hongmen"].accepted == 1 and by_point["xx_city"].complaints == 1 and by_point[""].complaints == 1
    by_department = figures(CASES, RATINGS, ORDERS, date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 6),
                            "department")
    assert by_department["wj"].accepted == 1 and by_department["wj@hongqi"].ratings == 1


def test_weeks_and_months_are_cut_to_the_period() -> None:
    assert buckets(date(2026, 3, 30), date(2026, 4, 14), "week") == [
        ("2026-W14", date(2026, 3, 30), date(2026, 4, 5)), ("2026-W15", date(2026, 4, 6), date(2026, 4, 12)),
        ("2026-W16", date(2026, 4, 13), date(2026, 4, 14))]
    assert [label for label, _, _ in buckets(date(2026, 11, 15), date(2027, 1, 3), "month")] == [
        "2026-11", "2026-12", "2027-01"]
    months = trend(CASES, RATINGS, ORDERS, date(2026, 3, 1), date(2026, 4, 30), date(2026, 5, 6), "month")
    assert [(label, f.accepted, f.closed) for label, f in months] == [("2026-03", 1, 0), ("2026-04", 2, 2)]
