"""Two people do the same thing to the same case at the same moment (threads lined up at a barrier):
two reviewers of one department complete or claim the same task, two clerks hand over the same
case, the window sends the same intake twice with one Idempotency-Key. One wins, the other gets a
clear conflict (or, for the retried intake, the same answer), and the change is recorded once.

Locking is only real on PostgreSQL (run with TEST_DATABASE_URL), directly and through PgBouncer in
transaction mode; SQLite runs the same races with its database-wide write lock."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from engine.domain.decisions import HandOver
from engine.domain.errors import Conflict
from engine.domain.model import Actor
from engine.services.cases import PickUp, StartCase, pick_up, start_case
from engine.services.tasks import ClaimTask, CompleteTask, claim_task, complete_task
from engine.services.transactions import RequestKey
from tests.approvals import approval_of
from tests.conftest import APPLICANT, BACKENDS_WITH_POOLER, application, backend_of
from tests.integration.test_concurrency import CLERK, approve_licences, finish_chained_approvals, open_approvals

ROUNDS = 6
XF = [Actor("赵消防", "xf", "reviewer"), Actor("钱消防", "xf", "reviewer")]


@pytest.fixture(params=BACKENDS_WITH_POOLER)
def backend(request: pytest.FixtureRequest) -> str:
    return backend_of(request)


def race(*attempts: Callable[[], Any]) -> list[Any]:
    """Run ``attempts`` at once; answers what each answered, or "conflict"."""
    barrier = threading.Barrier(len(attempts))

    def attempt(run: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return run()
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def outcomes(answers: list[Any]) -> list[str]:
    return sorted("conflict" if a == "conflict" else "done" for a in answers)


def new_case(engine: OneThingEngine) -> int:
    return int(start_case(StartCase("restaurant", APPLICANT, CLERK, **application(engine)), engine.ctx).resource_id)


def licensed_cases(engine: OneThingEngine) -> list[int]:
    """ROUNDS new cases whose business licence is approved: their fire inspections are open."""
    cases = [new_case(engine) for _ in range(ROUNDS)]
    approve_licences(engine)
    return cases


def fire_task(engine: OneThingEngine, case_id: int) -> str:
    with engine.db.connect() as conn:
        return str(conn.execute(text("SELECT id FROM tasks WHERE case_id = :c AND department = 'xf' "
                                     "AND state = 'ready'"), {"c": case_id}).scalar_one())


def events(engine: OneThingEngine, kind: str) -> Counter[Any]:
    with engine.db.connect() as conn:
        return Counter(r[0] for r in conn.execute(text("SELECT case_id FROM case_events WHERE type = :t"),
                                                  {"t": kind}))


def test_two_reviewers_completing_the_same_task_at_once_complete_it_once(engine: OneThingEngine) -> None:
    cases = licensed_cases(engine)
    fire_tasks = []
    for case_id in cases:
        task = fire_task(engine, case_id)
        fire_tasks.append(task)
        answers = race(*(partial(complete_task, CompleteTask(task, approval_of(engine, task), who), engine.ctx)
                         for who in XF))
        assert outcomes(answers) == ["conflict", "done"]
    approved = events(engine, "ItemApproved")
    assert approved == dict.fromkeys(cases, 2)  # the licence, then the fire inspection once
    with engine.db.connect() as conn:
        fire_approved = Counter(r[0] for r in conn.execute(
            text("SELECT task_id FROM case_events WHERE type = 'ItemApproved'")) if r[0] in fire_tasks)
    assert fire_approved == dict.fromkeys(fire_tasks, 1)


def test_two_reviewers_claiming_the_same_task_at_once_leave_one_assignee(engine: OneThingEngine) -> None:
    cases = licensed_cases(engine)
    for case_id in cases:
        task = fire_task(engine, case_id)
        answers = race(*(partial(claim_task, ClaimTask(task, who), engine.ctx) for who in XF))
        assert outcomes(answers) == ["conflict", "done"]
        with engine.db.connect() as conn:
            assignee = conn.execute(text("SELECT assignee FROM tasks WHERE id = :t"), {"t": task}).scalar_one()
        assert assignee in {who.user for who in XF}
    assert events(engine, "TaskClaimed") == dict.fromkeys(cases, 1)


def test_two_clerks_handing_over_the_same_case_at_once_hand_it_over_once(engine: OneThingEngine) -> None:
    cases = [new_case(engine) for _ in range(ROUNDS)]
    finish_chained_approvals(engine)  # three approvals open once the business licence is decided
    assert open_approvals(engine) == []
    clerks = [CLERK, Actor("李窗口", "window", "clerk")]
    for case_id in cases:
        answers = race(*(partial(pick_up, PickUp(str(case_id), HandOver(recipient_name="陈小明"), who), engine.ctx)
                         for who in clerks))
        assert outcomes(answers) == ["conflict", "done"]
    assert events(engine, "ResultsHandedOver") == dict.fromkeys(cases, 1)
    with engine.db.connect() as conn:
        issued = Counter(r[0] for r in conn.execute(text("SELECT case_id FROM elicences WHERE case_id IS NOT NULL")))
        statuses = Counter(r[0] for r in conn.execute(text("SELECT status FROM cases")))
    assert set(issued) == set(cases) and len(set(issued.values())) == 1  # each case's licences issued once
    assert statuses == {"closed": len(cases)}


def test_the_same_intake_sent_twice_at_once_with_one_key_starts_one_case(engine: OneThingEngine) -> None:
    body = application(engine)
    for n in range(ROUNDS):
        key = RequestKey.of(f"intake-{n}", "POST", "/api/cases", {"n": n})
        command = StartCase("restaurant", APPLICANT, CLERK, request_key=key, **body)
        first, second = race(partial(start_case, command, engine.ctx), partial(start_case, command, engine.ctx))
        assert first.resource_id == second.resource_id  # one started the case, the other had its answer
        assert sorted([first.replayed, second.replayed]) == [False, True]
    with engine.db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == ROUNDS
    assert sum(events(engine, "CaseAccepted").values()) == ROUNDS
