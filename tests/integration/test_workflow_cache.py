"""Two server processes share one database, each with its own cache of live workflows: a process
must never continue from its cached copy after the other one changed the case."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from engine.services.tasks import CompleteTask, complete_task
from engine.workflow.case_workflow import CaseWorkflow
from tests.approvals import approval_of
from tests.conftest import APPLICANT, FakeClock, application

CLERK = Actor("王窗口", "window", "clerk")


def approve(engine: OneThingEngine, task_id: str, department: str) -> None:
    complete_task(CompleteTask(task_id, approval_of(engine, task_id), Actor(f"审批员-{department}", department)),
                  engine.ctx)


def test_a_stale_cached_workflow_is_not_used(engine: OneThingEngine, db_url: str, clock: FakeClock) -> None:
    other = build_engine(Settings(database_url=db_url, clock=clock, deploy_shipped=False))
    try:
        start = StartCase("restaurant", APPLICANT, CLERK, **application(engine))
        case_id = int(start_case(start, engine.ctx).resource_id)
        with engine.db.connect() as conn:
            tasks = conn.execute(text(
                "SELECT id, department, item_code FROM tasks WHERE case_id = :c AND kind = 'approval' "
                "ORDER BY item_code"), {"c": case_id}).all()
        approve(engine, tasks[0][0], tasks[0][1])  # this process now caches the case
        approve(other, tasks[1][0], tasks[1][1])  # another process changes it
        approve(engine, tasks[2][0], tasks[2][1])  # the cached copy is one change behind
        # The first change continued from the copy cached at intake; the third found it stale.
        assert (engine.ctx.workflows.hits, engine.ctx.workflows.misses) == (1, 1)

        with engine.db.connect() as conn:
            version_id, state = conn.execute(text(
                "SELECT c.flow_version_id, w.state FROM cases c JOIN workflow_states w ON w.case_id = c.id "
                "WHERE c.id = :c"), {"c": case_id}).one()
            seqs = [r[0] for r in conn.execute(
                text("SELECT seq FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": case_id})]
        flow = engine.ctx.specs.get(version_id, lambda: pytest.fail("the flow is not cached"))
        stored = CaseWorkflow.load(flow, state, engine.ctx.script_engine)
        still_waiting = {t.item for t in stored.waiting_tasks()}
        assert still_waiting == {t[2] for t in tasks[3:]} | {"cy.spjy"}  # the permit opened after the licence
        assert seqs == list(range(1, len(seqs) + 1))
    finally:
        other.db.dispose()


def test_consecutive_changes_in_one_process_reuse_the_live_workflow(engine: OneThingEngine) -> None:
    case_id = int(start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx).resource_id)
    with engine.db.connect() as conn:
        tasks = conn.execute(text("SELECT id, department FROM tasks WHERE case_id = :c AND kind = 'approval'"),
                             {"c": case_id}).all()
    for task_id, department in tasks:
        approve(engine, task_id, department)
    with engine.db.connect() as conn:
        permit = conn.execute(text("SELECT id, department FROM tasks WHERE case_id = :c AND state = 'ready' "
                                   "AND kind = 'approval'"), {"c": case_id}).one()
    approve(engine, permit[0], permit[1])
    assert engine.ctx.workflows.hits == len(tasks) + 1
    with engine.db.connect() as conn:
        status = conn.execute(text("SELECT status FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
    assert status == "awaiting_pickup"
