"""Handing the results over (统一出件): the case closes, e-licences are issued, the savings of the
case are measured and reported."""

from __future__ import annotations

import pytest

from engine.domain.decisions import HandOver
from engine.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.domain.model import Delivery
from engine.services.cases import PickUp, pick_up
from engine.services.savings import backfill_savings
from engine.services.savings_reports import ReportQuery, export_savings, get_case_savings, savings_chart, savings_report
from tests.fakes.context import FakeContext
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.usecases.applications import APPLICANT, CLERK, SCJG, accept, case_of, events, open_tasks
from tests.usecases.decisions import approve_all

AT_THE_WINDOW = HandOver(Delivery.WINDOW, "陈小明", 5)


def test_a_fully_approved_case_is_handed_over_and_closed(fake: FakeContext) -> None:
    case = accept(fake)
    assert approve_all(fake, case) == ["cy.jkz", "cy.yyzz", "cy.spjy", "cy.xf", "cy.zp"]
    assert (case_of(fake, case.id).status, set(open_tasks(fake, case))) == ("awaiting_pickup", {"pickup"})
    pick_up(PickUp(case.number, AT_THE_WINDOW, CLERK), fake.ctx)
    closed = case_of(fake, case.id)
    assert (closed.status, closed.closed_at) == ("closed", fake.clock.now)
    assert [e.type for e in events(fake, case)][-4:] == [
        "ResultsReady", "ResultsHandedOver", "ELicencesIssued", "CaseClosed"]
    with fake.uow() as uow:
        held = uow.elicences.held_by([APPLICANT["id_number"]], fake.clock.now)
    assert [licence.type for licence in held] == ["health_certificate"]
    with pytest.raises(Conflict):
        pick_up(PickUp(case.number, AT_THE_WINDOW, CLERK), fake.ctx)


def test_a_case_still_in_review_is_not_handed_over(fake: FakeContext) -> None:
    case = accept(fake)
    with pytest.raises(Conflict) as refused:
        pick_up(PickUp(case.number, AT_THE_WINDOW, CLERK), fake.ctx)
    assert "cy.yyzz" in str(refused.value)
    with pytest.raises(Forbidden):
        pick_up(PickUp(case.number, AT_THE_WINDOW, SCJG), fake.ctx)
    with pytest.raises(NotFound):
        pick_up(PickUp("CY-20260924-09999", AT_THE_WINDOW, CLERK), fake.ctx)


def test_a_poor_rating_needs_its_reason(fake: FakeContext) -> None:
    case = accept(fake)
    approve_all(fake, case)
    with pytest.raises(InvalidInput):
        pick_up(PickUp(case.number, HandOver(Delivery.WINDOW, "陈小明", 1), CLERK), fake.ctx)
    assert case_of(fake, case.id).status == "awaiting_pickup"


def test_the_savings_of_a_closed_case_are_measured_and_reported(fake: FakeContext) -> None:
    case = accept(fake)
    approve_all(fake, case)
    pick_up(PickUp(case.number, AT_THE_WINDOW, CLERK), fake.ctx)
    view = get_case_savings(fake.ctx, case.number, fake.principal("supervisor"))
    assert (view.stored.savings.trips.baseline, view.stored.savings.trips.actual) == (10, 1)
    report = savings_report(fake.ctx, ReportQuery())
    assert (report.summary.count, [b.bundle.code for b in report.bundles]) == (1, ["restaurant"])
    assert savings_report(fake.ctx, ReportQuery(bundle="newborn")).summary.count == 0
    assert savings_report(fake.ctx, ReportQuery(department="scjg")).summary.count == 1
    assert export_savings(fake.ctx, ReportQuery(), "csv", "cases").decode("utf-8-sig").count(case.number) == 1
    assert export_savings(fake.ctx, ReportQuery(), "xlsx")[:2] == b"PK"
    assert savings_chart(fake.ctx, "before_after", ReportQuery()).startswith("<svg")
    with pytest.raises(NotFound):
        savings_chart(fake.ctx, "pie", ReportQuery())


def test_a_case_closed_before_savings_were_measured_is_backfilled(fake: FakeContext) -> None:
    case = accept(fake)
    approve_all(fake, case)
    pick_up(PickUp(case.number, AT_THE_WINDOW, CLERK), fake.ctx)
    with FakeUnitOfWork(fake.db) as uow:  # as stored before migration 0009
        uow.tables.delete("case_savings", case.id)
        uow.commit()
    assert backfill_savings(fake.ctx) == [case.number]
    assert backfill_savings(fake.ctx) == []
    with pytest.raises(Conflict):  # measured when a case closes
        get_case_savings(fake.ctx, accept(fake).number, fake.principal("supervisor"))
