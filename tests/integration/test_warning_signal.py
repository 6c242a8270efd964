"""The warning board (红黄牌) agrees with supervision's own on-time figures: a short limit starts
green; a late approval has a red card after the next tick while it is open, and from its decision
when it is decided after its due day between two ticks; and over a simulated set the approvals whose
latest card is red are exactly the late ones of the on-time figures plus the open red ones.

Working days after Thu 2026-09-24 (the FakeClock's start): 09-28 (1), 09-29 (2), 09-30 (3),
10-08 (4), 10-09 (5). The restaurant's business licence (cy.yyzz, 市场监管) is promised in 1."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from engine.domain.access import Principal, Role
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from engine.services.simulation import SimulationPlan, simulate
from engine.services.supervision import department_performance
from engine.services.tasks import CompleteTask, complete_task
from engine.services.timers import tick
from tests.approvals import approval_of
from tests.conftest import APPLICANT, FakeClock, application
from tests.integration.test_concurrency import CLERK

SUPERVISOR = Principal(user_id=1, login="supervisor", name="督查员", department="supervision",
                       roles=frozenset({Role.SUPERVISOR}))


def shanghai(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(UTC)


def licence_task(engine: OneThingEngine) -> tuple[str, str]:
    case_id = int(start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx).resource_id)
    with engine.db.connect() as conn:
        task_id, colour = conn.execute(text(
            "SELECT id, colour FROM tasks WHERE case_id = :c AND item_code = 'cy.yyzz'"), {"c": case_id}).one()
    return str(task_id), str(colour)


def cards(engine: OneThingEngine, task_id: str) -> list[tuple[str | None, str, str, int]]:
    with engine.db.connect() as conn:
        rows = conn.execute(text("SELECT previous, colour, due_on, remaining_days FROM supervision_warnings "
                                 "WHERE task_id = :t ORDER BY id"), {"t": task_id}).all()
    return [(r[0], r[1], str(r[2]), int(r[3])) for r in rows]


def test_a_one_day_approval_starts_green_turns_yellow_on_its_due_day_and_red_after(
        engine: OneThingEngine, clock: FakeClock) -> None:
    task_id, colour = licence_task(engine)
    assert colour == "green"  # all of its one day left: not yet a warning
    assert tick(engine.ctx).clocks == [] and cards(engine, task_id) == []
    clock.now = shanghai("2026-09-28", 10)  # the due day
    tick(engine.ctx)
    assert cards(engine, task_id) == [("green", "yellow", "2026-09-28", 0)]
    clock.now = shanghai("2026-09-29", 9)  # the next working day: late
    tick(engine.ctx)
    assert cards(engine, task_id)[-1] == ("yellow", "red", "2026-09-28", -1)


def test_an_approval_decided_late_between_two_ticks_is_carded_red_at_its_decision(
        engine: OneThingEngine, clock: FakeClock) -> None:
    task_id, _ = licence_task(engine)
    clock.now = shanghai("2026-09-30", 11)  # two working days after the due day, and no tick ran
    complete_task(CompleteTask(task_id, approval_of(engine, task_id), Actor("审批员-scjg", "scjg")), engine.ctx)
    assert cards(engine, task_id) == [("green", "red", "2026-09-28", -2)]
    tick(engine.ctx)
    assert len(cards(engine, task_id)) == 1  # carded once, however many ticks follow
    scjg = next(d for d in department_performance(engine.ctx, SUPERVISOR) if d.department == "scjg")
    assert (scjg.completed, scjg.on_time) == (1, 0)


def test_the_ticker_cards_a_late_decision_left_without_its_card(engine: OneThingEngine, clock: FakeClock) -> None:
    task_id, _ = licence_task(engine)
    clock.now = shanghai("2026-09-30", 11)
    complete_task(CompleteTask(task_id, approval_of(engine, task_id), Actor("审批员-scjg", "scjg")), engine.ctx)
    with engine.db.begin() as conn:  # as decided before decisions were carded
        conn.execute(text("DELETE FROM supervision_warnings WHERE task_id = :t"), {"t": task_id})
        conn.execute(text("UPDATE tasks SET colour = 'green' WHERE id = :t"), {"t": task_id})
    clock.now = shanghai("2026-10-08", 9)
    tick(engine.ctx)
    assert cards(engine, task_id) == [("green", "red", "2026-09-28", -2)]
    tick(engine.ctx)
    assert len(cards(engine, task_id)) == 1


def test_the_boards_red_approvals_are_the_late_ones_of_the_on_time_figures(
        engine: OneThingEngine, clock: FakeClock) -> None:
    simulate(engine.ctx, clock, SimulationPlan(cases=30, seed=5))
    tick(engine.ctx)
    figures = department_performance(engine.ctx, SUPERVISOR)
    late = sum(d.completed - d.on_time for d in figures)
    open_red = sum(d.open_red for d in figures)
    assert late > 5, "the simulated set has late approvals to count"
    with engine.db.connect() as conn:
        rows = conn.execute(text(
            "SELECT w.task_id, w.colour, t.department FROM supervision_warnings w JOIN tasks t ON t.id = w.task_id "
            "WHERE t.kind = 'approval' ORDER BY w.raised_at, w.id")).all()
    latest: dict[str, tuple[str, str]] = {}
    for task, colour, department in rows:
        latest[str(task)] = (str(colour), str(department))
    standing_red = [d for colour, d in latest.values() if colour == "red"]
    assert len(standing_red) == late + open_red
    for department in figures:  # and department by department
        assert standing_red.count(department.department) == \
            department.completed - department.on_time + department.open_red, department.department
