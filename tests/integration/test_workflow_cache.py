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


def ready_approvals(engine: OneThingEngine, case_id: int) -> dict[str, tuple[str, str]]:
    """The case's open approvals: item -> (task id, department)."""
    with engine.db.connect() as conn:
        rows = conn.execute(text(
            "SELECT item_code, id, department FROM tasks WHERE case_id = :c AND kind = 'approval' "
            "AND state = 'ready' ORDER BY item_code"), {"c": case_id}).all()
    return {item: (task_id, department) for item, task_id, department in rows}


def test_a_stale_cached_workflow_is_not_used(engine: OneThingEngine, db_url: str, clock: FakeClock) -> None:
    other = build_engine(Settings(database_url=db_url, clock=clock, deploy_shipped=False))
    try:
        start = StartCase("restaurant", APPLICANT, CLERK, **application(engine))
        case_id = int(start_case(start, engine.ctx).resource_id)
        at_intake = ready_approvals(engine, case_id)
        assert set(at_intake) == {"cy.yyzz", "cy.jkz"}
        approve(engine, *at_intake["cy.jkz"])  # this process now caches the case
        approve(other, *at_intake["cy.yyzz"])  # another process changes it: the licence opens three approvals
        opened = ready_approvals(engine, case_id)
        assert set(opened) == {"cy.spjy", "cy.zp", "cy.xf"}
        approve(engine, *opened["cy.xf"])  # the cached copy is one change behind
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
        assert still_waiting == {"cy.spjy", "cy.zp"}  # opened by the licence, not yet decided
        assert seqs == list(range(1, len(seqs) + 1))
    finally:
        other.db.dispose()


def test_consecutive_changes_in_one_process_reuse_the_live_workflow(engine: OneThingEngine) -> None:
    case_id = int(start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx).resource_id)
    at_intake = ready_approvals(engine, case_id)
    assert set(at_intake) == {"cy.yyzz", "cy.jkz"}
    for task_id, department in at_intake.values():
        approve(engine, task_id, department)
    opened = ready_approvals(engine, case_id)  # the permit, the sign and the fire inspection, after the licence
    assert set(opened) == {"cy.spjy", "cy.zp", "cy.xf"}
    for task_id, department in opened.values():
        approve(engine, task_id, department)
    assert engine.ctx.workflows.hits == len(at_intake) + len(opened)
    with engine.db.connect() as conn:
        status = conn.execute(text("SELECT status FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
    assert status == "awaiting_pickup"
