"""Task use cases: claim, release, assign, and completing approvals (approve, reject, correct) and
corrections (supply), with the typed answers of ``engine.domain.decisions``."""

from __future__ import annotations

import pytest

from engine.domain.decisions import Approve, Reject, RequestCorrection, SupplyCorrection
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.model import Actor
from engine.services.tasks import (
    AssignTask,
    ClaimTask,
    CompleteTask,
    UnclaimTask,
    assign_task,
    claim_task,
    complete_task,
    unclaim_task,
)
from engine.services.transactions import RequestKey
from tests.approvals import approved
from tests.fakes.context import FakeContext
from tests.usecases.applications import CLERK, SCJG, WJ, accept, case_of, events, open_tasks

OTHER_CG = Actor("chen.cg", "cg", "reviewer")
SCJG_HEAD = Actor("qian.scjg", "scjg", "head")


def item_statuses(fake: FakeContext, case_id: int) -> dict[str, str]:
    with fake.uow() as uow:
        return {i.item_code: str(i.status) for i in uow.items.for_case(case_id)}


def test_a_claimed_task_is_the_claimants_until_released(fake: FakeContext) -> None:
    task = open_tasks(fake, accept(fake))["cy.yyzz"]
    claimed = claim_task(ClaimTask(task.id, SCJG), fake.ctx).task
    assert claimed is not None and (claimed.state, claimed.assignee) == ("claimed", "li.scjg")
    other = Actor("someone.scjg", "scjg", "reviewer")
    with pytest.raises(Conflict):
        claim_task(ClaimTask(task.id, other), fake.ctx)
    with pytest.raises(Conflict):
        complete_task(CompleteTask(task.id, approved("cy.yyzz"), other), fake.ctx)
    released = unclaim_task(UnclaimTask(task.id, SCJG), fake.ctx).task
    assert released is not None and (released.state, released.assignee) == ("ready", None)
    with pytest.raises(Conflict):
        unclaim_task(UnclaimTask(task.id, SCJG), fake.ctx)
    with pytest.raises(NotFound):  # another department's task does not exist for it
        claim_task(ClaimTask(task.id, WJ), fake.ctx)


def test_a_head_assigns_a_task_to_a_reviewer_of_the_department(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    assigned = assign_task(AssignTask(task.id, "li.scjg", SCJG_HEAD), fake.ctx).task
    assert assigned is not None and assigned.assignee == "li.scjg"
    assert events(fake, case, "TaskAssigned")[0].data["to_name"] == "李市监"
    with pytest.raises(InvalidInput):
        assign_task(AssignTask(task.id, "zhang.cg", SCJG_HEAD), fake.ctx)


def test_approving_the_licence_opens_the_items_that_require_it(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    done = complete_task(CompleteTask(task.id, approved("cy.yyzz"), SCJG), fake.ctx)
    assert {t.item_code for t in done.opened} == {"cy.spjy", "cy.zp", "cy.xf"}
    assert set(open_tasks(fake, case)) == {"cy.jkz", "cy.spjy", "cy.zp", "cy.xf"}
    assert item_statuses(fake, case.id)["cy.yyzz"] == "approved"
    with pytest.raises(Conflict):
        complete_task(CompleteTask(task.id, approved("cy.yyzz"), SCJG), fake.ctx)


def test_a_completion_with_an_idempotency_key_is_applied_once(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    key = RequestKey.of("done-1", "POST", f"/api/tasks/{task.id}/complete", {"decision": "approve"})
    first = complete_task(CompleteTask(task.id, approved("cy.yyzz"), SCJG, key), fake.ctx)
    again = complete_task(CompleteTask(task.id, approved("cy.yyzz"), SCJG, key), fake.ctx)
    assert (first.replayed, again.replayed, again.resource_id) == (False, True, task.id)
    assert len(events(fake, case, "ItemApproved")) == 1


def test_an_approval_needs_the_licence_number_it_issues(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    for answer in (Approve(""), Approve("not-a-credit-code"), None, SupplyCorrection(("applicant_id",))):
        with pytest.raises(InvalidInput):
            complete_task(CompleteTask(task.id, answer, SCJG), fake.ctx)
    assert item_statuses(fake, case.id)["cy.yyzz"] == "in_review"
    assert case_of(fake, case.id).version == case.version


def test_a_rejected_licence_ends_the_items_that_require_it(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.yyzz"]
    with pytest.raises(InvalidInput):
        complete_task(CompleteTask(task.id, Reject(" "), SCJG), fake.ctx)
    complete_task(CompleteTask(task.id, Reject("经营场所不符合要求"), SCJG), fake.ctx)
    assert item_statuses(fake, case.id) == {"cy.yyzz": "rejected", "cy.spjy": "not_applicable",
                                            "cy.zp": "not_applicable", "cy.xf": "not_applicable",
                                            "cy.jkz": "in_review"}
    assert set(open_tasks(fake, case)) == {"cy.jkz"}
    assert events(fake, case, "ItemRejected")[0].data["reason"] == "经营场所不符合要求"


def test_a_correction_goes_to_the_window_and_back_to_the_department(fake: FakeContext) -> None:
    case = accept(fake)
    task = open_tasks(fake, case)["cy.jkz"]
    with pytest.raises(InvalidInput):
        complete_task(CompleteTask(task.id, RequestCorrection((), "不清楚"), WJ), fake.ctx)
    complete_task(CompleteTask(task.id, RequestCorrection(("staff_id_photo",), "照片不清"), WJ), fake.ctx)
    correction = open_tasks(fake, case)["cy.jkz"]
    assert (correction.kind, correction.department) == ("correction", "window")
    assert item_statuses(fake, case.id)["cy.jkz"] == "correction_requested"
    with pytest.raises(InvalidInput):  # a material the correction did not ask for
        complete_task(CompleteTask(correction.id, SupplyCorrection(("sign_design",)), CLERK), fake.ctx)
    complete_task(CompleteTask(correction.id, SupplyCorrection(("staff_id_photo",)), CLERK), fake.ctx)
    again = open_tasks(fake, case)["cy.jkz"]
    assert (again.kind, again.department) == ("approval", "wj")
    assert item_statuses(fake, case.id)["cy.jkz"] == "in_review"
    assert [e.type for e in events(fake, case)][-4:] == [
        "CorrectionRequested", "TaskOpened", "CorrectionSupplied", "TaskOpened"]
