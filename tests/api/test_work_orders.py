"""Work orders over HTTP (issue 28): a 12345 hotline ticket raised the day before 国庆 goes through
assignment, a transfer, the department's response and reply and the callback that closes it, every
clock on China's calendar (the holiday skipped, the Saturday 调休 counted); an applicant's poor
rating opens a rectification for the department it names, with its clock; a clock turning red
escalates once; an applicant is told of a reply by SMS, disputes it, and the order goes back; who
sees what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.clocks import SHANGHAI
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.api.test_applicant_channel import sign_in
from tests.approvals import approve_every_item, reviewer_headers
from tests.conftest import ADMIN, APPLICANT, CLERK, HEADERS, REVIEWERS, SUPERVISOR, FakeClock, case_body
from tests.senders import RecordingSender

EVE_OF_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # a Wednesday; Oct 1–7 off, Oct 10 worked


def hotline(client: Any, **extra: Any) -> Any:
    return client.post("/api/work-orders", headers=SUPERVISOR, json={
        "kind": "hotline", "title": "营业执照办理进度咨询无人答复", "description": "来电反映：网上提交后三天无人联系。",
        "name": "刘女士", "phone": "13712345678", "external_number": "12345-20260930-0815", **extra})


def test_a_hotline_ticket_is_assigned_transferred_replied_and_confirmed_on_chinas_calendar(
        client: Any, clock: FakeClock) -> None:
    clock.now = EVE_OF_NATIONAL_DAY
    assert hotline(client, external_number="").status_code == 422  # a 12345 ticket keeps its number
    assert client.post("/api/work-orders", headers=CLERK, json={
        "kind": "hotline", "title": "某", "description": "某", "name": "某", "phone": "1", "external_number": "x",
    }).status_code == 403  # the window does not enter hotline tickets
    raised = hotline(client)
    assert raised.status_code == 201, raised.json
    order = raised.json
    number = order["number"]
    assert number.startswith("GD-20260930-") and order["state"] == "open" and order["kind_name"] == "12345 热线工单"
    assert order["clocks"] == {"response_due": "2026-09-30", "reply_due": "2026-10-10", "close_due": "2026-10-27"}

    assert client.post(f"/api/work-orders/{number}/assign", headers=SUPERVISOR,
                       json={"department": "nowhere"}).status_code == 422
    assigned = client.post(f"/api/work-orders/{number}/assign", headers=SUPERVISOR, json={"department": "cg"})
    assert assigned.status_code == 200 and assigned.json["state"] == "assigned", assigned.json
    scjg, cg = REVIEWERS["scjg"], REVIEWERS["cg"]
    assert client.get(f"/api/work-orders/{number}", headers=scjg).status_code == 404  # not theirs yet
    assert client.post(f"/api/work-orders/{number}/respond", headers=scjg, json={}).status_code == 404
    # 转办: the supervisors move it to the market regulator, with the reason; the clocks run on.
    no_reason = client.post(f"/api/work-orders/{number}/assign", headers=SUPERVISOR, json={"department": "scjg"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    moved = client.post(f"/api/work-orders/{number}/assign", headers=SUPERVISOR,
                        json={"department": "scjg", "reason": "属营业执照登记事项"})
    assert moved.json["department"] == "scjg" and moved.json["clocks"]["reply_due"] == "2026-10-10"
    assert client.get(f"/api/work-orders/{number}", headers=cg).status_code == 404  # no longer theirs
    assert [o["number"] for o in client.get("/api/work-orders?state=open", headers=scjg).json["items"]] == [number]

    responded = client.post(f"/api/work-orders/{number}/respond", headers=scjg, json={"note": "已联系申请人"})
    assert responded.json["state"] == "responded"
    assert client.post(f"/api/work-orders/{number}/respond", headers=scjg, json={}).status_code == 409
    assert client.post(f"/api/work-orders/{number}/reply", headers=scjg, json={"reply": ""}).status_code == 422
    replied = client.post(f"/api/work-orders/{number}/reply", headers=scjg,
                          json={"reply": "已于当日办结营业执照，并电话告知。"})
    assert replied.json["state"] == "replied"
    assert client.post(f"/api/work-orders/{number}/callback", headers=scjg,
                       json={"callback": "x"}).status_code == 403  # the supervisors call back
    closed = client.post(f"/api/work-orders/{number}/callback", headers=SUPERVISOR,
                         json={"callback": "10月8日回访，来电人表示满意"})
    assert closed.json["state"] == "closed" and closed.json["outcome"] == "callback"
    kinds = [e["type"] for e in closed.json["timeline"]]
    assert kinds == ["WorkOrderRaised", "WorkOrderAssigned", "WorkOrderTransferred", "WorkOrderResponded",
                     "WorkOrderReplied", "WorkOrderCalledBack"]
    assert closed.json["timeline"][2]["data"] == {"from": "cg", "to": "scjg", "reason": "属营业执照登记事项"}
    assert client.get("/api/work-orders", headers=ADMIN).status_code == 403


def test_a_red_clock_escalates_once_and_closed_orders_stay_as_they_were(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = EVE_OF_NATIONAL_DAY
    number = hotline(client, department="scjg").json["number"]
    tick(engine.ctx)
    assert client.get(f"/api/work-orders/{number}", headers=SUPERVISOR).json["colour"] == "green"
    clock.now = datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)  # the response was due on the 30th
    report = tick(engine.ctx)
    found = client.get(f"/api/work-orders/{number}", headers=SUPERVISOR).json
    assert report.work_orders == 1 and found["colour"] == "red" and found["escalated_at"] is not None
    assert found["timeline"][-1]["type"] == "WorkOrderEscalated"
    assert found["timeline"][-1]["data"] == {"clock": "response", "due": "2026-09-30"}
    assert tick(engine.ctx).work_orders == 0  # once
    escalated = client.get("/api/work-orders?escalated=true&colour=red", headers=SUPERVISOR).json["items"]
    assert [o["number"] for o in escalated] == [number]
    # Responding late stops the response clock; the reply's (due the 10th) is yellow at most now.
    client.post(f"/api/work-orders/{number}/respond", headers=REVIEWERS["scjg"], json={})
    tick(engine.ctx)
    assert client.get(f"/api/work-orders/{number}", headers=SUPERVISOR).json["colour"] in ("green", "yellow")


def test_a_poor_rating_opens_a_rectification_and_an_online_complaint_is_disputed_then_confirmed(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = datetime(2026, 10, 9, 9, 0, tzinfo=SHANGHAI)
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me = sign_in(client, texts, APPLICANT["phone"])
    number = client.post("/api/cases", json=case_body(client, "newborn"), headers=CLERK).json["number"]
    approve_every_item(client, number, client.get("/api/bundles/newborn/guide", headers=CLERK).json["items"])
    assert client.post(f"/api/cases/{number}/pickup", json={"recipient_name": "陈小明"},
                       headers=CLERK).status_code == 200
    assert client.post(f"/api/applicant/cases/{number}/rating", headers=me, json={
        "rating": 2, "rating_comment": "医保窗口让我跑了两趟", "department": "xf"}).status_code == 422  # not the case's
    rated = client.post(f"/api/applicant/cases/{number}/rating", headers=me, json={
        "rating": 2, "rating_comment": "医保登记让我多跑了一趟", "department": "yb"})
    assert rated.status_code == 201, rated.json
    orders = client.get("/api/work-orders?kind=rectification", headers=SUPERVISOR).json["items"]
    assert len(orders) == 1
    rectification = orders[0]
    assert rectification["case_number"] == number and rectification["rating"] == 2
    assert rectification["department"] == "yb" and rectification["state"] == "assigned"
    assert rectification["clocks"] == {"response_due": "2026-10-10", "reply_due": "2026-10-15",
                                       "close_due": "2026-10-29"}
    yb = reviewer_headers(client, "yb")
    assert [o["number"] for o in client.get("/api/work-orders", headers=yb).json["items"]] == [rectification["number"]]

    # 有诉即办 online: the applicant's complaint, the department's reply disputed, then confirmed.
    complaint = client.post("/api/applicant/work-orders", headers=me, json={
        "kind": "complaint", "title": "社保卡迟迟未寄到", "description": "出件后两周未收到社保卡。", "name": "陈小明",
        "case_number": number})
    assert complaint.status_code == 201, complaint.json
    order = complaint.json["number"]
    assert complaint.json["channel"] == "online" and complaint.json["phone"] == APPLICANT["phone"]
    stranger = sign_in(client, texts, "13900001111")
    assert client.get(f"/api/applicant/work-orders/{order}", headers=stranger).status_code == 404
    assert client.post("/api/applicant/work-orders", headers=stranger, json={
        "kind": "complaint", "title": "某", "description": "某", "name": "某", "case_number": number,
    }).status_code == 404  # not their case
    client.post(f"/api/work-orders/{order}/assign", headers=SUPERVISOR, json={"department": "rs"})
    rs = reviewer_headers(client, "rs")
    client.post(f"/api/work-orders/{order}/reply", headers=rs, json={"reply": "社保卡已制卡，三日内寄出。"})
    tick(engine.ctx)  # the outbox: the applicant is told the reply is there
    told = [m for m in texts.sent if m.sms_template == "ONETHING_WORK_ORDER_REPLIED"]
    assert len(told) == 1 and order in told[0].text and "人力资源和社会保障局" in told[0].text
    assert client.post(f"/api/applicant/work-orders/{order}/confirm", headers=me,
                       json={"satisfied": False}).status_code == 422  # a dispute says why
    disputed = client.post(f"/api/applicant/work-orders/{order}/confirm", headers=me,
                           json={"satisfied": False, "comment": "一周过去仍未收到"})
    assert disputed.json["state"] == "responded" and disputed.json["outcome"] == "disputed"
    client.post(f"/api/work-orders/{order}/reply", headers=rs, json={"reply": "已加急寄出，快递单号 SF123。"})
    confirmed = client.post(f"/api/applicant/work-orders/{order}/confirm", headers=me, json={"satisfied": True})
    assert confirmed.json["state"] == "closed" and confirmed.json["outcome"] == "confirmed"
    mine = client.get("/api/applicant/work-orders", headers=me).json["items"]
    assert {o["number"] for o in mine} == {order, rectification["number"]}
    assert client.get("/api/work-orders", headers=HEADERS["scjg.head"]).json["items"] == []
