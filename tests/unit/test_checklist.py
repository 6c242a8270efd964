"""The material checklist (一套材料): de-duplication, e-licences, commitments and 容缺受理."""

from __future__ import annotations

from typing import Any

import pytest

from forms.checklist import Checklist, ChecklistEntry, MaterialStatus, assess, build_checklist

MATERIALS: dict[str, dict[str, Any]] = {
    "operator_id": {"name": "经营者/法定代表人身份证件", "elicence": "resident_id"},
    "premises_proof": {"name": "经营场所使用证明", "elicence": "property_certificate", "commitment": True},
    "licence_copy": {"name": "营业执照", "elicence": "business_licence"},
    "food_safety_rules": {"name": "食品安全管理制度"},
    "layout_plan": {"name": "经营场所平面布局图"},
    "sign_design": {"name": "招牌设计效果图", "commitment": True},
    "fire_rules": {"name": "消防安全制度", "commitment": False},
    "unused": {"name": "未使用"},
}


def _m(key: str, kind: str) -> dict[str, str]:
    return {"key": key, "kind": kind}


# premises_proof: key for cy.yyzz, then secondary for cy.spjy; layout_plan: secondary first, key later.
ITEMS: list[dict[str, Any]] = [
    {"code": "cy.yyzz", "materials": [_m("operator_id", "key"), _m("premises_proof", "key")]},
    {"code": "cy.spjy", "materials_alone": 8,
     "materials": [_m("operator_id", "key"), _m("licence_copy", "key"), _m("food_safety_rules", "secondary"),
                   _m("layout_plan", "secondary"), _m("premises_proof", "secondary")]},
    {"code": "cy.zp", "materials": [_m("operator_id", "key"), _m("sign_design", "key"),
                                    _m("premises_proof", "secondary")]},
    {"code": "cy.xf", "materials": [_m("fire_rules", "secondary"), _m("layout_plan", "key")]},
]

# Everything key satisfied without e-licences.
ALL_KEY_ON_PAPER = {"operator_id": "submitted", "premises_proof": "submitted", "licence_copy": "submitted",
                    "layout_plan": "submitted", "sign_design": "submitted"}


@pytest.fixture
def checklist() -> Checklist:
    return build_checklist(ITEMS, MATERIALS)


def test_materials_are_listed_once_in_first_appearance_order(checklist: Checklist) -> None:
    assert checklist.keys == ("operator_id", "premises_proof", "licence_copy", "food_safety_rules", "layout_plan",
                              "sign_design", "fire_rules")
    assert checklist.get("operator_id") == ChecklistEntry(
        "operator_id", "经营者/法定代表人身份证件", "key", ("cy.yyzz", "cy.spjy", "cy.zp"), "resident_id", False
    )
    assert checklist.materials_alone == 2 + 8 + 3 + 2
    assert len(checklist.entries) < checklist.materials_alone
    plain = build_checklist([{k: v for k, v in i.items() if k != "materials_alone"} for i in ITEMS], MATERIALS)
    assert plain.materials_alone == 12


def test_a_material_key_for_one_item_and_secondary_for_another_is_key(checklist: Checklist) -> None:
    premises = checklist.get("premises_proof")
    layout = checklist.get("layout_plan")
    assert premises is not None and premises.kind == "key" and premises.commitment_allowed
    assert premises.items == ("cy.yyzz", "cy.spjy", "cy.zp")
    assert layout is not None and layout.kind == "key" and layout.items == ("cy.spjy", "cy.xf")
    assert [e.key for e in checklist.entries if e.kind == "secondary"] == ["food_safety_rules", "fire_rules"]


def test_malformed_catalogue_data_is_refused() -> None:
    with pytest.raises(ValueError, match="'health_cert'"):
        build_checklist([{"code": "cy.ws", "materials": [_m("health_cert", "key")]}], MATERIALS)
    with pytest.raises(ValueError, match="kind"):
        build_checklist([{"code": "cy.ws", "materials": [_m("operator_id", "main")]}], MATERIALS)
    with pytest.raises(ValueError, match="name"):
        build_checklist([{"code": "cy.ws", "materials": [_m("x", "key")]}], {"x": {"elicence": "resident_id"}})


def test_a_held_e_licence_waives_the_material_without_being_declared(checklist: Checklist) -> None:
    declared = {**ALL_KEY_ON_PAPER, "food_safety_rules": "submitted", "fire_rules": "submitted"}
    del declared["operator_id"]
    result = assess(checklist, declared, {"resident_id"})
    assert result.statuses["operator_id"] is MaterialStatus.ELICENCE
    assert result.acceptable, result.errors
    # held e-licences win even over a paper copy: the government may not ask for it again
    again = assess(checklist, {**declared, "licence_copy": "submitted"}, {"resident_id", "business_licence"})
    assert again.statuses["licence_copy"] is MaterialStatus.ELICENCE
    assert again.waived_count == 2


