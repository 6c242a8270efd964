"""Bad input gets a 4xx in the one error shape, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.approvals import approval
from tests.conftest import APPLICANT, CLERK, HEADERS, REVIEWERS, case_body


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.json
    body = response.json
    assert set(body) == {"code", "message", "message_zh", "errors"}
    assert body["message"] and body["message_zh"]
    if code:
        assert body["code"] == code
    return body  # type: ignore[no-any-return]


def snapshot(client: Any) -> tuple[Any, ...]:
    cases = client.get("/api/cases").json
    tasks = client.get("/api/tasks?state=completed").json["total"], client.get("/api/tasks").json["total"]
    timelines = [len(client.get(f"/api/cases/{c['id']}").json["timeline"]) for c in cases["items"]]
    return cases["total"], tasks, timelines


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"applicant": APPLICANT}, "bundle"),
        ({"bundle": "restaurant"}, "applicant"),
        ({"bundle": "restaurant", "applicant": {**APPLICANT, "id_number": "110105194912310021"}},
         "applicant.id_number"),
        ({"bundle": "restaurant", "applicant": {**APPLICANT, "phone": "12345"}}, "applicant.phone"),
        ({"bundle": "restaurant", "applicant": {**APPLICANT, "name": 42}}, "applicant"),
        ({"bundle": "restaurant", "applicant": APPLICANT, "colour": "red"}, "colour"),
        ({"bundle": "restaurant", "applicant": APPLICANT, "channel": "fax"}, "channel"),
    ],
)
def test_start_case_with_bad_fields_is_422(client: Any, body: dict[str, Any], field: str) -> None:
    error = assert_error(client.post("/api/cases", json=body, headers=CLERK), 422)
    assert field in error["errors"]
    assert client.get("/api/cases").json["total"] == 0


def test_the_unified_form_and_the_checklist_are_checked_before_acceptance(client: Any) -> None:
    body = case_body(client)
    form, materials = body["form"], body["materials"]
    key_material = next(iter(materials))
    bad = {**body, "form": {**form, "id_number": "110105194912310021", "credit_code": "91350100M000100Y44",
                            "nonsense": 1},
           "materials": {**{k: v for k, v in materials.items() if k != key_material}, "mystery": "submitted"}}
    error = assert_error(client.post("/api/cases", json=bad, headers=CLERK), 422, "invalid_input")
    assert "校验位" in error["errors"]["form.id_number"][0]
    assert "form.credit_code" in error["errors"] and "form.nonsense" in error["errors"]
    assert any("缺少" in m for m in error["errors"][f"materials.{key_material}"])
    assert "materials.mystery" in error["errors"]
    # 容缺: a key material cannot be tolerated; a secondary one can, when every key material is there.
    tolerated_key = {**body, "materials": {**materials, key_material: "tolerated"}}
    assert_error(client.post("/api/cases", json=tolerated_key, headers=CLERK), 422)
    assert client.get("/api/cases").json["total"] == 0
    guide = client.get("/api/bundles/restaurant/guide").json
    secondary = next(m["key"] for m in guide["materials"] if m["kind"] == "secondary")
    accepted = client.post("/api/cases", json={**body, "materials": {**materials, secondary: "tolerated"}},
                           headers=CLERK)
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["materials"][secondary] == "tolerated"
    assert accepted.json["timeline"][0]["data"]["tolerated"] == [secondary]


def test_unknown_bundle_malformed_json_and_anonymous(client: Any, anonymous: Any) -> None:
    assert_error(client.post("/api/cases", json={"bundle": "nope", "applicant": APPLICANT}, headers=CLERK),
                 404, "not_found")
    assert_error(client.post("/api/cases", data="{not json", headers={**CLERK, "Content-Type":
                                                                        "application/json"}), 400)
    assert_error(anonymous.post("/api/cases", json={"bundle": "restaurant", "applicant": APPLICANT}), 401)
    assert_error(client.post("/api/cases", json={"bundle": "restaurant", "applicant": APPLICANT},
                             headers=REVIEWERS["xf"]), 403, "forbidden")
    assert_error(client.get("/api/cases/999"), 404)
    assert_error(client.get("/api/tasks/not-a-task"), 404)
    assert_error(client.post("/api/tasks/not-a-task/complete", json={"decision": "approve"},
                             headers=REVIEWERS["xf"]), 404)
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.delete("/api/cases"), 405)
    assert client.get("/api/cases").json["total"] == 0


def test_another_departments_task_is_404_and_changes_nothing(client: Any) -> None:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    before = snapshot(client)
    assert_error(complete(client, fire, approval(fire), REVIEWERS["scjg"]), 404, "not_found")
    assert_error(client.post(f"/api/tasks/{fire['id']}/claim", headers=REVIEWERS["scjg"]), 404)
    assert snapshot(client) == before
    assert client.get(f"/api/tasks/{fire['id']}").json["state"] == "ready"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "reject"}, "reason"),
        ({"decision": "correct"}, "materials"),
        ({"decision": "approve", "materials": "not a list"}, "materials"),
        ({}, "decision"),
    ],
)
def test_bad_decisions_are_422(client: Any, body: dict[str, Any], field: str) -> None:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    before = snapshot(client)
    error = assert_error(complete(client, fire, body, REVIEWERS["xf"]), 422)
    assert field in error["errors"]
    assert snapshot(client) == before


def test_completing_twice_is_409_and_claim_by_other_is_409(client: Any) -> None:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    assert complete(client, fire, approval(fire), REVIEWERS["xf"]).status_code == 200
    error = assert_error(complete(client, fire, approval(fire), REVIEWERS["xf"]), 409, "conflict")
    assert "already completed" in error["message"]

    sign = open_task(client, case["number"], "cy.zp")
    assert client.post(f"/api/tasks/{sign['id']}/claim", headers=REVIEWERS["cg"]).status_code == 200
    other = HEADERS["cg.other"]
    assert_error(complete(client, sign, approval(sign), other), 409)
    assert_error(client.post(f"/api/tasks/{sign['id']}/claim", headers=other), 409)


def test_supplying_less_than_asked_is_422(client: Any) -> None:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    asked = complete(client, fire, {"decision": "correct", "materials": ["消防安全告知承诺书", "premises_proof"]},
                     REVIEWERS["xf"])
    assert asked.status_code == 200, asked.json
    supply = open_task(client, case["number"], "cy.xf", kind="correction")
    error = assert_error(complete(client, supply, {"supplied": ["fire_safety_commitment"]}, CLERK), 422)
    assert "premises_proof" in error["message"]
    assert_error(complete(client, supply, {"supplied": ["fire_safety_commitment", "premises_proof"]},
                          REVIEWERS["xf"]), 404)  # the window's task


def test_a_correction_names_materials_of_the_item(client: Any) -> None:
    """补正 names the item's own materials, by key or by name; anything else is refused with the
    materials that may be named, and nothing changes."""
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    before = snapshot(client)
    error = assert_error(complete(client, fire, {"decision": "correct", "materials": ["平面图", "sign_design"]},
                                  REVIEWERS["xf"]), 422)
    assert "平面图" in error["message"] and "sign_design" in error["message"]
    assert any("消防安全告知承诺书" in m for m in error["errors"]["materials"])  # by name (issue 22, item 5)
    assert snapshot(client) == before


def test_finished_case_rejects_more_changes(client: Any) -> None:
    case = start(client)
    for _ in range(2):  # the food permit opens after the business licence
        for task in client.get(f"/api/tasks?case={case['number']}").json["items"]:
            assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    assert client.post(f"/api/cases/{case['id']}/pickup", json={"recipient_name": "陈小明"},
                       headers=CLERK).status_code == 200
    assert_error(client.post(f"/api/cases/{case['id']}/pickup", json={"recipient_name": "陈小明"},
                             headers=CLERK), 409)
    completed = client.get(f"/api/tasks?case={case['number']}&state=completed").json["items"]
    done = next(t for t in completed if t["kind"] == "approval")
    assert_error(complete(client, done, approval(done), REVIEWERS[done["department"]]), 409)


def test_idempotency_key_applies_once(client: Any) -> None:
    headers = {**CLERK, "Idempotency-Key": "start-1"}
    body = case_body(client)
    first = client.post("/api/cases", json=body, headers=headers)
    second = client.post("/api/cases", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json["number"] == second.json["number"]
    assert client.get("/api/cases").json["total"] == 1
    assert_error(client.post("/api/cases", json={**body, "channel": "online"}, headers=headers), 422,
                 "idempotency_key_reused")

    health = open_task(client, first.json["number"], "cy.jkz")  # open from acceptance on
    key = {**REVIEWERS["wj"], "Idempotency-Key": "health-approve"}
    approved = approval(health)  # the same body twice: a retry
    assert complete(client, health, approved, key).status_code == 200
    assert complete(client, health, approved, key).status_code == 200
    timeline = client.get(f"/api/cases/{first.json['id']}").json["timeline"]
    assert [e["type"] for e in timeline].count("ItemApproved") == 1


def test_pickup_takes_a_five_level_rating(client: Any) -> None:
    """好差评 at pickup: 1–5, a poor rating with the applicant's reason; refused input changes nothing."""
    case = start(client)
    for _ in range(2):  # the food permit opens after the business licence
        for task in client.get(f"/api/tasks?case={case['number']}").json["items"]:
            assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    url = f"/api/cases/{case['id']}/pickup"
    for body, field in [({"rating": 6}, "rating"), ({"rating": "5"}, "rating"), ({"rating": 2}, "rating_comment")]:
        before = snapshot(client)
        error = assert_error(client.post(url, json={"recipient_name": "陈小明", **body}, headers=CLERK), 422)
        assert field in error["errors"], error
        assert snapshot(client) == before
    done = client.post(url, json={"recipient_name": "陈小明", "rating": 2, "rating_comment": "排队时间长"},
                       headers=CLERK)
    assert done.status_code == 200, done.json
    handed = next(e for e in done.json["timeline"] if e["type"] == "ResultsHandedOver")
    assert handed["data"]["rating"] == 2 and handed["data"]["rating_label"] == "不满意"
    assert handed["data"]["rating_comment"] == "排队时间长"
