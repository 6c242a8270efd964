"""A first-time applicant — someone the registries and the e-licence library know nothing about,
holding an ID card (and, founding an enterprise, a declared name) — is accepted in every shipped
bundle, and the case goes to pickup: what the bundle's own items issue is handed on inside the
case (联动), never asked for at the window. A refused prerequisite ends the items after it as not
applicable."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from forms.samples import sample_value
from forms.unified import field_def
from tests.approvals import approval, credit_code, pass_inspections, resident_id, reviewer_headers
from tests.conftest import ADMIN, CLERK

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
BUNDLES = sorted(p.parent.name for p in BPMN.glob("*/bundle.json"))
FIELDS = json.loads((BPMN / "catalogue" / "fields.json").read_text(encoding="utf-8"))


def first_time_applicant(subject: str, serial: int) -> dict[str, str]:
    """Nothing but what a person holds: an ID card, a phone, for an enterprise being founded a
    declared name, for an existing enterprise its credit code, for a family event the relation."""
    person = {"name": "林新", "id_number": resident_id(serial), "phone": "13900139000"}
    extra = {"person": {}, "family_event": {"relation": "父亲"},
             "enterprise": {"entity_name": "新乡林新商贸有限公司", "credit_code": credit_code(serial)},
             "new_enterprise": {"entity_name": "林新面馆"}}[subject]
    return {**person, **extra}


def apply(client: Any, code: str, serial: int) -> tuple[dict[str, Any], dict[str, Any]]:
    guide = client.get(f"/api/bundles/{code}/guide").json
    applicant = first_time_applicant(guide["subject"]["kind"], serial)
    form = client.get(f"/api/bundles/{code}/form?applicant={applicant['id_number']}", headers=CLERK).json
    assert form["prefilled"] == {} and form["licences_held"] == [], "a first-time applicant: nothing is held"
    required = set(form["schema"]["required"])
    values = {key: sample_value(field_def(key, FIELDS[key])) for key in form["schema"]["properties"]
              if key in required and key not in applicant}
    issued = {m["key"] for item in guide["items"] for m in item["issues"]}
    checklist = {m["key"] for m in form["materials"]}
    assert not issued & checklist, "the window never asks for what the bundle itself issues"
    body = {"bundle": code, "applicant": applicant, "form": values,
            "materials": dict.fromkeys(checklist, "submitted")}
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    return guide, started.json


@pytest.mark.parametrize("code", BUNDLES)
def test_a_first_time_applicant_gets_through_every_bundle(client: Any, code: str) -> None:
    serial = BUNDLES.index(code) + 1
    guide, case = apply(client, code, serial)
    items = {i["code"]: i for i in guide["items"]}
    decided: list[str] = []
    for _ in range(len(items) + 1):
        pass_inspections(client, case["number"])
        waiting = [t for t in client.get(f"/api/tasks?case={case['number']}&state=open").json["items"]
                   if t["kind"] == "approval"]
        if not waiting:
            break
        for task in waiting:
            item = items[task["item"]]
            assert set(item["requires"]) <= set(decided), f"{item['code']} opened before its prerequisites"
            done = client.post(f"/api/tasks/{task['id']}/complete",
                               json=approval(item["code"], serial=500 + serial),
                               headers=reviewer_headers(client, task["department"]))
            assert done.status_code == 200, done.json
            decided.append(item["code"])
    assert sorted(decided) == sorted(items)
    detail = client.get(f"/api/cases/{case['number']}", headers=CLERK).json
    assert detail["status"] == "awaiting_pickup"
    linked = {e["data"]["item"]: e["data"]["materials"] for e in detail["timeline"] if e["type"] == "OutputsLinked"}
    for item in guide["items"]:
        if item["uses"]:
            received = linked[item["code"]]
            assert {m["material"] for m in received} == {m["key"] for m in item["uses"]}
            assert all(m["from_item"] in decided for m in received)
            granted = {i["code"]: i["licence_number"] for i in detail["items"]}
            assert all(m["licence_number"] == granted[m["from_item"]] for m in received)
    handed = client.post(f"/api/cases/{case['number']}/pickup", json={"recipient_name": "林新"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert handed.json["status"] == "closed"
    assert {i["code"] for i in handed.json["results"]["granted"]} == set(items)


def test_a_refused_business_licence_ends_the_items_that_need_it(client: Any) -> None:
    _, case = apply(client, "restaurant", 40)
    scjg = reviewer_headers(client, "scjg")
    tasks = client.get(f"/api/tasks?case={case['number']}&state=open").json["items"]
    licence = next(t for t in tasks if t["item"] == "cy.yyzz")
    refused = client.post(f"/api/tasks/{licence['id']}/complete",
                          json={"decision": "reject", "reason": "名称不符合规定"}, headers=scjg)
    assert refused.status_code == 200, refused.json
    assert refused.json["opened_tasks"] == []
    open_now = client.get(f"/api/tasks?case={case['number']}&state=open").json["items"]
    assert {t["item"] for t in open_now} == {"cy.jkz"}, "nobody is given the items that need the licence"
    done = client.post(f"/api/tasks/{open_now[0]['id']}/complete",
                       json={"decision": "approve", "licence_number": "JKZ-2026-0040"},
                       headers=reviewer_headers(client, "wj"))
    assert done.status_code == 200, done.json
    detail = client.get(f"/api/cases/{case['number']}", headers=CLERK).json
    assert detail["status"] == "awaiting_pickup"
    not_applicable = {i["code"]: i for i in detail["results"]["not_applicable"]}
    assert set(not_applicable) == {"cy.spjy", "cy.zp", "cy.xf"}
    assert all("营业执照" in i["reason"] and i["status"] == "not_applicable" for i in not_applicable.values())
    assert [i["code"] for i in detail["results"]["refused"]] == ["cy.yyzz"]
    events = [e for e in detail["timeline"] if e["type"] == "ItemNotApplicable"]
    assert {e["data"]["item"] for e in events} == set(not_applicable)
    handed = client.post(f"/api/cases/{case['number']}/pickup", json={"recipient_name": "林新"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert len(handed.json["results"]["not_applicable"]) == 3
    savings = client.get(f"/api/cases/{case['number']}/savings", headers=CLERK).json
    # Alone, nobody applies for a food permit, a sign or a fire inspection without a licence: the
    # baseline is the two items applied for (2 trips each), not the bundle's five.
    assert savings["figures"]["trips"]["baseline"] == 4
    assert savings["figures"]["steps"]["actual"] == 4, "intake, two decisions, pickup: no task for the others"


def test_a_definition_asking_at_intake_for_its_own_output_is_refused(client: Any) -> None:
    definition = copy.deepcopy(client.get("/api/bundles/restaurant/guide").json)
    stored = json.loads((BPMN / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    edited = copy.deepcopy(stored)
    permit = next(i for i in edited["items"] if i["code"] == "cy.spjy")
    permit["materials"].append({"key": "business_licence", "kind": "key"})
    answer = client.put("/api/bundles/restaurant/definition", json={"definition": edited}, headers=ADMIN)
    assert answer.status_code == 422, answer.json
    message = " ".join(m for messages in answer.json["errors"].values() for m in messages)
    assert "business_licence" in message and "cy.yyzz" in message and "cy.spjy" in message
    assert client.get("/api/bundles/restaurant/guide").json == definition, "nothing changed"


def test_a_use_without_its_issuer_as_prerequisite_is_refused(client: Any) -> None:
    edited = json.loads((BPMN / "restaurant" / "bundle.json").read_text(encoding="utf-8"))
    sign = next(i for i in edited["items"] if i["code"] == "cy.zp")
    sign["requires"] = []
    answer = client.put("/api/bundles/restaurant/definition", json={"definition": edited}, headers=ADMIN)
    assert answer.status_code == 422, answer.json
    assert any("前置事项" in m for m in answer.json["errors"]["items[2].uses"])


def test_the_applicant_block_follows_the_bundle_subject(client: Any) -> None:
    founder = first_time_applicant("new_enterprise", 60)
    body = {"bundle": "restaurant", "applicant": {**founder, "credit_code": credit_code(60)},
            "form": {}, "materials": {}}
    refused = client.post("/api/cases", json=body, headers=CLERK)
    assert refused.status_code == 422
    assert "营业执照" in refused.json["errors"]["applicant.credit_code"][0]
    parent = {k: v for k, v in first_time_applicant("family_event", 61).items() if k != "relation"}
    answer = client.post("/api/cases", json={"bundle": "newborn", "applicant": parent, "form": {}, "materials": {}},
                         headers=CLERK)
    assert answer.status_code == 422 and answer.json["errors"]["applicant.relation"] == ["必填"]
    guide = client.get("/api/bundles/newborn/guide").json
    labels = {f["key"]: f["label"] for f in guide["subject"]["applicant_fields"]}
    assert "经营" not in "".join(labels.values()) and "父" in labels["name"]
    form = client.get("/api/bundles/restaurant/form", headers=CLERK).json
    assert "credit_code" not in form["schema"]["properties"], "a new enterprise's credit code is an output"
    assert client.get("/api/cases?bundle=restaurant", headers=CLERK).json["total"] == 0, "nothing was stored"


def test_an_enterprise_is_looked_up_by_its_own_credit_code_and_its_agent_by_id(client: Any, engine: Any) -> None:
    """For an existing enterprise the window looks up the enterprise's credit code, never the
    person's last remembered one, and the person acting for it (经办人) pre-fills their own fields."""
    from engine.domain.records import HolderRecord

    agent = first_time_applicant("enterprise", 70)
    with engine.ctx.uow(True) as uow:
        uow.holders.put(HolderRecord("person", agent["id_number"], "林新", {
            "id_number": agent["id_number"], "phone": "13900139000",
            "credit_code": credit_code(71)}, engine.ctx.clock()))  # the agent's other enterprise
        uow.commit()
    form = client.get(f"/api/bundles/company_change/form?applicant={agent['credit_code']}"
                      f"&agent={agent['id_number']}", headers=CLERK).json
    assert form["prefilled"]["name"]["value"] == "林新" and form["prefilled"]["phone"]["source"] == "person.phone"
    assert "credit_code" not in form["prefilled"], "the other enterprise's code is not this one's"
    bad = client.get(f"/api/bundles/company_change/form?applicant={agent['credit_code']}&agent=123",
                     headers=CLERK)
    assert bad.status_code == 422 and "agent" in bad.json["errors"]
