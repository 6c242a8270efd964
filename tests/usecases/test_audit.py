"""The audit: every chain of the event log verifies, a changed event is found, and a signed
checkpoint seals the chain heads."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine.domain.errors import InvalidInput
from engine.services.audit import list_audit_events, verify_audit_chains
from engine.services.audit_checkpoint import read_checkpoint, take_checkpoint
from engine.services.case_comments import AddComment, add_comment
from tests.fakes.context import FakeContext
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import SCJG, accept


def test_the_log_verifies_and_agrees_with_the_case_rows(fake: FakeContext) -> None:
    case = accept(fake)
    add_comment(AddComment(case.number, "已阅", SCJG, fake.principal("scjg")), fake.ctx)
    report = verify_audit_chains(fake.ctx)
    assert report.ok
    assert (report.chains, report.events) == (2, 4 + len(list_audit_events(fake.ctx, 0, 1000)))


def test_a_changed_event_breaks_its_chain(fake: FakeContext) -> None:
    case = accept(fake)
    with FakeUnitOfWork(fake.db) as uow:  # someone edits the stored log by hand
        first = uow.tables.get("case_events", (case.id, 1))
        uow.tables.put("case_events", (case.id, 1), replace(first, data={**first.data, "channel": "online"}))
        uow.commit()
    report = verify_audit_chains(fake.ctx)
    assert report.broken is not None and report.broken.chain == f"case {case.number}"
    assert not report.ok


def test_a_case_row_the_events_do_not_explain_is_reported(fake: FakeContext) -> None:
    case = accept(fake)
    with FakeUnitOfWork(fake.db) as uow:
        stored = uow.cases.lock(case.id)
        assert stored is not None
        stored.status = "closed"
        uow.cases.save(stored)
        uow.commit()
    report = verify_audit_chains(fake.ctx)
    assert (report.broken, report.disagreeing) == (None, 1)


def test_a_checkpoint_is_signed_and_seals_the_heads(fake: FakeContext) -> None:
    case = accept(fake)
    report, document = take_checkpoint(fake.ctx)
    assert report.ok and document is not None
    checkpoint = read_checkpoint(fake.ctx, document)
    assert checkpoint.heads[f"case:{case.id}"][0] == 3
    assert verify_audit_chains(fake.ctx, checkpoint.heads).checkpoint_chains == len(checkpoint.heads)
    forged = json.loads(document)
    forged["chains"][f"case:{case.id}"][0] = 2  # as if the case's last event had never been written
    with pytest.raises(InvalidInput) as refused:
        read_checkpoint(fake.ctx, json.dumps(forged).encode())
    assert "signature" in str(refused.value)
    with pytest.raises(InvalidInput):
        read_checkpoint(fake.ctx, b"{}")
