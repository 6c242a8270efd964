"""Approving an item that issues a licence needs the licence's number, written as the catalogue says
for its type (a business licence's number is the unified social credit code; a food permit's is JY
and 14 digits); the e-licence store holds only numbers the departments gave, never made-up ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.approvals import approval, credit_code, reviewer_headers
from tests.conftest import ADMIN, CLERK, case_body

LICENCE = credit_code(9001)
FOOD_PERMIT = "JY24107020000017"
ISSUED = text("SELECT type, number FROM elicences WHERE case_id = :c")


def start(client: Any, code: str = "restaurant", **body: Any) -> dict[str, Any]:
    started = client.post("/api/cases", json={**case_body(client, code), **body}, headers=CLERK)
    assert started.status_code == 201, started.json
    return started.json  # type: ignore[no-any-return]


def open_approval(client: Any, number: str, item: str) -> dict[str, Any]:
    tasks = client.get(f"/api/tasks?case={number}&state=open").json["items"]
    return next(t for t in tasks if t["kind"] == "approval" and t["item"] == item)


def complete(client: Any, task: dict[str, Any], body: dict[str, Any]) -> Any:
    return client.post(f"/api/tasks/{task['id']}/complete", json=body,
                       headers=reviewer_headers(client, task["department"]))


def approve_all(client: Any, number: str, numbers: dict[str, str] | None = None) -> None:
    """Approve every approval of the case as it opens, with the numbers given per item, else
    well-formed ones."""
    for _ in range(20):
        waiting = [t for t in client.get(f"/api/tasks?case={number}&state=open").json["items"]
                   if t["kind"] == "approval"]
        if not waiting:
            return
        for task in waiting:
            given = (numbers or {}).get(task["item"])
            body = {"decision": "approve", "licence_number": given} if given else approval(task)
            done = complete(client, task, body)
            assert done.status_code == 200, done.json
    raise AssertionError("approvals kept opening")


def test_an_approval_without_the_number_of_the_licence_it_issues_is_refused_and_changes_nothing(
        client: Any) -> None:
    case = start(client)
    number = case["number"]
    licence = open_approval(client, number, "cy.yyzz")
    before = client.get(f"/api/cases/{number}").json
    for body, says in (({"decision": "approve"}, "营业执照"),
                       ({"decision": "approve", "licence_number": "   "}, "须填写证照编号"),
                       ({"decision": "approve", "licence_number": "92410700MA001"}, "统一社会信用代码"),
                       ({"decision": "approve", "licence_number": "L" * 65}, "64")):
        refused = complete(client, licence, body)
        assert refused.status_code == 422, refused.json
        assert says in refused.json["errors"]["licence_number"][0], refused.json
    assert client.get(f"/api/cases/{number}").json == before, "a refused approval changes nothing"

    done = complete(client, licence, {"decision": "approve", "licence_number": LICENCE.lower()})
    assert done.status_code == 200, done.json
    item = next(i for i in client.get(f"/api/cases/{number}").json["items"] if i["code"] == "cy.yyzz")
    assert item["status"] == "approved" and item["licence_number"] == LICENCE  # a credit code in capitals

    permit = open_approval(client, number, "cy.spjy")
    wrong = complete(client, permit, {"decision": "approve", "licence_number": f"{number}-cy.spjy"})
    assert wrong.status_code == 422 and "编号规则" in wrong.json["errors"]["licence_number"][0]
    assert complete(client, permit, {"decision": "approve", "licence_number": FOOD_PERMIT}).status_code == 200


def test_the_e_licence_store_holds_the_numbers_the_departments_gave(client: Any) -> None:
    case = start(client)
    numbers = {"cy.yyzz": LICENCE, "cy.spjy": FOOD_PERMIT, "cy.zp": "新城招备〔2026〕0031号",
               "cy.xf": "新公消安检字〔2026〕第0007号", "cy.jkz": "豫新健证2026-000123"}
    approve_all(client, case["number"], numbers)
    handed = client.post(f"/api/cases/{case['number']}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    engine = client.application.extensions["onething"]
    with engine.db.connect() as conn:
        stored = dict(conn.execute(ISSUED, {"c": case["id"]}).all())
    assert stored == {"business_licence": LICENCE, "food_permit": FOOD_PERMIT, "sign_permit": numbers["cy.zp"],
                      "fire_safety_inspection": numbers["cy.xf"], "health_certificate": numbers["cy.jkz"]}
    assert not any(n.startswith(case["number"]) for n in stored.values())


def test_an_item_approved_without_a_number_before_numbers_were_required_gets_no_made_up_e_licence(
        client: Any) -> None:
    case = start(client)
    approve_all(client, case["number"])
    engine = client.application.extensions["onething"]
    with engine.db.begin() as conn:  # as an approval recorded before this release left it
        conn.execute(text("UPDATE case_items SET licence_number = NULL WHERE case_id = :c AND item_code = 'cy.zp'"),
                     {"c": case["id"]})
    handed = client.post(f"/api/cases/{case['number']}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    with engine.db.connect() as conn:
        stored = dict(conn.execute(ISSUED, {"c": case["id"]}).all())
    assert "sign_permit" not in stored and len(stored) == 4
    assert not any(n.startswith(case["number"]) for n in stored.values())
    issued = next(e for e in handed.json["timeline"] if e["type"] == "ELicencesIssued")
    assert issued["data"]["unnumbered"] == [{"item": "cy.zp", "type": "sign_permit"}]


def test_an_item_that_issues_no_licence_keeps_a_reference_number_and_needs_none(client: Any) -> None:
    case = start(client, "hiring")
    number = case["number"]
    registration = open_approval(client, number, "yg.jydj")  # 就业登记: no licence
    done = complete(client, registration, {"decision": "approve", "licence_number": "新人社就登〔2026〕12号"})
    assert done.status_code == 200, done.json
    insurance = open_approval(client, number, "yg.sb")
    assert complete(client, insurance, {"decision": "approve"}).status_code == 200
    bad = complete(client, open_approval(client, number, "yg.yb"), {"decision": "approve", "licence_number": "A\tB"})
    assert bad.status_code == 422 and "licence_number" in bad.json["errors"]
    items = {i["code"]: i for i in client.get(f"/api/cases/{number}").json["items"]}
    assert items["yg.jydj"]["licence_number"] == "新人社就登〔2026〕12号"
    assert items["yg.sb"]["licence_number"] is None
    approve_all(client, number)
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200, handed.json
    engine = client.application.extensions["onething"]
    with engine.db.connect() as conn:
        types = [r[0] for r in conn.execute(text("SELECT type FROM elicences WHERE case_id = :c"), {"c": case["id"]})]
    assert types == ["social_security_card"], "a reference number is no e-licence"


def test_the_catalogue_check_refuses_a_number_format_that_is_no_pattern(client: Any) -> None:
    permit = client.get("/api/catalogue/licences").json["food_permit"]
    for bad in ("^JY[0-9]{14$(", 14, "  "):
        refused = client.put("/api/catalogue/licences/food_permit",
                             json={"definition": {**permit, "number_format": bad}}, headers=ADMIN)
        assert refused.status_code == 422, refused.json
        assert refused.json["errors"]["number_format"], refused.json
    assert client.get("/api/catalogue/licences").json["food_permit"] == permit
    changed = client.put("/api/catalogue/licences/sign_permit",
                         json={"definition": {**client.get("/api/catalogue/licences").json["sign_permit"],
                                              "number_format": "^新城招备〔[0-9]{4}〕[0-9]{4}号$"}}, headers=ADMIN)
    assert changed.status_code == 200, changed.json

    case = start(client)
    approve_all(client, case["number"], {"cy.zp": "新城招备〔2026〕0031号"})  # the new pattern, met
    other = start(client)
    licence = open_approval(client, other["number"], "cy.yyzz")
    assert complete(client, licence, approval(licence)).status_code == 200
    sign = open_approval(client, other["number"], "cy.zp")
    refused = complete(client, sign, {"decision": "approve", "licence_number": "CG-2026-0031"})
    assert refused.status_code == 422 and "编号规则" in refused.json["errors"]["licence_number"][0]
