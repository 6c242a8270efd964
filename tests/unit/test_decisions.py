from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.domain.decisions import MAX_CORRECTION_ROUNDS, decide_approval, hand_over, supply_correction
from engine.domain.errors import InvalidInput
from engine.domain.model import Actor, ItemStatus

NOW = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)
REVIEWER = Actor("李市监", "scjg", "reviewer")


def test_approval_writes_under_the_items_own_key() -> None:
    done = decide_approval("cy.yyzz", {"decision": "approve", "licence_number": " L1 "}, REVIEWER, NOW, 0)
    assert list(done.data_update) == ["results"]
    assert done.data_update["results"]["cy.yyzz"] == {
        "decision": "approve", "decided_by": "李市监", "decided_at": NOW.isoformat(), "licence_number": "L1"}
    assert done.item_status is ItemStatus.APPROVED and done.event_type == "ItemApproved"


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidInput) as err:
        decide_approval("cy.zp", {"decision": "reject", "reason": "  "}, REVIEWER, NOW, 0)
    assert "reason" in err.value.field_errors
    done = decide_approval("cy.zp", {"decision": "reject", "reason": "禁设区域"}, REVIEWER, NOW, 0)
    assert done.data_update["results"]["cy.zp"]["reason"] == "禁设区域"
    assert done.item_status is ItemStatus.REJECTED


def test_correction_names_materials_and_is_bounded() -> None:
    with pytest.raises(InvalidInput):
        decide_approval("cy.xf", {"decision": "correct", "materials": []}, REVIEWER, NOW, 0)
    done = decide_approval("cy.xf", {"decision": "correct", "materials": ["承诺书"]}, REVIEWER, NOW, 0)
    assert done.event_data["materials"] == ["承诺书"]
    with pytest.raises(InvalidInput) as err:
        decide_approval("cy.xf", {"decision": "correct", "materials": ["承诺书"]}, REVIEWER, NOW,
                        MAX_CORRECTION_ROUNDS)
    assert "补正" in err.value.message_zh


def test_supplied_materials_must_cover_the_request() -> None:
    clerk = Actor("王窗口", "window")
    with pytest.raises(InvalidInput) as err:
        supply_correction("cy.xf", ["承诺书", "平面图"], {"supplied": ["承诺书"]}, clerk, NOW)
    assert "平面图" in err.value.message_zh
    done = supply_correction("cy.xf", ["承诺书"], {"supplied": ["承诺书"]}, clerk, NOW)
    assert done.item_status is ItemStatus.IN_REVIEW
    assert done.data_update["corrections"]["cy.xf"]["supplied"] == ["承诺书"]


def test_hand_over_at_the_window_names_the_recipient() -> None:
    clerk = Actor("王窗口", "window")
    with pytest.raises(InvalidInput):
        hand_over({"delivery": "window"}, clerk, NOW)
    with pytest.raises(InvalidInput):
        hand_over({"delivery": "pigeon"}, clerk, NOW)
    assert hand_over({"delivery": "mail"}, clerk, NOW).data_update["pickup"]["delivery"] == "mail"
