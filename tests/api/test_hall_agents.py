"""帮办代办 over HTTP (issue 27): a hall agent applies for an applicant under a letter of authorization
(授权委托书, kept as a material of the case with its scan) or under the applicant's online consent
(given in their own account, for one bundle at one service point, a week, one case); the agent sees
and adds files to the cases they prepared only; the case closes and its savings count the letter."""

from __future__ import annotations

import io
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from tests.api.point_staff import staff_at
from tests.api.test_applicant_channel import sign_in
from tests.approvals import approve_every_item
from tests.conftest import APPLICANT, CLERK, case_body
from tests.scans import pdf
from tests.senders import RecordingSender


def _upload(client: Any, number: str, key: str, headers: dict[str, str]) -> Any:
    return client.post(f"/api/cases/{number}/materials/{key}/files", headers=headers,
                       data={"file": [(io.BytesIO(pdf(1, "letter")), "letter.pdf")]},
                       content_type="multipart/form-data")


def test_an_agent_applies_under_a_letter_of_authorization_kept_with_its_scan(client: Any) -> None:
    agent = staff_at(client, "agent.hongqi", "window", ["agent"], "hongqi", name="帮办员小周")
    other = staff_at(client, "agent.muye", "window", ["agent"], "muye", name="帮办员小吴")
    tolerated = {**case_body(client, "newborn"), "mandate": "letter"}
    tolerated["materials"] = {**tolerated["materials"], "agent_authorisation": "tolerated"}
    refused = client.post("/api/cases", json=tolerated, headers=agent)
    assert refused.status_code == 422 and "materials.agent_authorisation" in refused.json["errors"]

    started = client.post("/api/cases", json={**case_body(client, "newborn"), "mandate": "letter"}, headers=agent)
    assert started.status_code == 201, started.json
    number = started.json["number"]
    assert started.json["materials"]["agent_authorisation"] == "submitted"
    assert _upload(client, number, "agent_authorisation", agent).status_code == 201
    assert _upload(client, number, "agent_authorisation", other).status_code == 404  # not theirs
    assert client.get(f"/api/cases/{number}", headers=other).status_code == 404
    scans = client.get(f"/api/cases/{number}/files", headers=CLERK).json["materials"]
    assert [m["material"] for m in scans if m["versions"]] == ["agent_authorisation"]

    approve_every_item(client, number, client.get("/api/bundles/newborn/guide", headers=CLERK).json["items"])
    window = staff_at(client, "li.hongqi", "window", ["clerk"], "hongqi")
    assert client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"},
                       headers=window).status_code == 200
    savings = client.get(f"/api/cases/{number}/savings", headers=agent)
    assert savings.status_code == 200, savings.json


def test_an_agent_applies_under_the_applicants_online_consent_once(
        client: Any, engine: OneThingEngine) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me = sign_in(client, texts, APPLICANT["phone"])
    agent = staff_at(client, "agent.hongqi", "window", ["agent"], "hongqi")
    body = {**case_body(client, "newborn"), "mandate": "online"}
    without = client.post("/api/cases", json=body, headers=agent)
    assert without.status_code == 422 and "mandate" in without.json["errors"]

    elsewhere = client.post("/api/applicant/agent-consents", json={"bundle": "newborn", "point": "muye"}, headers=me)
    assert elsewhere.status_code == 201  # the district next door's agents: not this one
    assert client.post("/api/cases", json=body, headers=agent).status_code == 422
    refused = client.post("/api/applicant/agent-consents", json={"bundle": "restaurant", "point": "hongmen"},
                          headers=me)
    assert refused.status_code == 422  # a township does not handle it
    assert client.post("/api/applicant/agent-consents", json={"bundle": "nothing", "point": "hongqi"},
                       headers=me).status_code == 404
    assert client.post("/api/applicant/agent-consents", json={"bundle": "newborn", "point": "hongqi"},
                       headers=CLERK).status_code == 403
    given = client.post("/api/applicant/agent-consents", json={"bundle": "newborn", "point": "hongqi"}, headers=me)
    assert given.status_code == 201 and given.json["state"] == "granted"
    assert given.json["point_name"] == "红旗区政务服务中心"

    started = client.post("/api/cases", json=body, headers=agent)
    assert started.status_code == 201, started.json
    accepted = next(e for e in started.json["timeline"] if e["type"] == "CaseAccepted")
    assert accepted["data"]["agent"]["mandate"] == "online"
    assert accepted["data"]["agent"]["consent"] == str(given.json["id"])
    assert "agent_authorisation" not in started.json["materials"]
    mine = {c["id"]: c for c in client.get("/api/applicant/agent-consents", headers=me).json["consents"]}
    assert mine[given.json["id"]]["state"] == "used" and mine[given.json["id"]]["case_number"] == started.json["number"]
    assert client.delete(f"/api/applicant/agent-consents/{given.json['id']}", headers=me).status_code == 409
    assert client.post("/api/cases", json=body, headers=agent).status_code == 422  # one case per consent

    another = client.post("/api/applicant/agent-consents", json={"bundle": "newborn", "point": "hongqi"}, headers=me)
    withdrawn = client.delete(f"/api/applicant/agent-consents/{another.json['id']}", headers=me)
    assert withdrawn.status_code == 200 and withdrawn.json["state"] == "withdrawn"
    assert client.post("/api/cases", json=body, headers=agent).status_code == 422
    stranger = sign_in(client, texts, "13900001111")
    assert client.delete(f"/api/applicant/agent-consents/{elsewhere.json['id']}", headers=stranger).status_code == 404
