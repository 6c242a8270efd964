"""An administrator creates a bundle from the catalogue's items (POST /api/bundles): the definition is
composed from the chosen items, its first flow version generated and stored undeployed; once
deployed, a case runs through it like through a shipped bundle. Bad choices are refused, field by
field, and nothing is stored."""

from __future__ import annotations

from typing import Any

from tests.approvals import number_of, reviewer_headers
from tests.conftest import ADMIN, APPLICANT, CLERK, REVIEWERS, case_body

BAKERY = {"code": "bakery", "name": "开办面包店一件事", "number_prefix": "MB",
          "items": ["cy.yyzz", "cy.spjy", "cy.jkz"]}


def create(client: Any, **body: Any) -> Any:
    return client.post("/api/bundles", json={**BAKERY, **body}, headers=ADMIN)


def codes(client: Any) -> list[str]:
    return sorted(b["code"] for b in client.get("/api/bundles").json)


def test_a_bundle_made_of_catalogue_items_is_deployed_and_a_case_runs_through_it(client: Any) -> None:
    created = create(client)
    assert created.status_code == 201, created.json
    definition = created.json["definition"]
    assert [i["code"] for i in definition["items"]] == ["mb.yyzz", "mb.spjy", "mb.jkz"]
    items = {i["code"]: i for i in definition["items"]}
    assert items["mb.spjy"]["requires"] == ["mb.yyzz"] and items["mb.spjy"]["uses"] == ["business_licence"]
    assert items["mb.spjy"]["statutory_days"] == 10  # the food permit's reviewed limit carries over
    assert definition["subject"] == "new_enterprise" and definition["published"] == []
    assert set(definition["departments"]) == {"window", "scjg", "wj"}
    assert definition["sources"][0].startswith("[E] 由系统管理员于") and "开办餐饮店一件事" in definition["sources"][0]
    assert created.json["version"]["version"] == 1 and created.json["version"]["source"] == "created"
    assert created.json["bundle"]["deployed_version"] is None and created.json["report"]["ok"] is True

    listed = next(b for b in client.get("/api/bundles").json if b["code"] == "bakery")
    assert listed["name"] == "开办面包店一件事" and listed["deployed_version"] is None
    xml = client.get("/api/flows/bakery/versions/1/xml", headers=ADMIN)
    assert xml.status_code == 200 and b'item" value="mb.spjy"' in xml.data

    refused = client.post("/api/cases", json=case_body(client, "restaurant") | {"bundle": "bakery"}, headers=CLERK)
    assert refused.status_code == 409, refused.json  # nothing deployed yet
    assert client.get("/api/public/bundles/bakery/guide").status_code == 404  # applicants see it once deployed
    assert "bakery" not in {b["code"] for b in client.get("/api/public/bundles").json}

    deployed = client.post("/api/flows/bakery/versions/1/deploy", headers=ADMIN)
    assert deployed.status_code == 200, deployed.json
    assert client.get("/api/public/bundles/bakery/guide").json["name"] == "开办面包店一件事"
    started = client.post("/api/cases", json=case_body(client, "bakery"), headers=CLERK)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    assert number.startswith("MB-")
    decided = []
    for _ in range(4):
        tasks = [t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["kind"] == "approval"]
        for task in tasks:
            headers = REVIEWERS.get(task["department"]) or reviewer_headers(client, task["department"])
            number_given = number_of(items[task["item"]].get("grants"), task["item"])
            body = {"decision": "approve", **({"licence_number": number_given} if number_given else {})}
            done = client.post(f"/api/tasks/{task['id']}/complete", json=body, headers=headers)
            assert done.status_code == 200, done.json
            decided.append(task["item"])
    assert decided.index("mb.yyzz") < decided.index("mb.spjy") and sorted(decided) == sorted(items)
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    assert handed.json["status"] == "closed"
    assert {i["code"] for i in handed.json["results"]["granted"]} == set(items)
    audit = [e for e in client.get("/api/audit/events?limit=500", headers=ADMIN).json if e["type"] == "BundleCreated"]
    assert [e["subject"] for e in audit] == ["bundle:bakery"]


def test_links_are_kept_among_the_items_chosen_and_outputs_become_links(client: Any) -> None:
    """The bank account (qk.yh) waits for the seal (qk.yz, not chosen) which waits for the registration:
    it now waits for the registration directly, uses its licence, and asks for the seal at intake; the
    employment registration of 员工录用 asked for a business licence, which this bundle issues."""
    created = client.post("/api/bundles", headers=ADMIN, json={
        "code": "open_and_hire", "name": "开办企业并招用员工一件事", "number_prefix": "KZ", "subject": "new_enterprise",
        "items": ["qk.sldj", "qk.yh", "yg.jydj"]})
    assert created.status_code == 201, created.json
    items = {i["code"]: i for i in created.json["definition"]["items"]}
    assert items["kz.yh"]["requires"] == ["kz.sldj"] and items["kz.yh"]["uses"] == ["business_licence"]
    assert {"key": "company_seal", "kind": "key"} in items["kz.yh"]["materials"]
    assert items["kz.jydj"]["requires"] == ["kz.sldj"] and items["kz.jydj"]["uses"] == ["business_licence"]
    assert "business_licence" not in {m["key"] for m in items["kz.jydj"]["materials"]}


def test_bad_choices_are_refused_field_by_field_and_nothing_is_stored(client: Any) -> None:
    before = codes(client)
    cases = [
        ({"code": "restaurant"}, "code"),
        ({"code": "Bad Code"}, "code"),
        ({"number_prefix": "CY"}, "number_prefix"),
        ({"number_prefix": "m1"}, "number_prefix"),
        ({"name": "bakery"}, "name"),
        ({"name": "开办餐饮店一件事"}, "name"),
        ({"items": ["cy.yyzz", "no.such"]}, "items[1]"),
        ({"items": ["cy.yyzz", "cy.yyzz"]}, "items[1]"),
        ({"items": []}, "items"),
        ({"items": [f"cy.x{n}" for n in range(21)]}, "items"),
        ({"items": ["cy.yyzz", "yg.jydj"]}, "subject"),  # a new and an existing enterprise: say which
        ({"items": ["cy.yyzz", "qk.sldj"]}, "items[1].issues"),  # two items issue the business licence
        ({"subject": "martian"}, "subject"),
        ({"tolerance_days": -1}, "tolerance_days"),
    ]
    for change, field in cases:
        answer = create(client, **change)
        assert answer.status_code == 422, (change, answer.json)
        assert field in answer.json["errors"], (change, answer.json["errors"])
        assert answer.json["message_zh"]
    assert "事项" in create(client, items=[f"cy.x{n}" for n in range(21)]).json["errors"]["items"][0]
    missing = client.post("/api/bundles", json={"code": "x"}, headers=ADMIN)
    assert missing.status_code == 422 and {"name", "number_prefix", "items"} <= set(missing.json["errors"])
    assert client.post("/api/bundles", json=BAKERY, headers=CLERK).status_code == 403
    assert codes(client) == before
    assert create(client).status_code == 201
    again = create(client)
    assert again.status_code == 422 and "code" in again.json["errors"]
