"""一次告知 and 一表申请 through the API: the guide, the unified form, and a second case that reuses
the e-licence the first one granted (the founder's form pre-filled, the new enterprise's licence
waived)."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import complete, open_task, start
from tests.approvals import approval
from tests.conftest import APPLICANT, CLERK, REVIEWERS, case_body


def test_the_guide_tells_everything_once(client: Any) -> None:
    guide = client.get("/api/bundles/restaurant/guide").json
    assert [i["code"] for i in guide["items"]] == ["cy.yyzz", "cy.spjy", "cy.zp", "cy.xf", "cy.jkz"]
    spjy = next(i for i in guide["items"] if i["code"] == "cy.spjy")
    assert spjy["requires"] == ["cy.yyzz"] and spjy["statutory_days"] == 10 and spjy["materials"]
    assert guide["form"]["fields_unified"] < guide["form"]["fields_alone"]
    assert guide["materials_unified"] < guide["materials_alone"]
    assert all(m["name"] for m in guide["materials"])
    assert client.get("/api/bundles/nope/guide").status_code == 404


def test_the_unified_form_asks_each_shared_field_once(client: Any) -> None:
    form = client.get("/api/bundles/restaurant/form", headers=CLERK).json
    schema = form["schema"]
    keys = list(schema["properties"])
    assert len(keys) == len(set(keys)) == form["fields_unified"]
    shared = [k for k, p in schema["properties"].items() if len(p["x-asked-by"]) > 1]
    assert "id_number" in shared
    guide = client.get("/api/bundles/restaurant/guide").json
    assert form["fields_unified"] < sum(len(i["fields"]) for i in guide["items"])


def test_a_second_case_reuses_the_business_licence(client: Any) -> None:
    """The restaurant case issues the new enterprise's business licence (its number is the
    enterprise's credit code): an output of that case, never asked of it. The founder's next form
    is pre-filled from what the case granted, and the enterprise's next case (企业信息变更, which
    asks for the licence) has it waived as an e-licence."""
    ref = APPLICANT["id_number"]
    enterprise = "91350100M000100Y43"  # the licence number the first case grants
    before = client.get(f"/api/bundles/restaurant/form?applicant={ref}", headers=CLERK).json
    assert before["licences_held"] == []
    change_before = client.get(f"/api/bundles/company_change/form?applicant={enterprise}", headers=CLERK).json
    assert change_before["licences_held"] == []

    case = start(client)
    number = case["number"]
    licence = open_task(client, number, "cy.yyzz")
    assert complete(client, licence, {"decision": "approve", "licence_number": enterprise},
                    REVIEWERS["scjg"]).status_code == 200
    for task in client.get(f"/api/tasks?case={number}").json["items"]:  # what waited for the licence, and 卫健
        if task["kind"] == "approval":
            assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    assert [t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["kind"] == "approval"] == []
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert any(e["type"] == "ELicencesIssued" for e in handed.json["timeline"])

    after = client.get(f"/api/bundles/restaurant/form?applicant={ref}", headers=CLERK).json
    assert "business_licence" in after["licences_held"]
    assert len(after["prefilled"]) > len(before["prefilled"])
    assert after["prefilled"]["id_number"]["value"] == ref
    assert "business_licence" not in [m["key"] for m in after["materials"]]  # the restaurant never asks for it

    change = client.get(f"/api/bundles/company_change/form?applicant={enterprise}", headers=CLERK).json
    assert "business_licence" in change["licences_held"]
    assert change["materials_to_submit"] < change_before["materials_to_submit"]
    assert len(change["prefilled"]) > len(change_before["prefilled"])
    waived = [m["name"] for m in change["materials"] if m["waived_by_elicence"]]
    assert any("营业执照" in name for name in waived)

    second = case_body(client, "company_change")
    assert second["applicant"]["credit_code"] == enterprise
    second["materials"]["business_licence"] = "elicence"
    accepted = client.post("/api/cases", json=second, headers=CLERK)
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["materials"]["business_licence"] == "elicence"


def test_a_catalogue_edit_reaches_the_form_at_once(client: Any) -> None:
    engine = client.application.extensions["onething"]
    before = client.get("/api/bundles/restaurant/form", headers=CLERK).json["schema"]["properties"]["id_number"]
    with engine.ctx.uow(True) as uow:
        fields = uow.catalogue.entries("field")
        fields["id_number"] = {**fields["id_number"], "label": "法定代表人身份证号码"}
        uow.catalogue.replace("field", fields, engine.ctx.clock().replace(microsecond=1))
        uow.commit()
    after = client.get("/api/bundles/restaurant/form", headers=CLERK).json["schema"]["properties"]["id_number"]
    assert before["title"] != after["title"] == "法定代表人身份证号码"


def test_a_mistyped_applicant_number_is_told_not_ignored(client: Any) -> None:
    answer = client.get("/api/bundles/restaurant/form?applicant=110105194912310021", headers=CLERK)
    assert answer.status_code == 422 and "applicant" in answer.json["errors"]
    assert client.get("/api/bundles/restaurant/form?applicant=91350100M000100Y43", headers=CLERK).status_code == 200
