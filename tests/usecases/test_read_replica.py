"""Which reads go to the read replica (``engine.services.replica``), on the fake unit of work: the
case search reads it, a case's own page the primary; a replica that does not answer is reported,
left alone for a while, and its reads answered by the primary. The real pair of PostgreSQL clusters
is tests/integration/test_read_replica.py's."""

from __future__ import annotations

import psycopg

from engine.persistence.replication import ReplicaLag
from engine.services.case_search import SearchCases, search_cases
from engine.services.replica import RETRY_SECONDS, Replica, ReplicaStatus, replica_status
from engine.services.supervision import department_performance
from engine.services.unit_of_work import UnitOfWork
from engine.services.views import get_case
from tests.fakes.context import FakeContext
from tests.fakes.tables import FakeDatabase
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import accept


def replica_as_of_now(fake: FakeContext) -> Replica:
    """A replica that holds what the primary holds now, and replays nothing after."""
    copy = FakeDatabase()
    copy.committed = fake.db.committed.copy()
    return Replica(uow=lambda: FakeUnitOfWork(copy, write=False), lag=lambda: ReplicaLag(True, 4096, 3.5, True))


def listed(fake: FakeContext, number: str) -> list[str]:
    return [c.number for c in search_cases(SearchCases(fake.principal("supervisor"), q=number), fake.ctx).items]


def test_without_a_replica_the_board_says_so_and_everything_reads_the_primary(fake: FakeContext) -> None:
    case = accept(fake)
    assert listed(fake, case.number) == [case.number]
    assert replica_status(fake.ctx.replica) == ReplicaStatus(configured=False)


def test_the_case_search_reads_the_replica_and_a_cases_own_page_the_primary(fake: FakeContext) -> None:
    fake.ctx.replica = replica_as_of_now(fake)
    case = accept(fake)
    assert listed(fake, case.number) == []  # the replica has not seen it yet
    assert get_case(fake.ctx, case.number, fake.principal("supervisor")).case.number == case.number
    assert replica_status(fake.ctx.replica) == ReplicaStatus(True, True, 3.5, 4096, True)


def test_a_replica_that_does_not_answer_is_left_alone_for_a_while_and_the_primary_answers(fake: FakeContext) -> None:
    now = [1000.0]
    tried: list[str] = []

    def refused() -> UnitOfWork:
        tried.append("uow")
        raise psycopg.OperationalError("connection refused")

    def unmeasured() -> ReplicaLag:
        tried.append("lag")
        raise psycopg.OperationalError("connection refused")

    replica = fake.ctx.replica = Replica(uow=refused, lag=unmeasured, clock=lambda: now[0])
    case = accept(fake)
    assert listed(fake, case.number) == [case.number]
    assert tried == ["uow"] and not replica.usable()
    assert department_performance(fake.ctx, fake.principal("supervisor"))  # the primary's, without trying
    assert tried == ["uow"]
    status = replica_status(replica)  # the board asks all the same: that is how it sees it come back
    assert status == ReplicaStatus(True, False, reason="connection refused") and tried == ["uow", "lag"]
    now[0] += RETRY_SECONDS
    assert replica.usable()


def test_a_lag_that_cannot_be_measured_for_another_reason_is_reported_without_giving_up_the_replica(
        fake: FakeContext) -> None:
    def denied() -> ReplicaLag:
        raise psycopg.errors.InsufficientPrivilege("permission denied for function pg_last_wal_replay_lsn")

    replica = fake.ctx.replica = Replica(uow=lambda: FakeUnitOfWork(fake.db, write=False), lag=denied)
    status = replica_status(replica)
    assert (status.reachable, status.reason) == (False, "permission denied for function pg_last_wal_replay_lsn")
    assert replica.usable()


def test_a_server_that_is_not_a_standby_is_reported(fake: FakeContext) -> None:
    replica = Replica(uow=lambda: FakeUnitOfWork(fake.db, write=False), lag=lambda: ReplicaLag(False, 0, 0.0, False))
    status = replica_status(replica)
    assert status.configured and status.reachable is False and "not a standby" in (status.reason or "")
