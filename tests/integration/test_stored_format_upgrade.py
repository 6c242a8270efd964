"""A case stored by the release before stored format numbers (format 1) goes on after the server
is upgraded: the services read its row through the format's steps, and the next change stores it
in this release's format. On SQLite and PostgreSQL (engine/workflow/stored_format.py)."""

from __future__ import annotations

from sqlalchemy import text

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain import jsoncodec
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from engine.services.tasks import CompleteTask, complete_task
from engine.workflow.case_workflow import SERIALIZER_VERSION
from engine.workflow.stored_format import FORMAT, FORMAT_1_LABEL, FORMAT_KEY, SPIFF_FORMAT_KEY
from tests.approvals import approval_of
from tests.conftest import APPLICANT, FakeClock, application

CLERK = Actor("王窗口", "window", "clerk")


def approve(engine: OneThingEngine, task_id: str, department: str) -> None:
    complete_task(CompleteTask(task_id, approval_of(engine, task_id), Actor(f"审批员-{department}", department)),
                  engine.ctx)


def ready_approvals(engine: OneThingEngine, case_id: int) -> dict[str, tuple[str, str]]:
    with engine.db.connect() as conn:
        rows = conn.execute(text(
            "SELECT item_code, id, department FROM tasks WHERE case_id = :c AND kind = 'approval' "
            "AND state = 'ready' ORDER BY item_code"), {"c": case_id}).all()
    return {item: (task_id, department) for item, task_id, department in rows}


def stored_row(engine: OneThingEngine, case_id: int) -> tuple[str, dict[str, object]]:
    with engine.db.connect() as conn:
        version, state = conn.execute(text("SELECT serializer_version, state FROM workflow_states WHERE case_id = :c"),
                                      {"c": case_id}).one()
    return version, jsoncodec.loads(state)


def test_a_case_stored_in_format_1_is_read_and_stored_in_this_releases_format(
        engine: OneThingEngine, db_url: str, clock: FakeClock) -> None:
    case_id = int(start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx).resource_id)
    approve(engine, *ready_approvals(engine, case_id)["cy.jkz"])
    version, dct = stored_row(engine, case_id)
    assert version == SERIALIZER_VERSION and dct[FORMAT_KEY] == FORMAT

    # The row as the release before wrote it: the same column value, one label in the JSON and no number.
    del dct[FORMAT_KEY]
    dct[SPIFF_FORMAT_KEY] = FORMAT_1_LABEL
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE workflow_states SET state = :s WHERE case_id = :c"),
                     {"s": jsoncodec.dumps(dct), "c": case_id})

    upgraded = build_engine(Settings(database_url=db_url, clock=clock, deploy_shipped=False))  # no cached workflow
    try:
        approve(upgraded, *ready_approvals(upgraded, case_id)["cy.yyzz"])
        version, dct = stored_row(upgraded, case_id)
        assert version == SERIALIZER_VERSION and dct[FORMAT_KEY] == FORMAT and dct[SPIFF_FORMAT_KEY] == "1.5"
        opened = ready_approvals(upgraded, case_id)
        assert set(opened) == {"cy.spjy", "cy.zp", "cy.xf"}  # the licence opened them: the flow went on
        for task_id, department in opened.values():
            approve(upgraded, task_id, department)
        with upgraded.db.connect() as conn:
            status = conn.execute(text("SELECT status FROM cases WHERE id = :c"), {"c": case_id}).scalar_one()
        assert status == "awaiting_pickup"
    finally:
        upgraded.db.dispose()
