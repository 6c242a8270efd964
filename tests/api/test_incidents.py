"""Incidents (issue 21, item 17): a script task that fails at run time no longer leaves its case stuck.
The reviewer's completion that reached it stands, the case halts at the script with an incident open, and
an administrator fixes the flow, moves the case onto the fix and retries; the case then goes on to pickup."""

from __future__ import annotations

from typing import Any

from tests.api.test_flow_admin import RESTAURANT_XML, approve, audit, finish, open_tasks, start, uploaded
from tests.conftest import ADMIN, CLERK, REVIEWERS, SUPERVISOR

JOIN_OUT = '<bpmn:outgoing>f_join</bpmn:outgoing>\n    </bpmn:parallelGateway>'
JOIN_FLOW = '<bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="pickup" />'
PICKUP = '<bpmn:userTask id="pickup"'


def with_fee_script(script: str) -> str:
    """The restaurant flow with a script task 计算规费 (id ``fee``) between the join and the pickup."""
    assert RESTAURANT_XML.count(JOIN_OUT) == RESTAURANT_XML.count(JOIN_FLOW) == RESTAURANT_XML.count(PICKUP) == 1
    task = (f'<bpmn:scriptTask id="fee" name="计算规费"><bpmn:incoming>f_join</bpmn:incoming>'
            f'<bpmn:outgoing>f_fee</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>\n    ')
    xml = RESTAURANT_XML.replace(PICKUP, task + PICKUP)
    xml = xml.replace('<bpmn:incoming>f_join</bpmn:incoming>\n      <bpmn:outgoing>f_pickup',
                      '<bpmn:incoming>f_fee</bpmn:incoming>\n      <bpmn:outgoing>f_pickup')
    return xml.replace(JOIN_FLOW, '<bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="fee" />'
                                  '<bpmn:sequenceFlow id="f_fee" sourceRef="fee" targetRef="pickup" />')


FAILING = with_fee_script("fee = applicant[&quot;fee_code&quot;]")  # no such field: a KeyError at run time
FIXED = with_fee_script("fee = len(applicant[&quot;name&quot;])")


def deploy(client: Any, version: int) -> None:
    answer = client.post(f"/api/flows/restaurant/versions/{version}/deploy", headers=ADMIN)
    assert answer.status_code == 200, answer.json


def approve_all(client: Any, number: str) -> None:
    """Approve every approval as it opens; each answer must be 200 (``approve``)."""
    while approvals := [t for t in open_tasks(client, number) if t["kind"] == "approval"]:
        approve(client, number, approvals[0]["item"])


def halted_case(client: Any) -> str:
    """A case on the failing flow, approved through: the last approval reached the failing script."""
    deploy(client, uploaded(client, FAILING))
    number = start(client)
    approve_all(client, number)  # the last answer is 200 too: the reviewer's decision is taken, not refused
    return number


def open_incidents(client: Any, **query: str) -> list[dict[str, Any]]:
    answer = client.get("/api/incidents", query_string={"status": "open", **query}, headers=ADMIN)
    assert answer.status_code == 200, answer.json
    return list(answer.json["incidents"])


def test_a_failing_script_keeps_the_decision_opens_an_incident_and_a_fixed_version_lets_the_case_go_on(
        client: Any) -> None:
    number = halted_case(client)
    case = client.get(f"/api/cases/{number}").json
    assert all(i["status"] == "approved" for i in case["items"]), case["items"]  # every decision kept
    assert case["status"] == "in_review" and open_tasks(client, number) == []  # halted before the pickup
    assert [i["element_id"] for i in case["incidents"]] == ["fee"]
    opened = next(e for e in case["timeline"] if e["type"] == "IncidentOpened")
    assert opened["data"]["element_name"] == "计算规费" and "fee_code" in opened["data"]["message"]

    [incident] = open_incidents(client)
    assert incident | {"id": 0, "opened_at": None, "message": "", "message_zh": "", "flow_version_id": 0} == {
        "id": 0, "case_id": case["id"], "case_number": number, "bundle_code": "restaurant", "flow_version_id": 0,
        "element_id": "fee", "element_name": "计算规费", "error_type": "expression", "message": "",
        "message_zh": "", "status": "open", "opened_at": None, "opened_by": incident["opened_by"], "attempts": 0,
        "last_attempt_at": None, "resolved_at": None, "resolved_by": None}
    assert "fee_code" in incident["message"] and incident["message_zh"]
    assert open_incidents(client, bundle="renovation") == []
    assert client.get(f"/api/incidents/{incident['id']}", headers=ADMIN).json == incident

    # Retrying before the flow is fixed fails again: the incident stays open, with the attempt counted.
    again = client.post(f"/api/incidents/{incident['id']}/retry", headers=ADMIN)
    assert again.status_code == 200 and again.json["resolved"] is False, again.json
    assert again.json["incident"]["status"] == "open" and again.json["incident"]["attempts"] == 1
    assert open_tasks(client, number) == []

    # The fix: a new version, deployed, the case moved onto it (the halted element may change), retried.
    fixed = uploaded(client, FIXED)
    deploy(client, fixed)
    moved = client.post("/api/flows/restaurant/migration", json={"cases": [number]}, headers=ADMIN).json
    assert [m["case"] for m in moved["moved"]] == [number], moved
    retried = client.post(f"/api/incidents/{incident['id']}/retry", headers=ADMIN)
    assert retried.status_code == 200 and retried.json["resolved"] is True, retried.json
    assert retried.json["incident"]["status"] == "resolved" and retried.json["incident"]["resolved_by"]
    case = client.get(f"/api/cases/{number}").json
    assert case["status"] == "awaiting_pickup" and case["incidents"] == []
    assert [e["type"] for e in case["timeline"] if e["type"].startswith("Incident")] == [
        "IncidentOpened", "IncidentRetryFailed", "IncidentResolved"]
    assert open_incidents(client) == []
    resolved = client.get("/api/incidents?status=resolved", headers=ADMIN).json["incidents"]
    assert [i["id"] for i in resolved] == [incident["id"]]
    assert finish(client, number) == "统一出件"
    assert {e["subject"] for e in audit(client, "IncidentResolved")} == {f"case:{number}"}
    assert client.get("/api/audit/verify", headers=ADMIN).json["ok"] is True


