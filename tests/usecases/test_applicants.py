"""Applicants: shared data and e-licences, and bad credit records (失信记录) listed and lifted."""

from __future__ import annotations

import pytest

from engine.domain.errors import InvalidInput, NotFound
from engine.domain.records import HolderRecord
from engine.services.applicants import (
    LiftBadCredit,
    ListBadCredit,
    credit_history,
    get_applicant,
    lift_bad_credit,
    list_bad_credit,
)
from engine.services.catalogue import catalogue_entries, get_prefilled_form
from tests.fakes.context import FakeContext
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import ADMIN, APPLICANT

REF = APPLICANT["id_number"]


def test_bad_credit_is_listed_then_lifted(fake: FakeContext) -> None:
    listed = list_bad_credit(ListBadCredit(REF.lower(), "虚假承诺", "信用中国", ADMIN), fake.ctx)
    assert (listed.ref, listed.lifted_at) == (REF, None)
    assert get_applicant(fake.ctx, REF).data.bad_credit
    assert lift_bad_credit(LiftBadCredit(REF, ADMIN, "已整改"), fake.ctx) == 1
    assert not get_applicant(fake.ctx, REF).data.bad_credit
    assert [r.lifted_by for r in credit_history(fake.ctx, REF)] == ["sun.office"]
    with pytest.raises(NotFound):
        lift_bad_credit(LiftBadCredit(REF, ADMIN), fake.ctx)


def test_a_record_needs_a_valid_reference_a_reason_and_a_source(fake: FakeContext) -> None:
    with pytest.raises(InvalidInput):
        list_bad_credit(ListBadCredit("12345", "x", "y", ADMIN), fake.ctx)
    with pytest.raises(InvalidInput) as refused:
        list_bad_credit(ListBadCredit(REF, " ", "", ADMIN), fake.ctx)
    assert set(refused.value.field_errors) == {"reason", "source"}


def test_someone_new_is_known_to_nobody(fake: FakeContext) -> None:
    view = get_applicant(fake.ctx, REF)
    assert (view.ref, view.data.bad_credit, view.data.licences) == (REF, [], [])


def test_the_form_is_prefilled_from_shared_data(fake: FakeContext) -> None:
    assert get_prefilled_form(fake.ctx, "restaurant", None).prefilled == {}
    with FakeUnitOfWork(fake.db) as uow:
        uow.holders.put(HolderRecord("person", REF, "陈小明", {"phone": "13900000000"}, fake.clock.now))
        uow.commit()
    prefilled = get_prefilled_form(fake.ctx, "restaurant", REF.lower())
    assert prefilled.held.person is not None and prefilled.held.person.name == "陈小明"
    assert "陈小明" in {p.value for p in prefilled.prefilled.values()}
    with pytest.raises(InvalidInput):
        get_prefilled_form(fake.ctx, "restaurant", "not-an-id")
    assert "business_licence" in catalogue_entries(fake.ctx, "licences")
