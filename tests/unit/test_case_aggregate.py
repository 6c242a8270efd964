"""The Case aggregate's transitions and their refusals, on plain records: no database, no workflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.domain.case import Case, CaseEvent, ItemRules
from engine.domain.decisions import (
    MAX_CORRECTION_ROUNDS,
    Approve,
    HandOver,
    LicenceGrant,
    Reject,
    RequestCorrection,
    SupplyCorrection,
)
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.model import SYSTEM, Actor, CaseStatus, Delivery, ItemStatus, TaskKind, TaskState
from engine.domain.records import CaseItemRecord, CaseRecord, TaskRecord

NOW = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)
REVIEWER = Actor("李市监", "scjg", "reviewer")
CLERK = Actor("王窗口", "window", "clerk")
BUSINESS_LICENCE = LicenceGrant("business_licence", "营业执照", "credit_code")
MATERIALS = {"commitment": "承诺书", "plan": "平面图"}


def a_case(status: str = CaseStatus.IN_REVIEW, **materials: str) -> CaseRecord:
    return CaseRecord(id=7, number="CY-1", bundle_code="cy", flow_version_id=1, status=status, applicant={},
                      channel="window", accepted_at=NOW - timedelta(days=3), accepted_by="王窗口", version=1,
                      materials=dict(materials), materials_due=NOW + timedelta(days=2) if materials else None)


def a_task(kind: TaskKind = TaskKind.APPROVAL, item_code: str | None = "cy.yyzz", task_id: str = "t1",
           department: str = "scjg") -> TaskRecord:
    return TaskRecord(id=task_id, case_id=7, case_number="CY-1", bundle_code="cy", department=department,
                      kind=kind, name=f"{kind}_{item_code}", title="任务", state=TaskState.CLAIMED,
                      created_at=NOW - timedelta(days=1), item_code=item_code, assignee="李市监")


def an_item(code: str = "cy.yyzz", **changes: object) -> CaseItemRecord:
    item = CaseItemRecord(case_id=7, item_code=code, department="scjg", status=ItemStatus.IN_REVIEW)
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def deciding(item: CaseItemRecord | None = None, task: TaskRecord | None = None,
             record: CaseRecord | None = None) -> tuple[Case, TaskRecord, CaseItemRecord]:
    item = item or an_item()
    task = task or a_task(item_code=item.item_code)
    return Case(record or a_case(), [item], [task]), task, item


def test_an_approval_decides_the_item_completes_the_task_and_records_its_event() -> None:
    case, task, item = deciding()
    done = case.complete_task(task.id, Approve("91350100m000100y43", " 符合条件 "), REVIEWER, NOW,
                              ItemRules(grant=BUSINESS_LICENCE))
    assert done.workflow_data == {"results": {"cy.yyzz": {
        "decision": "approve", "decided_by": "李市监", "decided_at": NOW.isoformat(),
        "licence_number": "91350100M000100Y43", "comment": "符合条件"}}}
    assert (item.status, item.decision, item.licence_number, item.decided_by, item.decided_at) == (
        ItemStatus.APPROVED, "approve", "91350100M000100Y43", "李市监", NOW)
    assert (task.state, task.completed_by, task.completed_at, task.decision) == (
        TaskState.COMPLETED, "李市监", NOW, "approve")
    assert case.take_events() == [CaseEvent("ItemApproved", {"item": "cy.yyzz", "licence_number": "91350100M000100Y43"},
                                            REVIEWER, NOW, "t1")]
    assert case.take_events() == []  # taken once
    assert case.take_changed_items() == [item]


def test_an_approval_that_issues_a_licence_without_its_number_changes_nothing() -> None:
    case, task, item = deciding()
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, Approve(), REVIEWER, NOW, ItemRules(grant=BUSINESS_LICENCE))
    assert list(err.value.field_errors) == ["licence_number"]
    assert (item.status, task.state, case.events, case.take_changed_items()) == (
        ItemStatus.IN_REVIEW, TaskState.CLAIMED, [], [])


def test_a_rejection_needs_a_reason_and_no_licence_number() -> None:
    case, task, item = deciding()
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, Reject("  "), REVIEWER, NOW, ItemRules(grant=BUSINESS_LICENCE))
    assert err.value.message_zh == "不予许可必须说明理由" and item.status == ItemStatus.IN_REVIEW
    done = case.complete_task(task.id, Reject(" 禁设区域 "), REVIEWER, NOW, ItemRules(grant=BUSINESS_LICENCE))
    assert done.workflow_data["results"]["cy.yyzz"]["reason"] == "禁设区域"
    assert (item.status, item.decision, item.reason, item.licence_number) == (
        ItemStatus.REJECTED, "reject", "禁设区域", None)
    assert [(e.type, e.data) for e in case.take_events()] == [
        ("ItemRejected", {"item": "cy.yyzz", "reason": "禁设区域"})]


@pytest.mark.parametrize("answer", [None, SupplyCorrection(("承诺书",)), HandOver(Delivery.MAIL)])
def test_an_approval_takes_a_decision_and_nothing_else(answer: SupplyCorrection | HandOver | None) -> None:
    case, task, item = deciding()
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, answer, REVIEWER, NOW)
    assert list(err.value.field_errors) == ["decision"]
    assert task.state == TaskState.CLAIMED and item.status == ItemStatus.IN_REVIEW


def test_a_correction_names_materials_by_name_records_keys_and_counts_a_round() -> None:
    case, task, item = deciding(an_item(corrections=1))
    done = case.complete_task(task.id, RequestCorrection(("平面图", "commitment"), "图纸不清晰"), REVIEWER, NOW,
                              ItemRules(materials=MATERIALS))
    assert done.workflow_data["results"]["cy.yyzz"]["materials"] == ["plan", "commitment"]
    assert (item.status, item.corrections, item.materials_requested, item.decision) == (
        ItemStatus.CORRECTION_REQUESTED, 2, ["plan", "commitment"], None)
    assert task.decision == "correct"
    assert [e.data for e in case.take_events()] == [
        {"item": "cy.yyzz", "materials": ["plan", "commitment"], "reason": "图纸不清晰"}]


def test_a_correction_past_the_last_round_or_of_unknown_materials_is_refused() -> None:
    case, task, item = deciding(an_item(corrections=MAX_CORRECTION_ROUNDS))
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, RequestCorrection(("承诺书",)), REVIEWER, NOW, ItemRules(materials=MATERIALS))
    assert err.value.field_errors == {"decision": ["补正次数已达上限"]}
    case, task, item = deciding()
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, RequestCorrection(("照片",)), REVIEWER, NOW, ItemRules(materials=MATERIALS))
    assert "照片" in err.value.message_zh
    assert item.corrections == 0 and case.events == []


def supplying(**materials: str) -> tuple[Case, TaskRecord, CaseItemRecord]:
    item = an_item(status=ItemStatus.CORRECTION_REQUESTED, corrections=1, materials_requested=["plan"])
    return deciding(item, a_task(TaskKind.CORRECTION, task_id="t2", department="window"), a_case(**materials))


def test_materials_supplied_for_a_correction_go_back_to_the_checklist_and_clear_the_tolerance_day() -> None:
    case, task, item = supplying(plan="tolerated", commitment="submitted")
    done = case.complete_task(task.id, SupplyCorrection(("平面图",), " 原件 "), CLERK, NOW,
                              ItemRules(materials=MATERIALS))
    assert done.workflow_data == {"corrections": {"cy.yyzz": {
        "supplied": ["plan"], "recorded_by": "王窗口", "recorded_at": NOW.isoformat()}}}
    assert case.record.materials == {"plan": "submitted", "commitment": "submitted"}
    assert case.record.materials_due is None  # nothing tolerated is outstanding any more
    assert (item.status, item.materials_requested, task.decision) == (ItemStatus.IN_REVIEW, [], None)
    assert [(e.type, e.data, e.actor) for e in case.take_events()] == [
        ("CorrectionSupplied", {"item": "cy.yyzz", "supplied": ["plan"], "comment": "原件"}, CLERK)]


def test_a_correction_supplied_keeps_the_tolerance_day_while_another_material_is_outstanding() -> None:
    case, task, _ = supplying(plan="tolerated", commitment="tolerated")
    case.complete_task(task.id, SupplyCorrection(("plan",)), CLERK, NOW, ItemRules(materials=MATERIALS))
    assert case.record.materials_due == NOW + timedelta(days=2)


def test_a_correction_supplied_must_cover_what_was_asked() -> None:
    case, task, item = supplying()
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, SupplyCorrection(("承诺书",)), CLERK, NOW, ItemRules(materials=MATERIALS))
    assert err.value.field_errors == {"supplied": ["缺少：平面图"]}
    with pytest.raises(InvalidInput) as err:
        case.complete_task(task.id, Approve(), CLERK, NOW, ItemRules(materials=MATERIALS))
    assert err.value.message_zh == "请登记申请人补正提交的材料"
    assert item.status == ItemStatus.CORRECTION_REQUESTED and item.materials_requested == ["plan"]


def test_a_paused_task_decided_ends_its_special_procedure() -> None:
    task = a_task()
    task.paused_since = NOW - timedelta(hours=5)
    case, _, _ = deciding(task=task)
    assert case.complete_task(task.id, Reject("不符合条件"), REVIEWER, NOW).ended_pause
    assert task.paused_since is None
    case, task, _ = deciding()
    assert not case.complete_task(task.id, Reject("不符合条件"), REVIEWER, NOW).ended_pause


def test_the_hand_over_at_the_window_names_who_collects() -> None:
    pickup = a_task(TaskKind.PICKUP, item_code=None, task_id="p", department="window")
    case = Case(a_case(CaseStatus.AWAITING_PICKUP), [], [pickup])
    with pytest.raises(InvalidInput) as err:
        case.complete_task("p", HandOver(), CLERK, NOW)
    assert list(err.value.field_errors) == ["recipient_name"]
    with pytest.raises(InvalidInput):  # the task endpoint carries no hand-over: nobody is named
        case.complete_task("p", Approve(), CLERK, NOW)
    with pytest.raises(InvalidInput) as err:  # mail needs the courier's number
        case.complete_task("p", HandOver(Delivery.MAIL, rating=5), CLERK, NOW)
    assert list(err.value.field_errors) == ["tracking_number"]
    done = case.complete_task("p", HandOver(Delivery.MAIL, rating=5, tracking_number="SF1234567890"), CLERK, NOW)
    assert done.workflow_data["pickup"]["rating_label"] == "非常满意"
    assert done.workflow_data["pickup"]["tracking_number"] == "SF1234567890"
    assert [(e.type, e.data) for e in case.take_events()] == [("ResultsHandedOver", done.workflow_data["pickup"])]


def test_an_intake_task_is_not_completed_here() -> None:
    case = Case(a_case(), [], [a_task(TaskKind.INTAKE, item_code=None)])
    with pytest.raises(InvalidInput) as err:
        case.complete_task("t1", Approve(), CLERK, NOW)
    assert "intake" in err.value.message_zh


def test_an_item_whose_prerequisite_was_refused_ends_as_not_applicable_by_the_system() -> None:
    item = an_item("cy.spjy")
    case = Case(a_case(), [item])
    result = case.refuse_for_prerequisite("cy.spjy", "cy.yyzz", "营业执照", True, NOW)
    reason = "前置事项“营业执照”不予许可，本事项不再办理"
    assert result == {"results": {"cy.spjy": {"decision": "not_applicable", "reason": reason,
                                              "decided_by": "system", "decided_at": NOW.isoformat()}}}
    assert (item.status, item.decision, item.reason, item.decided_by) == (
        ItemStatus.NOT_APPLICABLE, "not_applicable", reason, "system")
    assert case.take_events() == [CaseEvent("ItemNotApplicable", {"item": "cy.spjy", "prerequisite": "cy.yyzz",
                                                                  "reason": reason}, SYSTEM, NOW)]
    case.refuse_for_prerequisite("cy.zp", "cy.spjy", "食品经营许可", False, NOW)  # not held: only its event
    assert "不适用" in case.take_events()[0].data["reason"] and case.take_changed_items() == [item]


def test_the_case_moves_to_pickup_and_closes_with_who_handed_over() -> None:
    case = Case(a_case())
    assert not case.move_on(False, False, CLERK, NOW) and case.events == []
    assert case.move_on(False, True, CLERK, NOW)
    assert case.record.status == CaseStatus.AWAITING_PICKUP
    assert case.move_on(True, False, CLERK, NOW)
    assert (case.record.status, case.record.closed_at) == (CaseStatus.CLOSED, NOW)
    assert [(e.type, e.data, e.actor) for e in case.take_events()] == [
        ("ResultsReady", {"from": "in_review", "to": "awaiting_pickup"}, SYSTEM),
        ("CaseClosed", {"from": "awaiting_pickup", "to": "closed"}, CLERK)]


def test_tolerated_materials_supplied_after_acceptance() -> None:
    case = Case(a_case(plan="tolerated", commitment="tolerated", photo="submitted"))
    with pytest.raises(InvalidInput) as err:
        case.supply_tolerated(["photo"], CLERK, NOW)
    assert err.value.field_errors == {"supplied": ["待补交：commitment、plan"]}
    case.supply_tolerated(["plan"], CLERK, NOW)
    assert case.record.materials_due is not None and case.outstanding_materials() == ["commitment"]
    case.supply_tolerated(["commitment"], CLERK, NOW)
    assert case.record.materials_due is None
    assert [e.data for e in case.take_events()] == [{"supplied": ["plan"], "outstanding": ["commitment"]},
                                                    {"supplied": ["commitment"], "outstanding": []}]
    with pytest.raises(Conflict):
        Case(a_case(CaseStatus.CLOSED, plan="tolerated")).supply_tolerated(["plan"], CLERK, NOW)


def test_a_case_whose_tolerated_materials_are_overdue_is_terminated_with_its_open_tasks() -> None:
    done = a_task(task_id="done")
    done.state = TaskState.COMPLETED
    case = Case(a_case(plan="tolerated"), [], [a_task(), done])
    with pytest.raises(Conflict):
        case.terminate_for_overdue_materials(NOW)  # due in two days
    later = NOW + timedelta(days=3)
    assert [t.id for t in case.terminate_for_overdue_materials(later)] == ["t1"]
    assert (case.record.status, case.record.closed_at, done.state) == (CaseStatus.TERMINATED, later, "completed")
    assert [(e.type, e.data) for e in case.take_events()] == [
        ("TaskCancelled", {"task": "approval_cy.yyzz"}),
        ("CaseTerminated", {"from": "in_review", "reason": "容缺材料逾期未补齐", "missing": ["plan"],
                            "due": (NOW + timedelta(days=2)).isoformat()})]
