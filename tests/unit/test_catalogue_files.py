"""The reviewed catalogue data (bpmn/catalogue/*.json and bpmn/<code>/bundle.json) holds together:
every key it names exists, every bundle's figures add up, and every flow.bpmn is what
tools/make_flow.py makes of its bundle.json. The format is bpmn/catalogue/FORMAT.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.domain.registries import KINDS

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
CATALOGUE = BPMN / "catalogue"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))
SHIPPED = {"restaurant", "company_start", "company_change", "company_closure", "newborn", "hiring", "retirement",
           "utility_connect", "resale_transfer", "construction_permit", "transport_company", "company_relocation",
           "bankruptcy_check", "listing_compliance", "credit_repair", "food_production", "school_enrolment",
           "social_security_card", "disability_services", "mortgage_registration", "bereavement",
           "sole_trader_conversion"}
FIRST_NATIONAL_BATCH = {  # 国发〔2024〕3号: 8 for enterprises, 5 for persons
    "企业信息变更": "company_change", "开办运输企业": "transport_company", "开办餐饮店": "restaurant",
    "建筑工程施工许可": "construction_permit", "企业破产信息核查": "bankruptcy_check",
    "企业上市合法合规信息核查": "listing_compliance", "水电气": "utility_connect", "信用修复": "credit_repair",
    "新生儿出生": "newborn", "教育入学": "school_enrolment", "社会保障卡居民服务": "social_security_card",
    "残疾人服务": "disability_services", "退休": "retirement"}

FIELD_TYPES = {"string", "text", "integer", "number", "date", "boolean", "enum", "multi_enum", "id_number",
               "credit_code", "phone"}
PERSON_ATTRIBUTES = {"name", "id_number", "phone", "address", "gender", "birth_date"}
PAUSING = ("听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审")  # 行政许可法 art. 45
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
HAN = re.compile(r"[\u4e00-\u9fff]")
MARK = re.compile(r"\[(S|L|E)[\] ]")
ITEM_FIGURES = {"statutory_days", "promised_days", "steps_alone", "trips_alone", "fee", "special_procedures",
                "materials", "fields", "fields_alone", "materials_alone", "requires", "department"}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


FIELDS: dict[str, dict[str, Any]] = load(CATALOGUE / "fields.json")
MATERIALS: dict[str, dict[str, Any]] = load(CATALOGUE / "materials.json")
LICENCES: dict[str, dict[str, Any]] = load(CATALOGUE / "licences.json")
DEFINITIONS: dict[str, dict[str, Any]] = {code: load(BPMN / code / "bundle.json") for code in BUNDLES}


@pytest.fixture(params=BUNDLES)
def definition(request: pytest.FixtureRequest) -> dict[str, Any]:
    return DEFINITIONS[str(request.param)]


def test_the_shipped_bundles_hold_the_first_national_batch() -> None:
    assert set(BUNDLES) == SHIPPED
    for name, code in FIRST_NATIONAL_BATCH.items():
        assert name in DEFINITIONS[code]["name"], (name, DEFINITIONS[code]["name"])


def test_dictionary_keys_are_snake_case_and_names_chinese() -> None:
    for kind, entries, label in (("field", FIELDS, "label"), ("material", MATERIALS, "name"),
                                 ("licence", LICENCES, "name")):
        for key, entry in entries.items():
            assert SNAKE.fullmatch(key), f"{kind} {key!r} is not snake_case"
            assert isinstance(entry.get(label), str) and HAN.search(entry[label]), f"{kind} {key!r}: {label}"


@pytest.mark.parametrize("key", sorted(FIELDS))
def test_a_field_is_well_formed(key: str) -> None:
    field = FIELDS[key]
    kind = field["type"]
    assert kind in FIELD_TYPES
    assert isinstance(field["group"], str) and HAN.search(field["group"])
    assert isinstance(field.get("required", True), bool)
    if "max_length" in field:
        assert kind in ("string", "text") and isinstance(field["max_length"], int) and field["max_length"] > 0
    if "min" in field or "max" in field:
        assert kind in ("integer", "number")
        assert field.get("min", float("-inf")) <= field.get("max", float("inf"))
    if kind in ("enum", "multi_enum"):
        options = field["options"]
        assert options and len(set(options)) == len(options) and all(isinstance(o, str) and o for o in options)
    else:
        assert "options" not in field
    prefill = field.get("prefill")
    for path in [prefill] if isinstance(prefill, str) else prefill or []:
        path, _, about = path.partition("@")
        assert not about or about in FIELDS, (key, about)  # the field naming whom it is about
        root, *rest = path.split(".")
        if root in KINDS:  # a registry's column (tests/unit/test_registry_catalogue.py checks which)
            assert len(rest) == 1 and KINDS[root].column(rest[0]) is not None, path
        else:
            assert root == "licence" and len(rest) == 2, path
            licence, attribute = rest
            assert licence in LICENCES and attribute in LICENCES[licence]["attributes"], path


def test_shared_identity_fields_have_one_key_and_a_prefill() -> None:
    expected = {
        "name": "person.name", "id_number": "person.id_number", "phone": "person.phone",
        "address": "person.address", "credit_code": "enterprise.credit_code",
        "entity_name": ["enterprise.name", "licence.business_licence.entity_name"],
        "business_scope": ["enterprise.business_scope", "licence.business_licence.business_scope"],
        "premises_address": ["licence.business_licence.premises_address", "enterprise.address"],
        "legal_representative": "enterprise.legal_representative",
    }
    assert {key: FIELDS[key].get("prefill") for key in expected} == expected
    assert FIELDS["id_number"]["type"] == "id_number" and FIELDS["credit_code"]["type"] == "credit_code"
    assert FIELDS["phone"]["type"] == "phone"
    # one key per thing: no second field carries the same label
    labels = [f["label"] for f in FIELDS.values()]
    assert sorted({label for label in labels if labels.count(label) > 1}) == []


def test_materials_name_known_licences() -> None:
    for key, material in MATERIALS.items():
        assert set(material) <= {"name", "elicence", "commitment", "registry"}, key
        assert material.get("registry") is None or material["registry"] in KINDS, key
        assert material.get("elicence") is None or material["elicence"] in LICENCES, key
        assert isinstance(material.get("commitment", False), bool), key


def test_licences_prefill_known_fields() -> None:
    for key, licence in LICENCES.items():
        assert licence["holder"] in ("person", "enterprise"), key
        assert isinstance(licence["issuer"], str) and licence["issuer"], key
        assert set(licence["attributes"]) <= set(FIELDS), (key, set(licence["attributes"]) - set(FIELDS))


def test_number_prefixes_and_process_ids_are_distinct() -> None:
    prefixes = [d["number_prefix"] for d in DEFINITIONS.values()]
    assert len(set(prefixes)) == len(prefixes)
    assert all(re.fullmatch(r"[A-Z]{2}", p) for p in prefixes)
    assert all(d["process_id"] == d["code"] == code for code, d in DEFINITIONS.items())


def test_a_department_code_has_one_name_everywhere() -> None:
    names: dict[str, set[str]] = {}
    for definition in DEFINITIONS.values():
        for code, name in definition["departments"].items():
            names.setdefault(code, set()).add(name)
    assert {code: found for code, found in names.items() if len(found) > 1} == {}
    assert names["window"] == {"综合窗口"}


def test_item_codes_are_unique_across_bundles() -> None:
    codes = [i["code"] for d in DEFINITIONS.values() for i in d["items"]]
    assert len(set(codes)) == len(codes)


def test_a_bundle_refers_only_to_what_exists(definition: dict[str, Any]) -> None:
    items = definition["items"]
    codes = [i["code"] for i in items]
    assert len(set(codes)) == len(codes)
    prefix = codes[0].split(".")[0]
    used = {i["department"] for i in items}
    assert set(definition["departments"]) == used | {"window"}, "departments lists exactly the ones used"
    assert all(HAN.search(name) for name in definition["departments"].values())
    for item in items:
        code = item["code"]
        assert re.fullmatch(rf"{prefix}\.[a-z][a-z0-9_]*", code), code
        assert HAN.search(item["name"]), code
        assert item["department"] != "window"
        assert len(item["materials"]) >= 1 and len(item["fields"]) >= 3, code
        material_keys = [m["key"] for m in item["materials"]]
        assert len(set(material_keys)) == len(material_keys), code
        for material in item["materials"]:
            assert material["key"] in MATERIALS, (code, material["key"])
            assert material["kind"] in ("key", "secondary"), (code, material)
        assert len(set(item["fields"])) == len(item["fields"]), code
        assert set(item["fields"]) <= set(FIELDS), (code, set(item["fields"]) - set(FIELDS))
        assert item.get("grants") is None or item["grants"] in LICENCES, code
        assert set(item.get("estimated", [])) <= ITEM_FIGURES, code
        for key in ("statutory_days", "promised_days"):
            assert item[key] is None or (isinstance(item[key], int) and item[key] >= 0), (code, key)
        for procedure in item.get("special_procedures", []):
            pauses = any(word in procedure["name"] for word in PAUSING)
            assert not pauses or procedure["pauses_clock"] is True, (code, procedure)
            if "现场" in procedure["name"]:
                assert procedure["pauses_clock"] is False, (code, procedure)  # on-site checks count


def test_requires_stay_inside_the_bundle_and_are_acyclic(definition: dict[str, Any]) -> None:
    requires = {i["code"]: list(i.get("requires", [])) for i in definition["items"]}
    for code, needed in requires.items():
        assert len(set(needed)) == len(needed)
        assert all(other in requires and other != code for other in needed), (code, needed)
    done: set[str] = set()
    while len(done) < len(requires):
        ready = {code for code, needed in requires.items() if code not in done and set(needed) <= done}
        assert ready, f"cycle among {sorted(set(requires) - done)}"
        done |= ready


def test_the_food_permit_requires_the_business_licence() -> None:
    items = {i["code"]: i for i in DEFINITIONS["restaurant"]["items"]}
    assert list(items) == ["cy.yyzz", "cy.spjy", "cy.zp", "cy.xf", "cy.jkz"]
    assert {c: i["department"] for c, i in items.items()} == {
        "cy.yyzz": "scjg", "cy.spjy": "scjg", "cy.zp": "cg", "cy.xf": "xf", "cy.jkz": "wj"}
    assert items["cy.spjy"]["requires"] == ["cy.yyzz"]
    assert DEFINITIONS["restaurant"]["number_prefix"] == "CY"


def test_published_baselines_add_up(definition: dict[str, Any]) -> None:
    """Where fields_alone / materials_alone are given, every item has one and their sum is a published
    "before" figure of the bundle."""
    items = definition["items"]
    for override, figure in (("fields_alone", "form_fields"), ("materials_alone", "materials")):
        given = [i for i in items if override in i]
        if not given:
            continue
        assert len(given) == len(items), f"{override} on some items only"
        assert all(isinstance(i[override], int) and i[override] >= 0 for i in items)
        listed = "fields" if override == "fields_alone" else "materials"
        assert all(i[override] >= len(i[listed]) for i in items), f"{override} below what the item lists"
        befores = {p["before"] for p in definition["published"] if p["figure"] == figure}
        assert sum(i[override] for i in items) in befores, (override, befores)
        assert all(override in i["estimated"] for i in items), f"the split of {override} is an estimate"


def test_published_figures_and_sources_are_marked(definition: dict[str, Any]) -> None:
    assert definition["sources"] and all(isinstance(s, str) for s in definition["sources"])
    assert any("[E" in s for s in definition["sources"]), "estimates are named in sources"
    for figure in definition["published"]:
        assert figure["figure"] in ("form_fields", "materials", "time", "steps", "trips")
        assert figure["place"] and figure["source"]
        assert figure["before"] is not None or figure["after"] is not None or "reduction" in figure
    has_override = any("fields_alone" in i or "materials_alone" in i for i in definition["items"])
    if not has_override:
        assert any("基线" in s and "[E" in s for s in definition["sources"]), "say where the baselines come from"


def test_tolerance_days_fit_the_items_with_secondary_materials(definition: dict[str, Any]) -> None:
    tolerance = definition.get("tolerance_days")
    if tolerance is None:
        return
    concerned = [i["promised_days"] for i in definition["items"]
                 if any(m["kind"] == "secondary" for m in i["materials"]) and i["promised_days"] is not None]
    assert concerned, "容缺受理 needs at least one secondary material"
    assert isinstance(tolerance, int) and 1 <= tolerance <= min(concerned)


def test_the_form_and_checklist_builders_accept_every_bundle(definition: dict[str, Any]) -> None:
    from engine.domain.catalogue import bundle_from_dict
    from forms.checklist import build_checklist
    from forms.unified import build_unified_form

    items = definition["items"]
    bundle = bundle_from_dict(definition)
    assert [i.code for i in bundle.items] == [i["code"] for i in items]
    form = build_unified_form(items, FIELDS)
    assert set(form.keys) == {key for i in items for key in i["fields"]}
    assert form.fields_alone == sum(i.get("fields_alone", len(i["fields"])) for i in items)
    checklist = build_checklist(items, MATERIALS)
    assert checklist.materials_alone == sum(i.get("materials_alone", len(i["materials"]) + len(i.get("uses", [])))
                                            for i in items)
    assert len(checklist.entries) < checklist.materials_alone, "one set of materials: shared ones count once"


def test_every_dictionary_entry_is_used() -> None:
    items = [i for d in DEFINITIONS.values() for i in d["items"]]
    assert set(FIELDS) == {key for i in items for key in i["fields"]}
    assert set(MATERIALS) == {m["key"] for i in items for m in i["materials"]} | {
        key for i in items for key in (*i.get("issues", []), *i.get("uses", []))}
    assert set(LICENCES) == {i["grants"] for i in items if i.get("grants")} | {
        m["elicence"] for m in MATERIALS.values() if m.get("elicence")}


def test_every_bundle_passes_the_catalogue_check(definition: dict[str, Any]) -> None:
    """The same check an administrator's edit goes through: among others, outputs are not inputs
    and every item has a time limit."""
    from engine.domain.catalogue_rules import bundle_definition_problems

    assert bundle_definition_problems(definition, FIELDS, MATERIALS, LICENCES) == {}
    assert definition["subject"] in ("person", "family_event", "enterprise", "new_enterprise")


def test_no_bundle_asks_at_intake_for_what_its_own_items_issue(definition: dict[str, Any]) -> None:
    issued = {key for i in definition["items"] for key in i.get("issues", [])}
    asked = {m["key"] for i in definition["items"] for m in i["materials"]}
    assert not issued & asked


def test_the_construction_permit_pauses_for_expert_review_and_accepts_with_gaps() -> None:
    definition = DEFINITIONS["construction_permit"]
    procedures = [p for i in definition["items"] for p in i.get("special_procedures", [])]
    assert {"name": "专家评审", "pauses_clock": True} in procedures
    assert definition.get("tolerance_days")


@pytest.mark.parametrize("code", BUNDLES)
def test_the_flow_is_what_make_flow_generates(code: str, tmp_path: Path) -> None:
    generated = tmp_path / "flow.bpmn"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_flow.py"), str(BPMN / code / "bundle.json"), "-o", str(generated)],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    shipped = (BPMN / code / "flow.bpmn").read_text(encoding="utf-8")
    assert generated.read_text(encoding="utf-8") == shipped, (
        f"bpmn/{code}/flow.bpmn is out of date: run .venv/bin/python tools/make_flow.py --all")
