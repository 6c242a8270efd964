from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.domain.decisions import (
    MAX_CORRECTION_ROUNDS,
    Approve,
    HandOver,
    LicenceGrant,
    Reject,
    RequestCorrection,
    SupplyCorrection,
    approved_licence_number,
    correction_materials,
    number_format_problem,
    pickup_record,
    rejection_reason,
    supplied_materials,
)
from engine.domain.errors import InvalidInput
from engine.domain.model import Actor, Delivery

NOW = datetime(2026, 9, 24, 2, 0, tzinfo=UTC)
REVIEWER = Actor("李市监", "scjg", "reviewer")


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidInput) as err:
        rejection_reason(Reject("  "))
    assert "reason" in err.value.field_errors
    assert rejection_reason(Reject(" 禁设区域 ")) == "禁设区域"


def test_correction_names_materials_and_is_bounded() -> None:
    with pytest.raises(InvalidInput):
        correction_materials(RequestCorrection((" ",)), 0, None)
    assert correction_materials(RequestCorrection(("承诺书",)), 0, None) == ["承诺书"]
    with pytest.raises(InvalidInput) as err:
        correction_materials(RequestCorrection(("承诺书",)), MAX_CORRECTION_ROUNDS, None)
    assert "补正" in err.value.message_zh


def test_a_correction_names_materials_by_key_or_name_and_records_keys() -> None:
    known = {"commitment": "承诺书", "plan": "平面图"}
    assert correction_materials(RequestCorrection(("平面图", "commitment", "plan")), 0, known) == ["plan", "commitment"]
    with pytest.raises(InvalidInput) as err:
        correction_materials(RequestCorrection(("照片",)), 0, known)
    assert err.value.field_errors == {"materials": ["可选材料：承诺书、平面图"]}


def test_supplied_materials_must_cover_the_request() -> None:
    with pytest.raises(InvalidInput) as err:
        supplied_materials(SupplyCorrection(("承诺书",)), ["承诺书", "平面图"], None)
    assert "平面图" in err.value.message_zh
    with pytest.raises(InvalidInput) as err:
        supplied_materials(SupplyCorrection(), ["承诺书"], None)
    assert err.value.message_zh == "请登记申请人补正提交的材料"
    assert supplied_materials(SupplyCorrection((" 承诺书 ",)), ["承诺书"], None) == ["承诺书"]


def test_hand_over_at_the_window_names_the_recipient() -> None:
    clerk = Actor("王窗口", "window")
    with pytest.raises(InvalidInput):
        pickup_record(HandOver(Delivery.WINDOW, "  "), clerk, NOW)
    assert pickup_record(HandOver(Delivery.MAIL, tracking_number="SF1234567890"), clerk, NOW)["delivery"] == "mail"


def test_a_poor_rating_needs_the_applicants_reason() -> None:
    clerk = Actor("王窗口", "window")
    with pytest.raises(InvalidInput) as err:
        pickup_record(HandOver(Delivery.ONLINE, rating=2), clerk, NOW)
    assert list(err.value.field_errors) == ["rating_comment"]
    with pytest.raises(InvalidInput) as err:
        pickup_record(HandOver(Delivery.ONLINE, rating=6), clerk, NOW)
    assert list(err.value.field_errors) == ["rating"]
    record = pickup_record(HandOver(Delivery.ONLINE, rating=2, rating_comment="排队太久"), clerk, NOW)
    assert (record["rating_label"], record["rating_comment"]) == ("不满意", "排队太久")


BUSINESS_LICENCE = LicenceGrant("business_licence", "营业执照", "credit_code")
FOOD_PERMIT = LicenceGrant("food_permit", "食品经营许可证", "^JY[0-9]{14}$")
SIGN_PERMIT = LicenceGrant("sign_permit", "户外招牌设施设置许可（备案）")


def approve(number: str | None, grants: LicenceGrant | None) -> str:
    return approved_licence_number("cy.x", Approve(number or ""), grants)


def refused(number: str | None, grants: LicenceGrant | None) -> str:
    with pytest.raises(InvalidInput) as err:
        approve(number, grants)
    assert list(err.value.field_errors) == ["licence_number"]
    return err.value.field_errors["licence_number"][0]


def test_approving_an_item_that_issues_a_licence_needs_its_number() -> None:
    assert "营业执照" in refused(None, BUSINESS_LICENCE)
    assert "须填写证照编号" in refused("   ", SIGN_PERMIT)  # whitespace only is no number
    assert approve(" 京城招备字第0012号 ", SIGN_PERMIT) == "京城招备字第0012号"


def test_a_business_licence_number_is_a_credit_code() -> None:
    assert "统一社会信用代码" in refused("92410700MA001", BUSINESS_LICENCE)
    assert "统一社会信用代码" in refused("91350100M000100Y44", BUSINESS_LICENCE)  # check character wrong
    assert approve("91350100m000100y43", BUSINESS_LICENCE) == "91350100M000100Y43"


def test_a_number_follows_its_licence_types_pattern() -> None:
    assert "编号规则" in refused("CY-20260924-00001-cy.spjy", FOOD_PERMIT)
    assert "编号规则" in refused("JY1410702000001", FOOD_PERMIT)  # 13 digits
    assert approve("JY14107020000011", FOOD_PERMIT) == "JY14107020000011"
    broken = LicenceGrant("food_permit", "食品经营许可证", "[")
    assert "管理员" in refused("JY14107020000011", broken)


def test_any_number_is_short_and_printable() -> None:
    assert "64" in refused("L" * 65, SIGN_PERMIT)
    assert "控制字符" in refused("L-1\nL-2", SIGN_PERMIT)
    assert approve("L" * 64, SIGN_PERMIT) == "L" * 64


def test_an_item_that_issues_no_licence_may_carry_a_reference_number() -> None:
    assert approve(None, None) == ""
    assert approve("人社就登字〔2026〕12号", None) == "人社就登字〔2026〕12号"
    assert "控制字符" in refused("A\tB", None)


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
