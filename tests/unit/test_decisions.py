from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.domain.decisions import (
    MAX_CORRECTION_ROUNDS,
    LicenceGrant,
    decide_approval,
    hand_over,
    number_format_problem,
    supply_correction,
)
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


BUSINESS_LICENCE = LicenceGrant("business_licence", "营业执照", "credit_code")
FOOD_PERMIT = LicenceGrant("food_permit", "食品经营许可证", "^JY[0-9]{14}$")
SIGN_PERMIT = LicenceGrant("sign_permit", "户外招牌设施设置许可（备案）")


def approve(number: str | None, grants: LicenceGrant | None) -> dict[str, Any]:
    payload: dict[str, Any] = {"decision": "approve"}
    if number is not None:
        payload["licence_number"] = number
    done = decide_approval("cy.x", payload, REVIEWER, NOW, 0, None, grants)
    record: dict[str, Any] = done.data_update["results"]["cy.x"]
    return record


def refused(number: str | None, grants: LicenceGrant | None) -> str:
    with pytest.raises(InvalidInput) as err:
        approve(number, grants)
    assert list(err.value.field_errors) == ["licence_number"]
    return err.value.field_errors["licence_number"][0]


def test_approving_an_item_that_issues_a_licence_needs_its_number() -> None:
    assert "营业执照" in refused(None, BUSINESS_LICENCE)
    assert "须填写证照编号" in refused("   ", SIGN_PERMIT)  # whitespace only is no number
    assert approve(" 京城招备字第0012号 ", SIGN_PERMIT)["licence_number"] == "京城招备字第0012号"


def test_a_business_licence_number_is_a_credit_code() -> None:
    assert "统一社会信用代码" in refused("92410700MA001", BUSINESS_LICENCE)
    assert "统一社会信用代码" in refused("91350100M000100Y44", BUSINESS_LICENCE)  # check character wrong
    assert approve("91350100m000100y43", BUSINESS_LICENCE)["licence_number"] == "91350100M000100Y43"


def test_a_number_follows_its_licence_types_pattern() -> None:
    assert "编号规则" in refused("CY-20260924-00001-cy.spjy", FOOD_PERMIT)
    assert "编号规则" in refused("JY1410702000001", FOOD_PERMIT)  # 13 digits
    assert approve("JY14107020000011", FOOD_PERMIT)["licence_number"] == "JY14107020000011"
    broken = LicenceGrant("food_permit", "食品经营许可证", "[")
    assert "管理员" in refused("JY14107020000011", broken)


def test_any_number_is_short_and_printable() -> None:
    assert "64" in refused("L" * 65, SIGN_PERMIT)
    assert "控制字符" in refused("L-1\nL-2", SIGN_PERMIT)
    assert approve("L" * 64, SIGN_PERMIT)["licence_number"] == "L" * 64


def test_an_item_that_issues_no_licence_may_carry_a_reference_number() -> None:
    assert "licence_number" not in approve(None, None)
    assert approve("人社就登字〔2026〕12号", None)["licence_number"] == "人社就登字〔2026〕12号"
    assert "控制字符" in refused("A\tB", None)


def test_a_rejection_needs_no_licence_number() -> None:
    done = decide_approval("cy.x", {"decision": "reject", "reason": "不符合条件"}, REVIEWER, NOW, 0, None,
                           BUSINESS_LICENCE)
    assert done.item_status is ItemStatus.REJECTED


def test_number_formats_are_credit_code_or_a_regular_expression() -> None:
    assert number_format_problem(None) is None
    assert number_format_problem("credit_code") is None
    assert number_format_problem("^JY[0-9]{14}$") is None
    assert "正则表达式" in (number_format_problem("^JY[0-9]{14$(") or "")
    assert number_format_problem(42) is not None
    assert number_format_problem("  ") is not None


def test_the_shipped_number_formats_are_valid_and_the_business_licence_is_a_credit_code() -> None:
    licences = json.loads((Path(__file__).resolve().parents[2] / "bpmn" / "catalogue" / "licences.json")
                          .read_text(encoding="utf-8"))
    assert {key: number_format_problem(d.get("number_format")) for key, d in licences.items()} == \
        dict.fromkeys(licences)
    assert licences["business_licence"]["number_format"] == "credit_code"
