"""Administrators edit the catalogue through the API: valid edits take effect at once and are
audited; invalid ones get field-level answers and change nothing."""

from __future__ import annotations

import copy
from typing import Any

from tests.conftest import ADMIN, CLERK, REVIEWERS


def definition(client: Any) -> dict[str, Any]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bpmn" / "restaurant" / "bundle.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_an_admin_changes_a_promised_limit_and_the_guide_shows_it(client: Any) -> None:
    changed = definition(client)
    changed["items"][2]["promised_days"] = 3
    answer = client.put("/api/bundles/restaurant/definition", json={"definition": changed}, headers=ADMIN)
    assert answer.status_code == 200, answer.json
    sign = next(i for i in client.get("/api/bundles/restaurant/guide").json["items"] if i["code"] == "cy.zp")
    assert sign["promised_days"] == 3
    events = client.get("/api/audit/events", headers=ADMIN).json
    event = next(e for e in events if e["type"] == "BundleDefinitionChanged")
    assert event["subject"] == "bundle:restaurant" and event["data"]["changed"] == ["items"]
    assert client.get("/api/audit/verify", headers=ADMIN).json["ok"] is True


def test_bad_bundle_definitions_are_refused_field_by_field(client: Any) -> None:
    good = definition(client)
    cases = []
    unknown_material = copy.deepcopy(good)
    unknown_material["items"][0]["materials"].append({"key": "no_such_material", "kind": "key"})
    cases.append((unknown_material, "items[0].materials"))
    cycle = copy.deepcopy(good)
    cycle["items"][0]["requires"] = ["cy.spjy"]  # the permit already requires the licence
    cases.append((cycle, "items"))
    dropped = copy.deepcopy(good)
    dropped["items"] = dropped["items"][:4]  # the deployed flow still has the health certificate
    cases.append((dropped, "items"))
    bad_days = copy.deepcopy(good)
    bad_days["items"][1]["statutory_days"] = "ten"
    cases.append((bad_days, "items[1].statutory_days"))
    renamed = {**good, "code": "other"}
    cases.append((renamed, "code"))
    for body, field in cases:
        answer = client.put("/api/bundles/restaurant/definition", json={"definition": body}, headers=ADMIN)
        assert answer.status_code == 422, (field, answer.json)
        assert any(k.startswith(field) for k in answer.json["errors"]), (field, answer.json["errors"])
    guide = client.get("/api/bundles/restaurant/guide").json
    assert [i["code"] for i in guide["items"]] == [i["code"] for i in good["items"]]


def test_dictionary_entries_are_validated_and_reach_the_form(client: Any) -> None:
    label = {"label": "法定代表人身份证号码", "type": "id_number", "group": "申请人", "prefill": "person.id_number"}
    assert client.put("/api/catalogue/fields/id_number", json={"definition": label}, headers=ADMIN).status_code == 200
    form = client.get("/api/bundles/restaurant/form", headers=CLERK).json
    assert form["schema"]["properties"]["id_number"]["title"] == "法定代表人身份证号码"
    assert client.get("/api/catalogue/fields").json["id_number"]["label"] == "法定代表人身份证号码"

    broken = client.put("/api/catalogue/fields/id_number", json={"definition": {"label": "证件", "type": "colour"}},
                        headers=ADMIN)
    assert broken.status_code == 422 and broken.json["errors"]
    material = client.put("/api/catalogue/materials/new_proof",
                          json={"definition": {"name": "新证明", "elicence": "no_such_licence"}}, headers=ADMIN)
    assert material.status_code == 422 and "elicence" in material.json["errors"]
    assert client.put("/api/catalogue/fields/Bad-Key", json={"definition": label}, headers=ADMIN).status_code == 422
    assert client.put("/api/catalogue/colours/red", json={"definition": {}}, headers=ADMIN).status_code == 404
    assert client.put("/api/catalogue/fields/seats_note", json={"definition": label},
                      headers=REVIEWERS["scjg"]).status_code == 403
    assert client.get("/api/catalogue/fields").json["id_number"]["label"] == "法定代表人身份证号码"
