"""The window's view of an applicant (shared data, e-licences, bad credit records) and the bad
credit list: an applicant with a record in force gets no 容缺受理 until it is lifted."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import complete, open_task, start
from tests.approvals import approval
from tests.conftest import ADMIN, APPLICANT, CLERK, REVIEWERS, case_body

REF = APPLICANT["id_number"]


def tolerated_body(client: Any) -> tuple[dict[str, Any], str]:
    guide = client.get("/api/bundles/restaurant/guide").json
    secondary = next(m["key"] for m in guide["materials"] if m["kind"] == "secondary")
    body = case_body(client)
    body["materials"][secondary] = "tolerated"
    return body, secondary


def test_the_window_sees_what_an_applicant_holds(client: Any) -> None:
    first = client.get(f"/api/applicants/{REF}", headers=CLERK)
    assert first.status_code == 200, first.json
    assert first.json["licences"] == [] and first.json["person"] is None and first.json["tolerance_allowed"] is True

    case = start(client)
    number = case["number"]
    licence = {"decision": "approve", "licence_number": "91350100M000100Y43"}
    assert complete(client, open_task(client, number, "cy.yyzz"), licence, REVIEWERS["scjg"]).status_code == 200
    for _ in range(2):  # the food permit opens after the business licence
        for task in client.get(f"/api/tasks?case={number}").json["items"]:
            if task["kind"] == "approval":
                done = complete(client, task, approval(task), REVIEWERS[task["department"]])
                assert done.status_code == 200
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert handed.status_code == 200

    held = client.get(f"/api/applicants/{REF.lower()}", headers=CLERK).json
    assert held["ref"] == REF and held["person"]["name"] == APPLICANT["name"]
    licences = {lic["type"]: lic for lic in held["licences"]}
    assert licences["business_licence"]["number"] == "91350100M000100Y43"
    assert all(lic["case_id"] == case["id"] for lic in held["licences"])


def test_bad_credit_means_no_tolerance_until_lifted(client: Any) -> None:
    body, secondary = tolerated_body(client)
    listed = client.post(f"/api/applicants/{REF}/credit", json={"reason": "虚假承诺", "source": "信用中国"},
                         headers=ADMIN)
    assert listed.status_code == 201, listed.json
    assert listed.json["in_force"] and listed.json["listed_by"] == "sun.office"

    assert client.get(f"/api/bundles/restaurant/form?applicant={REF}", headers=CLERK).json["tolerance_allowed"] is False
    assert client.get(f"/api/applicants/{REF}", headers=CLERK).json["bad_credit"][0]["reason"] == "虚假承诺"
    refused = client.post("/api/cases", json=body, headers=CLERK)
    assert refused.status_code == 422
    assert "不良信用" in refused.json["errors"][f"materials.{secondary}"][0]
    assert client.get("/api/cases").json["total"] == 0

    assert client.delete(f"/api/applicants/{REF}/credit", headers=ADMIN).json == {"lifted": 1}
    accepted = client.post("/api/cases", json=body, headers=CLERK)
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["materials"][secondary] == "tolerated"

    history = client.get(f"/api/applicants/{REF}/credit", headers=ADMIN).json
    assert len(history) == 1 and history[0]["in_force"] is False and history[0]["lifted_by"] == "sun.office"
    audit = [e["type"] for e in client.get("/api/audit/events", headers=ADMIN).json]
    assert "BadCreditListed" in audit and "BadCreditLifted" in audit


def test_bad_applicant_input_is_refused(client: Any) -> None:
    wrong = client.get("/api/applicants/110105194912310021", headers=CLERK)  # wrong check digit
    assert wrong.status_code == 422 and "ref" in wrong.json["errors"]
    empty = client.post(f"/api/applicants/{REF}/credit", json={"reason": " ", "source": "信用中国"}, headers=ADMIN)
    assert empty.status_code == 422 and "reason" in empty.json["errors"]
    missing = client.post(f"/api/applicants/{REF}/credit", json={"source": "信用中国"}, headers=ADMIN)
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    nothing = client.delete(f"/api/applicants/{REF}/credit", headers=ADMIN)
    assert nothing.status_code == 404
    assert client.get(f"/api/applicants/{REF}/credit", headers=ADMIN).json == []
