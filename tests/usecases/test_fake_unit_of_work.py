"""The fake unit of work keeps the contract services rely on, and the use-case tests need no database."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy.engine.base

from engine.domain.errors import ConcurrentUpdate
from engine.domain.records import HolderRecord
from engine.services.case_search import SearchCases, search_cases
from engine.services.inbox import ListInbox, list_inbox
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from tests.conftest import FakeClock
from tests.fakes import context
from tests.fakes.context import FakeContext, fake_context, with_personas
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import accept, case_of


def holder(ref: str) -> HolderRecord:
    return HolderRecord("person", ref, "甲", {"phone": "1"}, FakeClock().now)


def stored(fake: FakeContext, ref: str) -> bool:
    with fake.uow() as uow:
        return uow.holders.get("person", ref) is not None


def test_leaving_without_commit_keeps_nothing(fake: FakeContext) -> None:
    with FakeUnitOfWork(fake.db) as uow:
        uow.holders.put(holder("A1"))
        assert uow.holders.get("person", "A1") is not None
    assert not stored(fake, "A1")


def test_a_commit_keeps_the_changes_and_then_runs_the_callbacks(fake: FakeContext) -> None:
    seen: list[bool] = []
    with FakeUnitOfWork(fake.db) as uow:
        uow.holders.put(holder("A2"))
        uow.after_commit(lambda: seen.append(stored(fake, "A2")))
        assert seen == []
        uow.commit()
    assert seen == [True]


def test_callbacks_of_a_rolled_back_unit_of_work_never_run(fake: FakeContext) -> None:
    seen: list[str] = []
    with FakeUnitOfWork(fake.db) as uow:
        uow.after_commit(lambda: seen.append("ran"))
    with FakeUnitOfWork(fake.db) as uow:
        uow.commit()
    assert seen == []


def test_a_read_only_unit_of_work_refuses_to_commit(fake: FakeContext) -> None:
    with fake.uow() as uow, pytest.raises(RuntimeError):
        uow.commit()


def test_records_read_are_copies(fake: FakeContext) -> None:
    case = accept(fake)
    with FakeUnitOfWork(fake.db) as uow:
        read = uow.cases.get(case.id)
        assert read is not None
        read.status = "closed"
        read.applicant["name"] = "改"
        uow.commit()
    stored = case_of(fake, case.id)
    assert (stored.status, stored.applicant["name"]) == ("in_review", "陈小明")


def test_saving_a_case_bumps_its_version_and_a_stale_save_is_refused(fake: FakeContext) -> None:
    case = accept(fake)
    with FakeUnitOfWork(fake.db) as first, FakeUnitOfWork(fake.db) as second:
        mine, theirs = first.cases.lock(case.id), second.cases.lock(case.id)
        assert mine is not None and theirs is not None
        first.cases.save(mine)
        first.commit()
        assert mine.version == case.version + 1
        with pytest.raises(ConcurrentUpdate):
            second.cases.save(theirs)


def test_in_transaction_runs_again_after_a_lost_compare_and_swap(fake: FakeContext) -> None:
    case = accept(fake)
    attempts: list[int] = []

    def work(uow: UnitOfWork) -> int:
        found = uow.cases.lock(case.id)
        assert found is not None
        attempts.append(found.version)
        if len(attempts) == 1:  # someone else saves the case meanwhile
            with FakeUnitOfWork(fake.db) as other:
                other.cases.save(replace(found))
                other.commit()
        uow.cases.save(found)
        return found.version

    assert in_transaction(fake.ctx, work) == case.version + 2
    assert attempts == [case.version, case.version + 1]


def test_use_cases_on_the_fake_build_no_sqlalchemy_engine(monkeypatch: pytest.MonkeyPatch,
                                                          clock: FakeClock) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a use-case test built a SQLAlchemy engine or connection")

    monkeypatch.setattr(sqlalchemy.engine.base.Engine, "__init__", refuse)
    monkeypatch.setattr(sqlalchemy.engine.base.Connection, "__init__", refuse)
    context._seeded.cache_clear()  # seed again under the patch: deploying the bundles is a use case too
    try:
        fake = with_personas(fake_context(clock))
        case = accept(fake)
        viewer = fake.principal("supervisor")
        assert [c.number for c in search_cases(SearchCases(viewer), fake.ctx).items] == [case.number]
        assert list_inbox(ListInbox(viewer), fake.ctx).total == 2
    finally:
        context._seeded.cache_clear()
