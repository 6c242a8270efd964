"""Working-day clocks: special procedures pause them, a head extends them, the ticker colours them
and raises warnings (红黄牌) that supervisors see, acknowledge and count per department."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.domain.model import Actor
from engine.services.clock_actions import ExtendTask, PauseTask, ResumeTask, extend_task, pause_task, resume_task
from engine.services.clocks import refresh_clocks, settle_late_completions
from engine.services.supervision import acknowledge_warning, department_performance, list_warnings
from engine.services.tasks import CompleteTask, complete_task
from engine.services.timers import tick
from tests.approvals import approved
from tests.fakes.context import FakeContext
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import SCJG, SUPERVISOR, WJ, accept, case_of, events, open_tasks

HEAD = Actor("qian.scjg", "scjg", "head")


def test_a_special_procedure_stops_the_clock_for_its_working_days(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    assert (task.limit_days, task.due_on) == (1, date(2026, 9, 28))
    pause_task(PauseTask(task.id, "expert_review", "专家评审", SCJG), fake.ctx)
    assert open_tasks(fake, case)["cy.yyzz"].paused_since == fake.clock.now
    with pytest.raises(Conflict):
        pause_task(PauseTask(task.id, "testing", "再检测", SCJG), fake.ctx)
    fake.clock.advance(days=7)
    resume_task(ResumeTask(task.id, SCJG), fake.ctx)
    resumed = open_tasks(fake, case)["cy.yyzz"]
    assert (resumed.paused_since, resumed.due_on) == (None, date(2026, 10, 8))  # 国庆 counted out too
    assert [e.type for e in events(fake, case)][-3:] == ["ClockPaused", "DeadlineColourChanged", "ClockResumed"]
    with pytest.raises(Conflict):
        resume_task(ResumeTask(task.id, SCJG), fake.ctx)


def test_only_a_special_procedure_with_a_reason_pauses(fake: FakeContext) -> None:
    task = open_tasks(fake, accept(fake))["cy.yyzz"]
    with pytest.raises(InvalidInput):
        pause_task(PauseTask(task.id, "lunch", "午休", SCJG), fake.ctx)
    with pytest.raises(InvalidInput):
        pause_task(PauseTask(task.id, "hearing", " ", SCJG), fake.ctx)
    with pytest.raises(NotFound):  # another department's task, as if it did not exist
        pause_task(PauseTask(task.id, "hearing", "听证", WJ), fake.ctx)
    with pytest.raises(NotFound):
        pause_task(PauseTask("no-such-task", "hearing", "听证", SCJG), fake.ctx)


def test_a_head_extends_the_limit_and_the_due_day(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    extend_task(ExtendTask(task.id, 3, "情况复杂", HEAD), fake.ctx)
    extended = open_tasks(fake, case)["cy.yyzz"]
    assert (extended.limit_days, extended.due_on) == (4, date(2026, 10, 8))  # 国庆 in between
    assert events(fake, case, "DeadlineExtended")[0].data["days"] == 3
    with pytest.raises(InvalidInput):
        extend_task(ExtendTask(task.id, 31, "太久", HEAD), fake.ctx)


def test_the_ticker_colours_late_clocks_and_raises_warnings(fake: FakeContext) -> None:
    case = accept(fake)
    assert refresh_clocks(fake.ctx) == []
    fake.clock.advance(days=21)
    assert refresh_clocks(fake.ctx) == [case.number]
    assert {code: t.colour for code, t in open_tasks(fake, case).items()} == {"cy.yyzz": "red", "cy.jkz": "red"}
    assert case_of(fake, case.id).colour == "yellow"  # the case's own promise is near
    assert tick(fake.ctx).clocks == []  # nothing changed since


def test_supervisors_see_every_warning_a_department_its_own(fake: FakeContext) -> None:
    accept(fake)
    fake.clock.advance(days=21)
    refresh_clocks(fake.ctx)
    red = list_warnings(fake.ctx, fake.principal("supervisor"), None, "red", False, 1, 50)
    warnings = red.items
    assert (red.total, red.total_exact, sorted(w.department for w in warnings)) == (2, True, ["scjg", "wj"])
    head = fake.principal("scjg.head")
    assert [w.department for w in list_warnings(fake.ctx, head, None, None, False, 1, 50).items] == ["scjg"]
    with pytest.raises(Forbidden):
        list_warnings(fake.ctx, head, "wj", None, False, 1, 50)
    wj_warning = next(w for w in warnings if w.department == "wj")
    with pytest.raises(NotFound):
        acknowledge_warning(wj_warning.id, head, HEAD, fake.ctx)
    seen = acknowledge_warning(wj_warning.id, fake.principal("supervisor"), SUPERVISOR, fake.ctx)
    assert seen.acknowledged_by == "zhou.office"
    assert list_warnings(fake.ctx, fake.principal("supervisor"), None, "red", True, 1, 50).total == 1


def test_department_performance_counts_open_approvals_by_colour(fake: FakeContext) -> None:
    accept(fake)
    supervisor = fake.principal("supervisor")
    figures = {f.department: f for f in department_performance(fake.ctx, supervisor)}
    assert (figures["scjg"].open_green, figures["wj"].open_green, figures["scjg"].name) == (1, 1, "市场监督管理局")
    fake.clock.advance(days=21)
    refresh_clocks(fake.ctx)
    late = {f.department: f.open_red for f in department_performance(fake.ctx, supervisor)}
    assert late == {"scjg": 1, "wj": 1}
    assert [f.department for f in department_performance(fake.ctx, fake.principal("scjg.head"))] == ["scjg"]


def test_a_late_decision_without_a_red_card_gets_one_from_the_ticker(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    fake.clock.advance(days=7)
    complete_task(CompleteTask(task.id, approved("cy.yyzz"), SCJG), fake.ctx)
    with FakeUnitOfWork(fake.db) as uow:  # decided before cards were raised at decisions
        decided = uow.tasks.get(task.id)
        assert decided is not None and decided.colour == "red"
        decided.colour = "green"
        uow.tasks.save(decided)
        uow.commit()
    assert settle_late_completions(fake.ctx) == [case.number]
    assert settle_late_completions(fake.ctx) == []
    with fake.uow() as uow:
        settled = uow.tasks.get(task.id)
    assert settled is not None and settled.colour == "red"
