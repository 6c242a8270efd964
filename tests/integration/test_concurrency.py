"""Departments complete the parallel tasks of the same cases at the same moment, from threads and
from separate processes: every completion is recorded exactly once and every case reaches pickup.
At acceptance the business licence and the health certificate are open; the licence's approval
opens the food permit, the sign and the fire inspection, in parallel with each other and with the
health certificate if it is still open.

Locking is only real on PostgreSQL (run with TEST_DATABASE_URL), directly and through PgBouncer in
transaction mode (each transaction on whichever server connection is free); SQLite runs the same
checks with its database-wide write lock."""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.errors import ConcurrentUpdate, Conflict
from engine.domain.model import Actor
from engine.services.cases import StartCase, start_case
from engine.services.tasks import CompleteTask, complete_task
from tests.approvals import approval_of
from tests.conftest import APPLICANT, BACKENDS_WITH_POOLER, application, backend_of

CLERK = Actor("王窗口", "window", "clerk")


@pytest.fixture(params=BACKENDS_WITH_POOLER)
def backend(request: pytest.FixtureRequest) -> str:
    return backend_of(request)


def start_cases(engine: OneThingEngine, n: int) -> list[int]:
    body = application(engine)
    return [int(start_case(StartCase("restaurant", APPLICANT, CLERK, **body), engine.ctx).resource_id)
            for _ in range(n)]


def open_approvals(engine: OneThingEngine) -> list[tuple[str, str]]:
    with engine.db.connect() as conn:
        rows = conn.execute(text("SELECT id, department FROM tasks WHERE state = 'ready' AND kind = 'approval'"))
        return [(r[0], r[1]) for r in rows]


def try_complete(engine: OneThingEngine, task_id: str, department: str) -> str:
    try:
        complete_task(CompleteTask(task_id, approval_of(engine, task_id), Actor(f"审批员-{department}", department)),
                      engine.ctx)
        return "done"
    except Conflict:
        return "conflict"


def approve_licences(engine: OneThingEngine) -> None:
    """Approve each open business licence (cy.yyzz), one by one: the food permit, the sign and the
    fire inspection of its case open in parallel after it."""
    with engine.db.connect() as conn:
        rows = conn.execute(text("SELECT id, department FROM tasks WHERE state = 'ready' AND kind = 'approval' "
                                 "AND item_code = 'cy.yyzz'")).all()
    for task_id, department in rows:
        assert try_complete(engine, task_id, department) == "done"


def finish_chained_approvals(engine: OneThingEngine) -> None:
    """Complete the approvals still open one by one, until the approvals they open are done too."""
    while work := open_approvals(engine):
        for task_id, department in work:
            assert try_complete(engine, task_id, department) == "done"


def assert_each_completion_recorded_once(engine: OneThingEngine, cases: list[int]) -> None:
    finish_chained_approvals(engine)
    with engine.db.connect() as conn:
        approved = Counter(r[0] for r in conn.execute(
            text("SELECT task_id FROM case_events WHERE type = 'ItemApproved'")))
        assert approved and max(approved.values()) == 1
        assert len(approved) == 5 * len(cases)
        statuses = Counter(r[0] for r in conn.execute(text("SELECT status FROM cases")))
        assert statuses == {"awaiting_pickup": len(cases)}
        per_case = Counter(r[0] for r in conn.execute(
            text("SELECT case_id FROM tasks WHERE kind = 'approval' AND state = 'completed'")))
        assert all(per_case[c] == 5 for c in cases)
        pickups = conn.execute(text("SELECT count(*) FROM tasks WHERE kind = 'pickup' AND state = 'ready'"))
        assert pickups.scalar_one() == len(cases)
        states = [r[0] for r in conn.execute(text("SELECT state FROM workflow_states"))]
        assert all(s.count('"decision":"approve"') >= 5 for s in states)


def complete_at_once(engine: OneThingEngine, work: list[tuple[str, str]], seed: int) -> Counter[str]:
    """Complete ``work`` from 8 threads, 10 of its tasks submitted twice at once."""
    work = work + random.Random(seed).sample(work, 10)
    random.Random(seed + 1).shuffle(work)
    barrier = threading.Barrier(8)

    def run(job: tuple[str, str]) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=0.5)
        return try_complete(engine, *job)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return Counter(pool.map(run, work))


