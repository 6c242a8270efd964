"""Summaries from the database's totals equal the summaries from every row; the facts of a closing
case (trips from the window's events, working days to results with pauses) are counted as
DOMAIN.md says."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.domain.calendar import WorkingCalendar
from engine.domain.model import Delivery
from engine.domain.records import TaskRecord
from engine.domain.savings import CaseSavings, Figure
from engine.domain.savings_rules import Channel, TripKind
from engine.domain.savings_summary import percentile, summarize
from engine.domain.savings_time import CaseTime
from engine.domain.savings_totals import overall, percentile_of_counts, summary_of, totals_of
from engine.persistence.clock_store import PauseRow
from engine.persistence.savings_store import CaseEvent
from engine.services.savings import results_ready_at, window_trips, working_days_to_results

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _case(rng: random.Random, bundle: str) -> CaseSavings:
    def figure(baseline: float, top: int) -> Figure:
        return Figure(baseline, rng.randint(0, top))

    share = rng.choice([None, 0.0, 0.25, 0.5, 0.8])
    could = rng.choice([None, 0, 4, 12])  # None: measured before the fillable fields were counted
    of_could = None if not could else rng.randint(0, could) / could
    shared, elicence = (None, None) if rng.random() < 0.2 else (rng.randint(0, 3), rng.randint(0, 2))
    return CaseSavings(bundle, f"{bundle}-{rng.random()}", "window", "window", trips=figure(10, 4),
                       steps=figure(20, 12), time_days=figure(rng.choice([0, 28]), 30), materials=figure(35, 12),
                       fields=figure(100, 40), fees=Figure(0, 0), fields_prefilled_share=share,
                       fields_prefillable=could, fields_prefilled_of_prefillable=of_could,
                       materials_shared=shared, materials_elicence=elicence)


def expected(rows: list[CaseSavings], scope: str = "all") -> dict[str, Any]:
    """What ``summarize`` says, less the fees' percentiles, which the totals do not keep."""
    summary = summarize(rows, scope).to_dict()
    summary["figures"]["fees"].update(p50_actual=None, p90_actual=None)
    return summary


def test_summaries_from_totals_equal_summaries_from_rows() -> None:
    rng = random.Random(7)
    rows = [_case(rng, rng.choice("abc")) for _ in range(301)]
    per_bundle = [totals_of([r for r in rows if r.bundle_code == code], code) for code in "abc"]
    assert summary_of(overall(per_bundle)).to_dict() == expected(rows)
    assert summary_of(overall(per_bundle)).mean_prefilled_of_prefillable is not None
    assert summary_of(overall(per_bundle)).mean_materials_shared is not None
    assert summary_of(per_bundle[1]).to_dict() == expected([r for r in rows if r.bundle_code == "b"], "b")
    assert summary_of(overall([])).to_dict() == expected([])


@pytest.mark.parametrize("q", [0, 10, 50, 90, 99.5, 100])
def test_percentiles_of_counts_match_percentiles_of_values(q: float) -> None:
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    counts = {float(v): values.count(v) for v in set(values)}
    assert percentile_of_counts(counts, q) == pytest.approx(percentile(values, q))
    assert percentile_of_counts({}, q) is None


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def event(kind: str, moment: datetime, **data: str) -> CaseEvent:
    return CaseEvent(kind, moment.astimezone(UTC), data)


def test_one_visit_a_day_online_intake_and_mailed_results_are_no_trips() -> None:
    events = [event("CaseAccepted", at(9, 21, 9)), event("CorrectionSupplied", at(9, 22, 10)),
              event("CorrectionSupplied", at(9, 22, 11)),  # two corrections brought together
              event("MaterialsSupplied", at(9, 23, 15)), event("ResultsReady", at(9, 24, 10)),
              event("ResultsHandedOver", at(9, 24, 16), delivery="window")]
    assert window_trips(events, Channel.WINDOW) == (
        (TripKind.INTAKE, TripKind.SUPPLY, TripKind.SUPPLY, TripKind.PICKUP), Delivery.WINDOW)
    mailed = [*events[:-1], event("ResultsHandedOver", at(9, 24, 16), delivery="mail")]
    assert window_trips(mailed, Channel.ONLINE) == ((TripKind.SUPPLY, TripKind.SUPPLY), Delivery.MAIL)
    assert results_ready_at(events, at(9, 24, 16)) == at(9, 24, 10)
    assert results_ready_at([], at(9, 24, 16)) == at(9, 24, 16)


def pause(start: datetime, end: datetime | None, task: str = "t1") -> PauseRow:
    return PauseRow(1, task, 1, "inspection", "检验", start, "wj", end, "wj")


def task(task_id: str, kind: str, opened: datetime, done: datetime | None, state: str = "completed") -> TaskRecord:
    return TaskRecord(task_id, 1, "CY-1", "restaurant", "wj", kind, task_id, task_id, state, opened, completed_at=done)


def test_working_days_to_results_skip_holidays_and_count_the_days_every_open_approval_was_paused() -> None:
    calendar = WorkingCalendar.of({date(2026, 9, 25)}, set())  # a Friday holiday
    accepted, ready = at(9, 24, 9), at(9, 30, 16)  # Thu to Wed: Mon 28, Tue 29, Wed 30 count
    tasks = [task("intake", "intake", accepted, accepted), task("t1", "approval", accepted, at(9, 30, 10)),
             task("t2", "approval", accepted, ready), task("gone", "approval", accepted, None, "cancelled")]
    assert working_days_to_results(accepted, ready, tasks, [], calendar) == CaseTime(3, 0)
    overlapping = [pause(at(9, 28, 9), at(9, 30, 10)), pause(at(9, 29, 9), at(9, 30, 12), "t2")]
    # Both approvals paused on Wed 30 only: t2 was worked on on Tue 29 (its pause began that day).
    assert working_days_to_results(accepted, ready, tasks, overlapping, calendar) == CaseTime(3, 1)
    # One approval in a special procedure while the other is worked on: the case's clock runs.
    assert working_days_to_results(accepted, ready, tasks, overlapping[:1], calendar) == CaseTime(3, 0)
    assert working_days_to_results(accepted, at(9, 24, 17), [], [], calendar) == CaseTime(0, 0)  # the same day