def test_declaring_an_e_licence_not_held_is_an_error(checklist: Checklist) -> None:
    result = assess(checklist, {**ALL_KEY_ON_PAPER, "licence_copy": "elicence"}, {"resident_id"})
    assert result.errors["licence_copy"] == ["申请人未持有可代替该材料的电子证照，不能免提交", "缺少主要材料：营业执照"]
    assert result.statuses["licence_copy"] is MaterialStatus.MISSING
    assert not result.acceptable
    no_licence_type = assess(checklist, {**ALL_KEY_ON_PAPER, "layout_plan": "elicence"}, set())
    assert no_licence_type.errors["layout_plan"][0] == "该材料没有对应的电子证照，不能免提交"


def test_commitment_only_where_allowed(checklist: Checklist) -> None:
    declared = {**ALL_KEY_ON_PAPER, "premises_proof": "commitment", "fire_rules": "commitment",
                "food_safety_rules": "submitted"}
    result = assess(checklist, declared, set())
    assert result.statuses["premises_proof"] is MaterialStatus.COMMITMENT
    assert "premises_proof" not in result.errors
    assert result.errors == {"fire_rules": ["该材料不适用告知承诺制，不能以书面承诺代替"]}
    assert result.statuses["fire_rules"] is MaterialStatus.MISSING


def test_tolerance_is_refused_while_a_key_material_is_missing(checklist: Checklist) -> None:
    declared = {**ALL_KEY_ON_PAPER, "food_safety_rules": "tolerated", "fire_rules": "submitted"}
    del declared["layout_plan"]
    result = assess(checklist, declared, set())
    assert not result.acceptable
    assert result.errors["layout_plan"] == ["缺少主要材料：经营场所平面布局图"]
    assert result.errors["food_safety_rules"] == ["容缺受理须主要材料齐全，尚缺：经营场所平面布局图"]
    assert result.tolerated == ()
    assert result.statuses["food_safety_rules"] is MaterialStatus.MISSING


def test_tolerance_is_accepted_when_every_key_material_is_there(checklist: Checklist) -> None:
    declared = {**ALL_KEY_ON_PAPER, "food_safety_rules": "tolerated", "fire_rules": "tolerated"}
    result = assess(checklist, declared, set())
    assert result.acceptable and result.errors == {}
    assert result.tolerated == ("food_safety_rules", "fire_rules")
    refused = assess(checklist, declared, set(), tolerance_allowed=False)  # bad credit record
    assert refused.errors["fire_rules"] == ["申请人有不良信用记录，不适用容缺受理"]
    assert refused.tolerated == ()


def test_key_materials_cannot_be_tolerated(checklist: Checklist) -> None:
    result = assess(checklist, {**ALL_KEY_ON_PAPER, "sign_design": "tolerated", "food_safety_rules": "submitted",
                                "fire_rules": "submitted"}, set())
    assert result.errors == {"sign_design": ["主要材料不能容缺受理", "缺少主要材料：招牌设计效果图"]}


def test_a_missing_secondary_material_needs_a_tolerance_decision(checklist: Checklist) -> None:
    result = assess(checklist, {**ALL_KEY_ON_PAPER, "fire_rules": "submitted"}, set())
    assert result.errors == {
        "food_safety_rules": ["缺少材料：食品安全管理制度（次要材料，可申请容缺受理并签署容缺承诺书）"]
    }
    assert result.missing == ("food_safety_rules",)


def test_unknown_materials_and_statuses_are_errors(checklist: Checklist) -> None:
    declared = {**ALL_KEY_ON_PAPER, "food_safety_rules": "posted", "fire_rules": "submitted", "tax_form": "submitted"}
    result = assess(checklist, declared, set())
    assert result.errors["tax_form"] == ["不是本事项材料清单中的材料"]
    assert result.errors["food_safety_rules"][0] == "材料状态无效：posted"
    assert "tax_form" not in result.statuses


def test_counts_after_de_duplication_e_licences_and_commitments(checklist: Checklist) -> None:
    declared = {"premises_proof": "commitment", "layout_plan": "submitted", "sign_design": "submitted",
                "food_safety_rules": "tolerated", "fire_rules": "submitted"}
    result = assess(checklist, declared, {"resident_id", "business_licence"})
    assert result.acceptable, result.errors
    assert dict(result.statuses) == {
        "operator_id": MaterialStatus.ELICENCE,
        "premises_proof": MaterialStatus.COMMITMENT,
        "licence_copy": MaterialStatus.ELICENCE,
        "food_safety_rules": MaterialStatus.TOLERATED,
        "layout_plan": MaterialStatus.SUBMITTED,
        "sign_design": MaterialStatus.SUBMITTED,
        "fire_rules": MaterialStatus.SUBMITTED,
    }
    assert result.submitted_count == 3
    assert result.waived_count == 3
    assert result.tolerated == ("food_safety_rules",)
    assert [str(s) for s in MaterialStatus] == ["submitted", "elicence", "shared", "commitment", "tolerated", "missing"]
