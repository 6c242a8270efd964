"""The report roll-ups (engine/persistence/day_rollups.py) change no figure: after a simulation whose
ticker sealed days as its clock went on, the supervision board, the savings totals and trips and the
leaders' figures read the same with every day sealed, none, or some — and the leaders' figures equal
those counted case by case from the rows (engine.domain.leader_figures.figures)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import OneThingEngine
from engine.domain.clocks import shanghai_day
from engine.domain.leader_figures import GROUPINGS, figures, period_figures, period_trend, trend
from engine.persistence import tables as t
from engine.persistence.day_rollups import ROLLUPS
from engine.persistence.savings_store import SavingsFilter
from engine.persistence.sql_days import start_of
from engine.services.simulation import SimulationPlan, simulate
from tests.conftest import FakeClock


def flat(value: Any) -> Any:
    """A figure's members as plain data, floats rounded (sums in another order differ in the last bit)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: flat(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: flat(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [flat(v) for v in value]
    return round(value, 6) if isinstance(value, float) else value


@pytest.fixture
def simulated(engine: OneThingEngine, clock: FakeClock) -> OneThingEngine:
    result = simulate(engine.ctx, clock, SimulationPlan(cases=60, seed=11))
    assert result.closed > 40
    return engine


def seal(engine: OneThingEngine, through: date) -> dict[str, int]:
    with engine.ctx.uow(True) as uow:
        written = uow.rollups.seal(through)
        uow.commit()
    return written


def sealed(engine: OneThingEngine) -> dict[str, date | None]:
    with engine.ctx.uow(False) as uow:
        return {name: day for name, day in uow.connection.execute(
            select(t.rollup_seals.c.name, t.rollup_seals.c.sealed_through))}


def days_of(engine: OneThingEngine) -> tuple[date, date]:
    with engine.ctx.uow(False) as uow:
        first = uow.connection.execute(
            select(t.cases.c.accepted_at).order_by(t.cases.c.accepted_at).limit(1)).scalar_one()
        closed = uow.connection.execute(select(t.cases.c.closed_at).where(t.cases.c.closed_at.is_not(None))
                                        .order_by(t.cases.c.closed_at.desc()).limit(1)).scalar_one()
    return shanghai_day(first), shanghai_day(closed)


FILTERS = [SavingsFilter(), SavingsFilter(bundle_code="restaurant"), SavingsFilter(points=frozenset({"xx_city"})),
           SavingsFilter(department="scjg"), SavingsFilter(bundle_code="restaurant", department="scjg"),
           SavingsFilter(department="scjg", points=frozenset({"xx_city"}))]


def shown(found: dict[str, Any]) -> dict[str, Any]:
    """The groups with anything to show (counting row by row also lists a group whose case is merely open)."""
    return {name: flat(f) for name, f in found.items() if any(flat(f).values())}


def readings(engine: OneThingEngine, first: date, last: date) -> dict[str, Any]:
    """Everything the roll-ups serve, read the way the services read it."""
    middle = first + (last - first) // 2
    ranges = [(first, last), (first, middle), (middle, last), (middle, middle), (middle - timedelta(days=6), middle)]
    found: dict[str, Any] = {}
    with engine.ctx.uow(False) as uow:
        found["board"] = flat(uow.reads.department_figures())
        for n, flt in enumerate(FILTERS):
            for since, until in ranges:
                dated = dataclasses.replace(flt, closed_from=start_of(since),
                                            closed_before=start_of(until + timedelta(days=1)))
                for key, value in ((f"savings {n} all", flt), (f"savings {n} {since}..{until}", dated)):
                    found[key] = flat(uow.savings.totals(value))
                    found[key + " trips"] = flat(uow.savings.trips_by_channel(value))
        today = shanghai_day(engine.ctx.clock())
        for since, until in ranges:
            counts = uow.leader_stats.period_counts(since, until)
            start, before = start_of(since), start_of(until + timedelta(days=1))
            orders = uow.leader_stats.orders(start, before)
            rows = (uow.leader_stats.cases(start, before), uow.leader_stats.ratings(start, before), orders)
            for group in GROUPINGS:
                summed = period_figures(counts, orders, since, until, today, group)
                counted = figures(*rows, since, until, today, group)
                assert shown(summed) == shown(counted), (since, until, group)
                found[f"leaders {since}..{until} {group}"] = flat(summed)
            for size in ("week", "month"):
                summed_trend = period_trend(counts, orders, since, until, today, size)
                assert flat(summed_trend) == flat(trend(*rows, since, until, today, size)), (since, until, size)
    return found


def same(found: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal, or the first place where not (a report is large)."""
    def where(a: Any, b: Any, path: str) -> str | None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                found_at = where(a.get(key), b.get(key), f"{path}.{key}")
                if found_at:
                    return found_at
            return None
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return next((w for n, (x, y) in enumerate(zip(a, b, strict=True)) if (w := where(x, y, f"{path}[{n}]"))),
                        None)
        return None if a == b else f"{path}: {a!r} != {b!r}"

    assert where(found, expected, "") is None, where(found, expected, "")


def test_sealed_days_change_no_figure_and_the_leaders_sums_equal_the_rows(simulated: OneThingEngine) -> None:
    engine = simulated
    first, last = days_of(engine)
    as_ticked = sealed(engine)
    assert all(day is not None and first <= day for day in as_ticked.values()), as_ticked  # the ticker sealed
    ticked = readings(engine, first, last)
    unsealed = seal(engine, first - timedelta(days=30))  # the clock "went back": every day unsealed
    assert all(days < 0 for days in unsealed.values()), unsealed
    with engine.ctx.uow(False) as uow:
        assert all(uow.connection.execute(select(table).limit(1)).first() is None for table, _ in ROLLUPS.values())
    same(readings(engine, first, last), ticked)
    assert seal(engine, last + timedelta(days=1))["cases"] >= (last - first).days  # every day of the cases
    with engine.ctx.uow(False) as uow:
        assert all(uow.connection.execute(select(table).limit(1)).first() for table, _ in ROLLUPS.values())
    same(readings(engine, first, last), ticked)
    seal(engine, first + (last - first) // 3)
    same(readings(engine, first, last), ticked)
    assert seal(engine, first + (last - first) // 3) == dict.fromkeys(ROLLUPS, 0)  # sealed once


def test_a_day_is_sealed_an_hour_after_it_ends(simulated: OneThingEngine, clock: FakeClock) -> None:
    from engine.persistence.day_rollups import month_end_through, sealable_through
    from engine.services.report_days import seal_report_days

    midnight = start_of(date(2027, 1, 5))
    assert sealable_through(midnight + timedelta(minutes=59)) == date(2027, 1, 3)
    assert sealable_through(midnight + timedelta(minutes=61)) == date(2027, 1, 4)
    now = clock()
    seal_report_days(simulated.ctx)
    through = sealable_through(now)
    assert sealed(simulated) == {"approvals": through, "cases": through, "spans": through,  # the savings by month
                                 "savings": month_end_through(through), "savings_values": month_end_through(through)}

