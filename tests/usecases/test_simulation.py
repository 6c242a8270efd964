"""The simulation (模拟运行) drives the use cases over working days on a fresh fake: the cases it
starts close or terminate, and the savings report counts the closed ones."""

from __future__ import annotations

import pytest

from engine.domain.savings import FOUR_FIGURES
from engine.services.savings_reports import ReportQuery, savings_report
from engine.services.simulation import SimulationPlan, simulate
from tests.fakes.context import FakeContext
from tests.usecases.applications import accept


def test_a_small_simulation_is_what_the_report_counts(fake: FakeContext) -> None:
    seen: list[tuple[int, int]] = []
    result = simulate(fake.ctx, fake.clock, SimulationPlan(cases=8, seed=5),
                      lambda done, total: seen.append((done, total)))
    assert result.started == 8 and result.closed + result.terminated == 8 and result.closed > 4
    assert seen[-1] == (8, 8)
    assert result.first_day.isoformat() == "2026-09-28"  # the first working day after Thursday, 中秋 Friday
    report = savings_report(fake.ctx, ReportQuery())
    assert report.summary.count == result.closed == sum(part.summary.count for part in report.bundles)
    for name in FOUR_FIGURES:
        figure = report.summary.figure(name)
        assert figure.mean_baseline is not None and figure.mean_actual is not None
        assert figure.mean_actual < figure.mean_baseline, name


def test_a_simulation_wants_a_fresh_store(fake: FakeContext) -> None:
    accept(fake)
    with pytest.raises(ValueError, match="fresh"):
        simulate(fake.ctx, fake.clock, SimulationPlan(cases=1))