def test_a_parallel_branch_stays_workable_while_another_has_an_incident(client: Any) -> None:
    deploy(client, uploaded(client, with_fee_script("fee = applicant[&quot;fee_code&quot;]")))
    number = start(client)
    approve(client, number, "cy.yyzz")
    assert open_incidents(client) == []  # nothing fails before the join
    approve_all(client, number)
    assert len(open_incidents(client)) == 1  # opened once, at the join's end, not once per branch


def test_only_administrators_see_and_retry_incidents(client: Any) -> None:
    number = halted_case(client)
    [incident] = open_incidents(client)
    for headers in (CLERK, SUPERVISOR, REVIEWERS["scjg"]):
        assert client.get("/api/incidents", headers=headers).status_code == 403
        assert client.get(f"/api/incidents/{incident['id']}", headers=headers).status_code == 403
        assert client.post(f"/api/incidents/{incident['id']}/retry", headers=headers).status_code == 403
    assert client.get("/api/incidents/999999", headers=ADMIN).status_code == 404
    bad = client.get("/api/incidents?status=stuck", headers=ADMIN)
    assert bad.status_code == 422 and set(bad.json) >= {"code", "message", "message_zh", "errors"}
    # An incident holds no form data: only where the flow failed and the error.
    assert not {"form", "applicant", "data"} & set(incident)
    assert number == incident["case_number"]


def test_a_script_failing_right_after_acceptance_still_accepts_the_case_with_an_incident(client: Any) -> None:
    split_in = '<bpmn:incoming>f_intake</bpmn:incoming>'
    assert RESTAURANT_XML.count(split_in) == 1
    xml = RESTAURANT_XML.replace(split_in, '<bpmn:incoming>f_checked</bpmn:incoming>').replace(
        '<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="split" />',
        '<bpmn:sequenceFlow id="f_intake" sourceRef="intake" targetRef="check" />'
        '<bpmn:sequenceFlow id="f_checked" sourceRef="check" targetRef="split" />').replace(
        PICKUP, '<bpmn:scriptTask id="check" name="受理校验"><bpmn:incoming>f_intake</bpmn:incoming>'
                '<bpmn:outgoing>f_checked</bpmn:outgoing><bpmn:script>ok = 1 / 0</bpmn:script></bpmn:scriptTask>'
                + PICKUP)
    deploy(client, uploaded(client, xml))
    number = start(client)  # 201: the clerk's acceptance is recorded
    case = client.get(f"/api/cases/{number}").json
    assert [i["element_id"] for i in case["incidents"]] == ["check"] and case["open_tasks"] == []
    [incident] = open_incidents(client)
    assert incident["case_number"] == number and incident["opened_by"] == "wang.window"


def test_an_error_quoting_a_personal_number_is_masked_for_the_administrator(client: Any) -> None:
    deploy(client, uploaded(client, with_fee_script("fee = int(applicant[&quot;phone&quot;] + &quot; 号&quot;)")))
    number = start(client)
    approve_all(client, number)
    [incident] = open_incidents(client)
    phone = str(client.get(f"/api/cases/{number}", headers=CLERK).json["applicant"]["phone"])
    listed = str(incident) + str(client.get(f"/api/incidents/{incident['id']}", headers=ADMIN).json)
    assert phone not in listed and phone[:3] + "****" + phone[-4:] in incident["message"], incident
