"""网上申请 and 网上预审 over HTTP: the applicant saves the unified form as a draft and submits it; the
window sees it waiting with its age, returns it once with everything to fix (the applicant is told
by SMS and in-app), the applicant fixes and submits again, the window accepts it and the case starts
as at the window, channel online; another applicant sees none of it, and an accepted application
cannot change."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.api.test_applicant_channel import OTHER, PHONE, sign_in
from tests.conftest import CLERK, FakeClock, case_body
from tests.senders import RecordingSender


def test_an_online_application_is_returned_once_fixed_and_accepted(client: Any, engine: OneThingEngine,
                                                                   clock: FakeClock) -> None:
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    headers = sign_in(client, texts, PHONE)
    body = case_body(client)
    application = {"bundle": "restaurant", "applicant": {**body["applicant"], "phone": "13000000000"},
                   "form": {**body["form"], "seats": "很多"}, "materials": body["materials"]}
    draft = client.post("/api/applicant/applications", json=application, headers=headers)
    assert draft.status_code == 201, draft.json
    assert draft.json["status"] == "draft" and draft.json["applicant"]["phone"] == PHONE  # the signed-in number
    number = draft.json["id"]
    assert client.get("/api/online-applications", headers=CLERK).json["applications"] == []  # a draft is private
    submitted = client.post(f"/api/applicant/applications/{number}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert client.put(f"/api/applicant/applications/{number}", json=application, headers=headers).status_code == 409

    clock.advance(minutes=42)
    [waiting] = client.get("/api/online-applications", headers=CLERK).json["applications"]
    assert waiting["id"] == number and waiting["waiting_minutes"] == 42
    wrong = client.post(f"/api/online-applications/{number}/accept", headers=CLERK)
    assert wrong.status_code == 422  # the window's own checks: seats are a number
    returned = client.post(f"/api/online-applications/{number}/return",
                           json={"notice": "座位数须填写实际座位数；请补充经营场所平面图。"}, headers=CLERK)
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    tick(engine.ctx)
    told = [m for m in texts.sent if m.sms_template == "ONETHING_RETURNED"]
    assert len(told) == 1 and "座位数须填写实际座位数" in told[0].text and "开办餐饮店一件事" in told[0].text
    inbox = client.get("/api/applicant/messages", headers=headers).json["messages"]
    assert inbox[0]["kind"] == "returned"

    fixed = client.put(f"/api/applicant/applications/{number}", json={**application, "form": body["form"]},
                       headers=headers)
    assert fixed.status_code == 200 and fixed.json["status"] == "returned"
    client.post(f"/api/applicant/applications/{number}/submit", headers=headers)
    accepted = client.post(f"/api/online-applications/{number}/accept", headers=CLERK)
    assert accepted.status_code == 201, accepted.json
    case_number = accepted.json["case_number"]
    case = client.get(f"/api/cases/{case_number}", headers=CLERK).json
    assert case["channel"] == "online" and case["status"] == "in_review"
    mine = client.get("/api/applicant/applications", headers=headers).json["applications"]
    assert [(a["status"], a["case_number"]) for a in mine] == [("accepted", case_number)]
    assert [c["number"] for c in client.get("/api/applicant/cases", headers=headers).json["cases"]] == [case_number]
    assert client.post(f"/api/online-applications/{number}/accept", headers=CLERK).status_code == 409

    other = sign_in(client, texts, OTHER)
    assert client.get("/api/applicant/applications", headers=other).json["applications"] == []
    assert client.put(f"/api/applicant/applications/{number}", json=application, headers=other).status_code == 404
    assert client.post(f"/api/applicant/applications/{number}/submit", headers=other).status_code == 404
    assert client.post("/api/applicant/applications", json={**application, "bundle": "nope"},
                       headers=other).status_code == 404
    assert client.post("/api/online-applications/1/return", json={"notice": " "}, headers=CLERK).status_code == 422
