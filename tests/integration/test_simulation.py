"""A small simulation drives its cases through the real engine and database (SQLite and PostgreSQL);
the savings report counts exactly the cases it closed, and the command prints the table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from api.cli import main
from engine.bootstrap import OneThingEngine
from engine.domain.savings import FOUR_FIGURES
from engine.services.savings_reports import ReportQuery, savings_report, trips_by_channel
from engine.services.simulation import SimulationPlan, simulate
from tests.conftest import FakeClock


def test_a_small_simulation_is_what_the_report_counts(engine: OneThingEngine, clock: FakeClock) -> None:
    seen: list[tuple[int, int]] = []
    result = simulate(engine.ctx, clock, SimulationPlan(cases=30, seed=5),
                      lambda done, total: seen.append((done, total)))
    assert result.started == 30 and result.closed + result.terminated == 30 and result.closed > 20
    assert seen[-1] == (30, 30)
    assert result.first_day.isoformat() == "2026-09-28"  # the first working day after the clock's Thursday, 中秋 Friday
    report = savings_report(engine.ctx, ReportQuery())
    assert report.summary.count == result.closed == sum(part.summary.count for part in report.bundles)
    for name in FOUR_FIGURES:
        figure = report.summary.figure(name)
        assert figure.mean_baseline is not None and figure.mean_actual is not None
        assert figure.mean_actual < figure.mean_baseline, name  # bundling saves on every figure
    assert report.summary.figure("trips").mean_reduction is not None
    # Online applications went through 预审 for real, and an online case taken as e-licences costs no trip.
    assert result.online > 0
    by_channel = {(r.channel, r.delivery): r for r in trips_by_channel(engine.ctx, ReportQuery())}
    assert sum(r.cases for r in by_channel.values()) == result.closed
    assert ("online", "online") in by_channel and by_channel[("online", "online")].mean_actual == 0
    with engine.ctx.uow(False) as uow:
        accepted = uow.connection.execute(text(
            "SELECT count(*) FROM online_applications WHERE status = 'accepted'")).scalar_one()
        online_cases = uow.connection.execute(text("SELECT count(*) FROM cases WHERE channel = 'online'")).scalar_one()
    assert accepted == online_cases == result.online
    # What a real window does: never hand in what the bundle itself issues, and never make up a
    # licence number; every savings figure counts what happened, none negative by a rule.
    with engine.ctx.uow(False) as uow:
        bundles = uow.flows.bundles()
        issued = {row.code: {key for item in row.definition["items"] for key in item.get("issues", [])}
                  for row in bundles}
        cases = uow.connection.execute(text("SELECT bundle_code, materials FROM cases")).all()
        numbers = [n for (n,) in uow.connection.execute(text(
            "SELECT licence_number FROM case_items WHERE licence_number IS NOT NULL"))]
    assert cases and all(not set(json_of(materials)) & issued[code] for code, materials in cases)
    prefixes = tuple(f"{row.definition['number_prefix']}-" for row in bundles)
    assert numbers and not any(n.startswith(prefixes) for n in numbers), "no number made of the case number"
    with pytest.raises(ValueError, match="fresh"):
        simulate(engine.ctx, clock, SimulationPlan(cases=1))


def json_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)


def test_the_command_prints_the_savings_table(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'simulation.sqlite3'}"
    assert main(["simulate", "--bundles", "restaurant,newborn", "--cases", "8", "--seed", "2",
                 "--database-url", url]) == 0
    out, err = capsys.readouterr()
    assert "模拟 8 件（seed 2）" in out
    for label in ("开办餐饮店一件事", "新生儿出生一件事", "全部一件事", "公布目标（新乡）", "减 83%", "受理渠道",
                  "窗口受理"):
        assert label in out, label
    assert "[##############################] 8/8" in err
    assert main(["simulate", "--cases", "1", "--database-url", url]) == 2  # not a fresh database
    assert main(["simulate", "--bundles", "nope", "--cases", "1",
                 "--database-url", f"sqlite:///{tmp_path / 'other.sqlite3'}"]) == 2


def test_a_simulated_hall_day_serves_everyone_through_the_queue(engine: OneThingEngine, clock: FakeClock) -> None:
    from datetime import date

    from engine.services.hall_simulation import HallDay, simulate_hall_day

    def set_clock(moment: Any) -> None:
        clock.now = moment

    result = simulate_hall_day(engine.ctx, set_clock, HallDay("hongmen", date(2026, 9, 28), 40, 0.25, 9.0, 3))
    waiting = result.waiting
    assert waiting.tickets == waiting.called == result.served == 40 and result.booked > 0
    assert waiting.p50_minutes is not None and waiting.p95_minutes is not None
    assert 0 <= waiting.p50_minutes <= waiting.p95_minutes
    with engine.ctx.uow(False) as uow:
        booked = uow.connection.execute(text("SELECT count(*) FROM hall_bookings WHERE state = 'arrived'")).scalar_one()
    assert booked == result.booked  # every booking came and took its ticket


def test_the_hall_command_prints_the_waiting_times(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    assert main(["simulate-hall", "--point", "hongmen", "--day", "2026-09-28", "--applicants", "20",
                 "--database-url", url]) == 0
    out, _ = capsys.readouterr()
    assert "取号 20" in out and "中位数" in out and "95% 分位" in out
    assert main(["simulate-hall", "--point", "hongmen", "--day", "2026-09-27", "--applicants", "5",
                 "--database-url", f"sqlite:///{tmp_path / 'closed.sqlite3'}"]) == 2  # a Sunday: closed
