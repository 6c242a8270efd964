"""The unified form (一表申请): union, display order, JSON Schema, validation messages, pre-filling."""

from __future__ import annotations

from typing import Any

import pytest

from forms.identifiers import resident_id_check_digit
from forms.unified import (
    JSON_SCHEMA_DIALECT,
    FieldDef,
    Prefilled,
    SharedRecord,
    UnifiedForm,
    build_unified_form,
    field_def,
    prefill,
    validate_form,
)

FIELDS: dict[str, dict[str, Any]] = {
    "id_number": {"label": "身份证件号码", "type": "id_number", "group": "申请人", "required": True,
                  "prefill": "person.id_number"},
    "applicant_name": {"label": "姓名", "type": "string", "max_length": 20, "group": "申请人",
                       "prefill": "person.name"},
    "phone": {"label": "联系电话", "type": "phone", "group": "申请人", "prefill": "person.phone"},
    "entity_name": {"label": "经营者名称/字号", "type": "string", "max_length": 100, "group": "主体信息",
                    "prefill": "licence.business_licence.entity_name"},
    "credit_code": {"label": "统一社会信用代码", "type": "credit_code", "group": "主体信息",
                    "prefill": "licence.business_licence.credit_code"},
    "business_form": {"label": "经营业态", "type": "enum", "options": ["餐馆", "快餐店", "小吃店"],
                      "group": "主体信息"},
    "food_categories": {"label": "经营项目", "type": "multi_enum", "group": "经营许可",
                        "options": ["热食类食品制售", "冷食类食品制售", "自制饮品制售"]},
    "seats": {"label": "座位数", "type": "integer", "min": 0, "max": 100000, "group": "经营场所"},
    "area": {"label": "经营面积（平方米）", "type": "number", "min": 0, "group": "经营场所", "required": False},
    "outdoor_sign": {"label": "设置户外招牌", "type": "boolean", "group": "经营场所"},
    "opening_date": {"label": "开业日期", "type": "date", "group": "经营场所", "required": False},
    "notes": {"label": "备注", "type": "text", "group": "其他", "required": False},
    "unused": {"label": "未使用", "type": "string", "group": "其他"},
}

# id_number is asked by three items; the food permit's published baseline overrides its count.
ITEMS: list[dict[str, Any]] = [
    {"code": "cy.yyzz", "fields": ["entity_name", "id_number", "applicant_name", "business_form", "phone"]},
    {"code": "cy.spjy", "fields": ["entity_name", "id_number", "food_categories", "seats", "credit_code"],
     "fields_alone": 24},
    {"code": "cy.zp", "fields": ["id_number", "outdoor_sign", "phone", "area"]},
    {"code": "cy.xf", "fields": ["credit_code", "seats", "opening_date", "notes"]},
]

VALID: dict[str, object] = {
    "id_number": "11010519491231002X",
    "applicant_name": "陈明",
    "phone": "13800138000",
    "entity_name": "明记餐馆",
    "credit_code": "91350100M000100Y43",
    "business_form": "餐馆",
    "food_categories": ["热食类食品制售", "自制饮品制售"],
    "seats": 0,
    "area": 85.5,
    "outdoor_sign": False,
    "opening_date": "2028-02-29",
    "notes": "",
}


@pytest.fixture
def form() -> UnifiedForm:
    return build_unified_form(ITEMS, FIELDS)


def test_a_shared_field_appears_once_and_the_union_is_smaller_than_the_sum(form: UnifiedForm) -> None:
    assert form.keys.count("id_number") == 1
    assert form.asked_by["id_number"] == ("cy.yyzz", "cy.spjy", "cy.zp")
    assert form.asked_by["seats"] == ("cy.spjy", "cy.xf")
    assert len(form.fields) == 12
    assert "unused" not in form.keys  # only fields some item asks for
    assert form.fields_alone == 5 + 24 + 4 + 4  # the override counts for cy.spjy
    assert len(form.fields) < form.fields_alone
    plain = build_unified_form([{k: v for k, v in item.items() if k != "fields_alone"} for item in ITEMS], FIELDS)
    assert plain.fields_alone == 18 > len(plain.fields)


