"""Accepting a case at the window (start_case) and finding it (search, inbox, detail)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.domain.errors import Forbidden, IdempotencyKeyReused, InvalidInput, NotFound
from engine.persistence.case_search import CaseCriteria
from engine.services.applicants import ListBadCredit, list_bad_credit
from engine.services.case_diagram import get_case_diagram
from engine.services.case_search import SearchCases, search_cases
from engine.services.cases import start_case
from engine.services.inbox import ListInbox, list_inbox
from engine.services.transactions import RequestKey
from engine.services.views import deployed_bundle_count, get_case, get_task, list_bundles, people_names
from tests.conftest import SHIPPED_BUNDLES
from tests.fakes.context import FakeContext
from tests.usecases.applications import APPLICANT, SCJG, accept, application, case_of, events, open_tasks


def test_an_accepted_case_is_in_review_with_each_first_approval_open(fake: FakeContext) -> None:
    case = accept(fake)
    assert case.number == "CY-20260924-00001"
    assert case.status == "in_review"
    assert case.materials_due is None
    tasks = open_tasks(fake, case)
    assert {code: t.department for code, t in tasks.items()} == {"cy.yyzz": "scjg", "cy.jkz": "wj"}
    assert [e.type for e in events(fake, case)] == ["CaseAccepted", "TaskOpened", "TaskOpened"]
    assert fake.db.commits == 2  # the registries' lookups' audit, then the case (the personas came seeded)


def test_case_numbers_count_up_within_the_day(fake: FakeContext) -> None:
    assert [accept(fake).number for _ in range(3)] == [f"CY-20260924-0000{n}" for n in (1, 2, 3)]


def test_the_same_idempotency_key_replays_the_first_answer(fake: FakeContext) -> None:
    key = RequestKey.of("k-1", "POST", "/api/cases", {"bundle": "restaurant"})
    first = start_case(application(fake, request_key=key), fake.ctx)
    again = start_case(application(fake, request_key=key), fake.ctx)
    assert (again.resource_id, again.replayed, first.replayed) == (first.resource_id, True, False)
    with fake.uow() as uow:
        assert uow.reads.search_cases(CaseCriteria()).total == 1
    other = RequestKey.of("k-1", "POST", "/api/cases", {"bundle": "newborn"})
    with pytest.raises(IdempotencyKeyReused):
        start_case(application(fake, request_key=other), fake.ctx)


def test_an_unknown_bundle_is_not_found(fake: FakeContext) -> None:
    with pytest.raises(NotFound):
        start_case(replace(application(fake), bundle_code="no_such_bundle"), fake.ctx)


def test_only_the_window_accepts_cases(fake: FakeContext) -> None:
    with pytest.raises(Forbidden):
        start_case(replace(application(fake), actor=SCJG), fake.ctx)


def test_a_missing_key_material_is_refused_and_nothing_is_stored(fake: FakeContext) -> None:
    before = fake.db.commits
    with pytest.raises(InvalidInput) as refused:
        start_case(application(fake, materials={"premises_layout": "missing"}), fake.ctx)
    assert "materials.premises_layout" in refused.value.field_errors
    assert fake.db.commits == before + 1  # the audit of the registries' lookups: a lookup made is recorded
    assert fake.db.committed.all("cases") == []
    assert {e.kind for e in fake.db.committed.all("data_lookups")} == {"person", "property"}


def test_an_incomplete_applicant_is_refused_with_every_problem(fake: FakeContext) -> None:
    with pytest.raises(InvalidInput) as refused:
        start_case(application(fake, applicant={**APPLICANT, "id_number": "123"}), fake.ctx)
    assert "applicant.id_number" in refused.value.field_errors


def test_a_tolerated_material_is_due_a_working_day_later(fake: FakeContext) -> None:
    case = accept(fake, materials={"agent_authorisation": "tolerated"})
    assert case.materials == {**case.materials, "agent_authorisation": "tolerated"}
    assert case.materials_due is not None
    assert case.materials_due.isoformat() == "2026-09-28T15:59:59+00:00"  # 中秋 on Friday: due Monday


def test_bad_credit_refuses_tolerance(fake: FakeContext) -> None:
    list_bad_credit(ListBadCredit(APPLICANT["id_number"], "虚假承诺", "信用中国", SCJG), fake.ctx)
    with pytest.raises(InvalidInput) as refused:
        start_case(application(fake, materials={"agent_authorisation": "tolerated"}), fake.ctx)
    assert "materials.agent_authorisation" in refused.value.field_errors


def test_search_and_inbox_see_what_the_viewer_may(fake: FakeContext) -> None:
    restaurant, company = accept(fake), accept(fake, "company_start")
    supervisor, cg = fake.principal("supervisor"), fake.principal("cg")
    fake.clock.advance(minutes=1)
    later = accept(fake)
    everything = search_cases(SearchCases(supervisor), fake.ctx)
    assert everything.items[0].number == later.number  # newest first
    assert {c.number for c in everything.items} == {later.number, company.number, restaurant.number}
    assert [c.number for c in search_cases(SearchCases(supervisor, q="QK-"), fake.ctx).items] == [company.number]
    scjg_inbox = list_inbox(ListInbox(fake.principal("scjg")), fake.ctx)
    assert sorted(t.item_code or "" for t in scjg_inbox.items) == ["cy.yyzz", "cy.yyzz", "qk.sldj"]
    assert list_inbox(ListInbox(cg), fake.ctx).total == 0  # the sign permit opens after the licence
    with pytest.raises(NotFound):
        list_inbox(ListInbox(cg, case_ref=company.number), fake.ctx)


def test_a_case_detail_shows_its_items_and_open_tasks(fake: FakeContext) -> None:
    case = accept(fake)
    detail = get_case(fake.ctx, case.number, fake.principal("scjg"))
    assert detail.case.number == case.number
    assert {i.item_code for i in detail.items} == {"cy.yyzz", "cy.spjy", "cy.zp", "cy.xf", "cy.jkz"}
    with pytest.raises(NotFound):
        get_case(fake.ctx, "CY-20260924-09999", fake.principal("scjg"))
    assert case_of(fake, case.id).number == case.number


def test_a_task_of_another_department_does_not_exist_for_its_viewer(fake: FakeContext) -> None:
    task = open_tasks(fake, accept(fake))["cy.yyzz"]
    assert get_task(fake.ctx, task.id, fake.principal("scjg")).item_code == "cy.yyzz"
    with pytest.raises(NotFound):
        get_task(fake.ctx, task.id, fake.principal("cg"))


def test_bundles_and_people_are_read(fake: FakeContext) -> None:
    bundles = {view.record.code: view for view in list_bundles(fake.ctx)}
    assert len(bundles) == deployed_bundle_count(fake.ctx) == SHIPPED_BUNDLES
    assert [v.version for v in bundles["restaurant"].versions] == [1]
    assert people_names(fake.ctx, {"li.scjg", "system", "nobody"}) == {"li.scjg": "李市监"}


def test_a_case_diagram_shows_where_the_case_is(fake: FakeContext) -> None:
    case = accept(fake)
    diagram = get_case_diagram(fake.ctx, case.number, fake.principal("scjg"))
    states = {element.id: str(state) for element, state in diagram.elements}
    assert (states["intake"], states["pickup"]) == ("completed", "not_reached")
    lanes = {lane.lane.id: (str(lane.state), lane.colour) for lane in diagram.lanes}
    assert lanes["lane_scjg"] == ("todo", "green")
    assert lanes["lane_cg"] == ("not_started", None)
    with pytest.raises(NotFound):
        get_case_diagram(fake.ctx, accept(fake, "company_start").number, fake.principal("wj"))