def test_threads_complete_parallel_branches_of_the_same_cases(engine: OneThingEngine) -> None:
    cases = start_cases(engine, 12)
    # The licence races the health certificate of its case: its completion opens three approvals.
    assert complete_at_once(engine, open_approvals(engine), 7) == {"done": 24, "conflict": 10}  # 12 × 2
    # Then the food permit, the sign and the fire inspection the licence opened race each other.
    opened = open_approvals(engine)
    assert complete_at_once(engine, opened, 8) == {"done": 36, "conflict": 10}  # 12 cases × 3 parallel approvals
    assert_each_completion_recorded_once(engine, cases)


def _process_worker(settings: Settings, jobs: list[tuple[str, str]], start: Any, results: Any) -> None:
    engine = build_engine(settings)
    start.wait()
    outcomes = Counter(try_complete(engine, task_id, dept) for task_id, dept in jobs)
    results.put(dict(outcomes))
    engine.db.dispose()


def test_processes_complete_parallel_branches_of_the_same_cases(engine: OneThingEngine) -> None:
    cases = start_cases(engine, 10)
    approve_licences(engine)  # now the health certificate and the three approvals after the licence are open
    work = open_approvals(engine)
    # Every task goes to two processes, so both race for it; each case's tasks are spread over all four.
    rng = random.Random(3)
    shares: list[list[tuple[str, str]]] = [[] for _ in range(4)]
    for job in work:
        for worker in rng.sample(range(4), 2):
            shares[worker].append(job)
    mp = multiprocessing.get_context("spawn")
    start, results = mp.Event(), mp.Queue()
    settings = Settings(database_url=engine.settings.database_url, deploy_shipped=False, pool_size=2,
                        prepared_statements=engine.settings.prepared_statements)
    processes = [mp.Process(target=_process_worker, args=(settings, share, start, results)) for share in shares]
    for p in processes:
        p.start()
    start.set()
    totals: Counter[str] = Counter()
    for _ in processes:
        totals.update(results.get(timeout=120))
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert totals == {"done": 40, "conflict": 40}  # 10 cases × 4 parallel approvals
    assert_each_completion_recorded_once(engine, cases)


def test_a_stale_copy_of_a_case_this_transaction_holds_is_refused_without_asking_the_database(
        engine: OneThingEngine) -> None:
    """A locked case's save compares versions in the process (its UPDATE waits for the COMMIT):
    saving an older copy of it after the case moved on in the same transaction is refused."""
    (case_id,) = start_cases(engine, 1)
    with engine.ctx.uow(True) as uow:
        held = uow.cases.lock(case_id)
        assert held is not None
        copy = dataclasses.replace(held)
        uow.cases.save(held)
        with pytest.raises(ConcurrentUpdate):
            uow.cases.save(copy)
        uow.commit()
    with engine.db.connect() as conn:
        stored = conn.execute(text("SELECT version FROM cases WHERE id = :c"), {"c": case_id}).scalar()
    assert stored == copy.version + 1


def test_a_stale_save_writes_neither_the_case_nor_its_workflow_state(engine: OneThingEngine) -> None:
    (case_id,) = start_cases(engine, 1)
    with engine.ctx.uow(True) as uow:
        stale = uow.cases.get(case_id)
        assert stale is not None
    fresh, read_version = dataclasses.replace(stale), stale.version
    with engine.ctx.uow(True) as uow:
        uow.cases.save(fresh, ("v-test", '{"first": true}', engine.ctx.clock()))
        uow.commit()
    with pytest.raises(ConcurrentUpdate), engine.ctx.uow(True) as uow:
        uow.cases.save(stale, ("v-test", '{"second": true}', engine.ctx.clock()))
        uow.commit()
    with engine.db.connect() as conn:
        state = conn.execute(text("SELECT state FROM workflow_states WHERE case_id = :c"), {"c": case_id}).scalar()
        version = conn.execute(text("SELECT version FROM cases WHERE id = :c"), {"c": case_id}).scalar()
    assert state == '{"first": true}' and version == read_version + 1
