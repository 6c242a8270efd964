"""Personal data are masked by what they are, wherever a role that handles no case reads them: the
audit trail, the form, refusal reasons, the timeline's data, rating comments. The roles that handle
the case keep them in full."""

from __future__ import annotations

from typing import Any

from tests.api.test_case_journey import complete, open_task, start
from tests.approvals import approval, resident_id
from tests.conftest import ADMIN, APPLICANT, CLERK, REVIEWERS, SUPERVISOR, case_body

LANDLINE = "0371-63512345"
OTHER_ID = resident_id(7321)
MOBILE = "13912345678"


def test_a_supervisor_reading_audit_events_sees_no_full_id_number(client: Any) -> None:
    ref = APPLICANT["id_number"]
    assert client.post(f"/api/applicants/{ref}/credit", json={"reason": f"代办人 {OTHER_ID} 虚假承诺",
                                                              "source": "信用中国"}, headers=ADMIN).status_code == 201
    assert client.delete(f"/api/applicants/{ref}/credit", headers=ADMIN).status_code == 200
    for who in (SUPERVISOR, ADMIN):
        events = client.get("/api/audit/events", headers=who).json
        credit = [e for e in events if e["type"] in ("BadCreditListed", "BadCreditLifted")]
        assert {e["type"] for e in credit} == {"BadCreditListed", "BadCreditLifted"}
        assert all(e["subject"] == "1101**********002X" for e in credit), credit
        assert ref not in str(events) and OTHER_ID not in str(events)


def test_a_landline_in_the_form_is_masked_for_the_supervisor(client: Any) -> None:
    body = case_body(client)
    assert "phone" in body["form"]
    body["form"]["phone"] = LANDLINE
    case = client.post("/api/cases", json=body, headers=CLERK)
    assert case.status_code == 201, case.json
    supervised = client.get(f"/api/cases/{case.json['number']}", headers=SUPERVISOR).json
    assert supervised["form"]["phone"] == "0371-****2345"
    assert LANDLINE not in str(supervised)
    assert client.get(f"/api/cases/{case.json['number']}", headers=CLERK).json["form"]["phone"] == LANDLINE


def test_a_refusal_reason_with_an_id_number_is_masked_in_the_timeline_and_the_items(client: Any) -> None:
    case = start(client)
    reason = f"经营者 {OTHER_ID}（电话 {MOBILE}）已被列入严重违法失信名单"
    task = open_task(client, case["number"], "cy.yyzz")
    assert complete(client, task, {"decision": "reject", "reason": reason}, REVIEWERS["scjg"]).status_code == 200
    supervised = client.get(f"/api/cases/{case['number']}", headers=SUPERVISOR).json
    refused = next(e for e in supervised["timeline"] if e["type"] == "ItemRejected")
    masked = f"经营者 {OTHER_ID[:4]}**********{OTHER_ID[-4:]}（电话 139****5678）已被列入严重违法失信名单"
    assert refused["data"]["reason"] == masked
    assert next(i for i in supervised["items"] if i["code"] == "cy.yyzz")["reason"] == masked
    assert OTHER_ID not in str(supervised) and MOBILE not in str(supervised)
    for handler in (CLERK, REVIEWERS["scjg"]):  # who handles the case reads what was written
        detail = client.get(f"/api/cases/{case['number']}", headers=handler).json
        assert next(e for e in detail["timeline"] if e["type"] == "ItemRejected")["data"]["reason"] == reason


def test_a_rating_comment_with_a_mobile_number_is_masked_for_the_supervisor(client: Any) -> None:
    case = start(client)
    for _ in range(2):  # the food permit opens after the business licence
        for task in client.get(f"/api/tasks?case={case['number']}").json["items"]:
            assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    comment = f"排队太久，请回电 {MOBILE} 或 {LANDLINE}，邮箱 chen.xm@example.com"
    done = client.post(f"/api/cases/{case['id']}/pickup", headers=CLERK,
                       json={"recipient_name": "陈小明", "rating": 2, "rating_comment": comment})
    assert done.status_code == 200, done.json
    supervised = client.get(f"/api/cases/{case['number']}", headers=SUPERVISOR).json
    handed = next(e for e in supervised["timeline"] if e["type"] == "ResultsHandedOver")
    assert handed["data"]["rating_comment"] == "排队太久，请回电 139****5678 或 0371-****2345，邮箱 c***@example.com"
    assert handed["data"]["rating"] == 2
    clerk = client.get(f"/api/cases/{case['number']}", headers=CLERK).json
    assert next(e for e in clerk["timeline"] if e["type"] == "ResultsHandedOver")["data"]["rating_comment"] == comment