def test_display_order_follows_first_appearance_of_groups_then_fields(form: UnifiedForm) -> None:
    assert form.groups() == [
        {"title": "主体信息", "fields": ["entity_name", "business_form", "credit_code"]},
        {"title": "申请人", "fields": ["id_number", "applicant_name", "phone"]},
        {"title": "经营许可", "fields": ["food_categories"]},
        {"title": "经营场所", "fields": ["seats", "outdoor_sign", "area", "opening_date"]},
        {"title": "其他", "fields": ["notes"]},
    ]
    assert form.keys[:4] == ("entity_name", "business_form", "credit_code", "id_number")


def test_field_definitions_are_read_with_defaults(form: UnifiedForm) -> None:
    seats = form.get("seats")
    assert seats == FieldDef("seats", "座位数", "integer", "经营场所", True, None, 0, 100000, (), ())
    assert field_def("x", {"label": "备注", "type": "text"}).group == "其他"
    assert field_def("x", {"label": "备注", "type": "text"}).required is True
    assert form.get("nope") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"label": "颜色", "type": "colour"}, "'colour_key'.*unknown type 'colour'"),
        ({"type": "string"}, "label"),
        ({"label": "业态", "type": "enum"}, "options"),
        ({"label": "业态", "type": "enum", "options": ["a", "a"]}, "repeated"),
        ({"label": "座位", "type": "integer", "min": 10, "max": 1}, "min is greater"),
        ({"label": "座位", "type": "integer", "min": 0.5}, "integers"),
        ({"label": "名称", "type": "string", "max_length": 0}, "max_length"),
        ({"label": "电话", "type": "phone", "max_length": 20}, "max_length"),
        ({"label": "名称", "type": "string", "prefill": "licence.entity_name"}, "prefill"),
        ({"label": "名称", "type": "string", "prefill": "registry.name"}, "prefill"),
        ({"label": "名称", "type": "string", "required": "yes"}, "required"),
    ],
)
def test_malformed_field_entries_are_refused(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        field_def("colour_key", entry)


def test_a_field_no_definition_covers_is_refused() -> None:
    with pytest.raises(ValueError, match="'seat_count'"):
        build_unified_form([{"code": "cy.xf", "fields": ["seats", "seat_count"]}], FIELDS)
    with pytest.raises(ValueError, match="fields_alone"):
        build_unified_form([{"code": "cy.xf", "fields": ["seats"], "fields_alone": -1}], FIELDS)


def test_json_schema(form: UnifiedForm) -> None:
    schema = form.json_schema()
    assert schema["$schema"] == JSON_SCHEMA_DIALECT == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert list(schema["properties"]) == list(form.keys)
    assert schema["required"] == ["entity_name", "business_form", "credit_code", "id_number", "applicant_name",
                                  "phone", "food_categories", "seats", "outdoor_sign"]
    props = schema["properties"]
    assert props["seats"] == {"title": "座位数", "type": "integer", "minimum": 0, "maximum": 100000,
                              "x-type": "integer", "x-group": "经营场所", "x-order": 8,
                              "x-asked-by": ["cy.spjy", "cy.xf"]}
    assert props["entity_name"]["maxLength"] == 100
    assert props["entity_name"]["x-prefill"] == ["licence.business_licence.entity_name"]
    assert props["id_number"]["x-asked-by"] == ["cy.yyzz", "cy.spjy", "cy.zp"]
    assert props["id_number"]["x-order"] == 4
    assert props["opening_date"]["type"] == "string" and props["opening_date"]["format"] == "date"
    assert props["business_form"]["enum"] == ["餐馆", "快餐店", "小吃店"]
    assert props["food_categories"]["type"] == "array" and props["food_categories"]["uniqueItems"] is True
    assert props["food_categories"]["items"]["enum"] == ["热食类食品制售", "冷食类食品制售", "自制饮品制售"]
    assert props["outdoor_sign"]["type"] == "boolean"
    assert props["area"]["minimum"] == 0 and "maximum" not in props["area"]
    assert "x-prefill" not in props["seats"]


def test_valid_values_pass(form: UnifiedForm) -> None:
    assert validate_form(form, VALID) == {}
    assert validate_form(form, {**VALID, "credit_code": "91350100m000100y43", "phone": "0373-1234567"}) == {}


def test_required_fields_are_reported_and_optional_ones_are_not(form: UnifiedForm) -> None:
    errors = validate_form(form, {"applicant_name": "   ", "food_categories": []})
    required = {f.key for f in form.fields if f.required}
    assert set(errors) == required
    assert all(messages == ["必填"] for messages in errors.values())


def test_unknown_fields_are_refused(form: UnifiedForm) -> None:
    assert validate_form(form, {**VALID, "tax_id": "x"}) == {"tax_id": ["不是本表单的字段"]}


@pytest.mark.parametrize(
    ("key", "value", "messages"),
    [
        ("id_number", "110105194912310021", ["身份证号码校验位不正确"]),
        ("id_number", "11010519491231", ["身份证号码应为 18 位：前 17 位为数字，最后一位为数字或 X"]),
        ("id_number", "11010519490231002" + resident_id_check_digit("11010519490231002"),
         ["身份证号码中的出生日期无效"]),
        ("credit_code", "91350100M000100Y44", ["统一社会信用代码校验位不正确"]),
        ("credit_code", "91350100M000100Y4", ["统一社会信用代码应为 18 位"]),
        ("credit_code", "91350100I000100Y43",
         ["统一社会信用代码含有不允许的字符（只用数字和除 I、O、Z、S、V 以外的大写字母）"]),
        ("phone", "12800138000", ["联系电话无效：应为 11 位手机号或带区号的固定电话"]),
        ("opening_date", "2026-02-30", ["日期无效：2026-02-30 不存在"]),
        ("opening_date", "2026/02/01", ["日期格式应为 YYYY-MM-DD"]),
        ("opening_date", 20260201, ["日期格式应为 YYYY-MM-DD"]),
        ("seats", 100001, ["应在 0 至 100000 之间"]),
        ("seats", -1, ["应在 0 至 100000 之间"]),
        ("seats", "12", ["应为整数"]),
        ("seats", 12.0, ["应为整数"]),
        ("seats", True, ["应为整数"]),
        ("area", -0.5, ["不能小于 0"]),
        ("area", float("nan"), ["应为数字"]),
        ("applicant_name", "陈" * 21, ["不能超过 20 个字符（当前 21 个）"]),
        ("applicant_name", 42, ["应为文本"]),
        ("business_form", "酒吧", ["应为以下选项之一：餐馆、快餐店、小吃店"]),
        ("food_categories", ["热食类食品制售", "烧烤"],
         ["不是可选项：烧烤（可选：热食类食品制售、冷食类食品制售、自制饮品制售）"]),
        ("food_categories", ["热食类食品制售", "热食类食品制售"], ["选项不能重复"]),
        ("food_categories", "热食类食品制售", ["应为选项列表"]),
        ("outdoor_sign", "是", ["应为“是”或“否”"]),
    ],
)
def test_each_rule_has_a_precise_chinese_message(form: UnifiedForm, key: str, value: object,
                                                 messages: list[str]) -> None:
    assert validate_form(form, {**VALID, key: value}) == {key: messages}


def test_prefill_from_person_and_licence_sources(form: UnifiedForm) -> None:
    person = SharedRecord("person", "registry", "人口库", "11010519491231002X",
                          {"id_number": "11010519491231002X", "name": "陈明", "phone": "  "})
    licence = SharedRecord("licence.business_licence", "elicence", "电子证照库", "91350100M000100Y43",
                           {"entity_name": "明记餐馆", "credit_code": "91350100M000100Y43"})
    filled = prefill(form, [person, licence, SharedRecord("enterprise", "registry", "法人库", "x", {"name": "不相干"})])
    assert filled == {
        "entity_name": Prefilled("明记餐馆", "licence.business_licence.entity_name", "elicence", "电子证照库",
                                 "91350100M000100Y43"),
        "credit_code": Prefilled("91350100M000100Y43", "licence.business_licence.credit_code", "elicence",
                                 "电子证照库", "91350100M000100Y43"),
        "id_number": Prefilled("11010519491231002X", "person.id_number", "registry", "人口库", "11010519491231002X"),
        "applicant_name": Prefilled("陈明", "person.name", "registry", "人口库", "11010519491231002X"),
    }
    assert validate_form(form, {key: p.value for key, p in filled.items()}).keys().isdisjoint(filled)
    only_person = prefill(form, [person])
    assert set(only_person) == {"id_number", "applicant_name"}
    assert prefill(form, []) == {}


def test_the_first_record_holding_a_value_fills_a_field_and_paths_are_tried_in_order() -> None:
    form = build_unified_form([{"code": "x", "fields": ["name", "entity"]}], {
        "name": {"label": "姓名", "type": "string", "prefill": "person.name"},
        "entity": {"label": "名称", "type": "string",
                   "prefill": ["enterprise.name", "licence.business_licence.entity_name"]},
    })
    registry = SharedRecord("person", "registry", "人口库", "A", {"name": "  "})
    earlier = SharedRecord("person", "earlier_case", "既往办件", "A", {"name": "陈明"})
    licence = SharedRecord("licence.business_licence", "elicence", "电子证照库", "L", {"entity_name": "明记餐馆"})
    enterprise = SharedRecord("enterprise", "registry", "法人库", "C", {"name": "明记餐饮有限公司"})
    filled = prefill(form, [registry, licence, earlier])
    assert (filled["name"].value, filled["name"].origin) == ("陈明", "earlier_case")  # the registry's is blank
    assert (filled["entity"].value, filled["entity"].source) == ("明记餐馆", "licence.business_licence.entity_name")
    filled = prefill(form, [licence, enterprise])
    assert (filled["entity"].value, filled["entity"].source) == ("明记餐饮有限公司", "enterprise.name")
    with pytest.raises(ValueError, match="prefill"):
        build_unified_form([{"code": "x", "fields": ["y"]}], {"y": {"label": "y", "type": "string",
                                                                    "prefill": ["person.name", "nowhere.x"]}})


def test_a_field_about_someone_the_form_names_is_filled_from_that_persons_records_only() -> None:
    defs = {
        "employee_id_number": {"label": "员工身份证件号码", "type": "id_number"},
        "household_address": {"label": "户籍地址", "type": "string",
                              "prefill": ["person.household_address@employee_id_number", "person.household_address"]},
    }
    applicant = SharedRecord("person", "registry", "人口库", "A", {"household_address": "申请人的户籍"})
    employee = SharedRecord("person@employee_id_number", "registry", "人口库", "E", {"household_address": "员工的户籍"})
    hiring = build_unified_form([{"code": "x", "fields": ["employee_id_number", "household_address"]}], defs)
    assert prefill(hiring, [applicant, employee])["household_address"].value == "员工的户籍"
    assert prefill(hiring, [applicant]) == {}  # never the applicant's own for the employee's field
    newborn = build_unified_form([{"code": "x", "fields": ["household_address"]}], defs)
    assert prefill(newborn, [applicant, employee])["household_address"].value == "申请人的户籍"
    with pytest.raises(ValueError, match="prefill"):
        build_unified_form([{"code": "x", "fields": ["y"]}], {"y": {"label": "y", "type": "string",
                                                                    "prefill": "licence.x.y@employee_id_number"}})
