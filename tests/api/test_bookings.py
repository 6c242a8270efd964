"""预约 over HTTP: the open slots of a point, an applicant's booking (told by SMS, reminded the day
before), a full slot and a fourth open booking refused, a cancellation; at the hall the booking's
code gives a ticket only around its slot; a slot passed without its applicant is a no-show; the
case the window starts from the booking names it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.clocks import SHANGHAI
from engine.domain.notifications import Channel
from engine.services.timers import tick
from tests.api.point_staff import staff_at
from tests.api.test_applicant_channel import OTHER, PHONE, sign_in
from tests.conftest import CLERK, SUPERVISOR, FakeClock, case_body
from tests.senders import RecordingSender

MONDAY = datetime(2026, 9, 21, 9, 0, tzinfo=SHANGHAI)


def slot(hour: int, minute: int = 0, day: int = 22) -> str:
    return datetime(2026, 9, day, hour, minute, tzinfo=SHANGHAI).isoformat()


def test_an_applicant_books_is_reminded_takes_the_booked_ticket_and_the_case_names_the_booking(
        client: Any, anonymous: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = MONDAY
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me = sign_in(client, texts, PHONE)
    offered = anonymous.get("/api/hall/hongmen/slots?bundle=newborn&day=2026-09-22").json["slots"]
    assert offered[0]["time"] == "09:00" and offered[-1]["time"] == "16:30" and offered[0]["free"] == 2
    made = client.post("/api/applicant/bookings", headers=me,
                       json={"point": "hongmen", "bundle": "newborn", "slot": slot(10), "name": "王芳"})
    assert made.status_code == 201, made.json
    booking = made.json
    tick(engine.ctx)
    assert any(m.sms_template == "ONETHING_BOOKED" and booking["code"] in m.text and "洪门镇便民服务中心" in m.text
               for m in texts.sent)
    clock.now = datetime(2026, 9, 21, 18, 0, tzinfo=SHANGHAI)  # the evening before
    tick(engine.ctx)
    reminders = [m for m in texts.sent if m.sms_template == "ONETHING_BOOKING_REMINDER"]
    assert len(reminders) == 1 and "09月22日 10:00" in reminders[0].text
    tick(engine.ctx)
    assert len([m for m in texts.sent if m.sms_template == "ONETHING_BOOKING_REMINDER"]) == 1  # once

    clock.now = datetime(2026, 9, 22, 9, 0, tzinfo=SHANGHAI)  # too early for a 10:00 slot
    early = anonymous.post("/api/hall/hongmen/tickets", json={"booking": booking["code"]})
    assert early.status_code == 409 and "10:00" in early.json["message_zh"]
    clock.now = datetime(2026, 9, 22, 9, 40, tzinfo=SHANGHAI)
    walk_in = anonymous.post("/api/hall/hongmen/tickets", json={"bundle": "newborn"}).json
    ticket = anonymous.post("/api/hall/hongmen/tickets", json={"booking": booking["code"]}).json
    assert ticket["number"] == "B001" and ticket["ahead"] == 0 and walk_in["number"] == "A001"
    assert anonymous.post("/api/hall/hongmen/tickets", json={"booking": booking["code"]}).status_code == 409
    township = staff_at(client, "li.hongmen", "window", ["clerk"], "hongmen")
    called = client.post("/api/hall/hongmen/call", json={"window": 1}, headers=township).json["called"]
    assert called["number"] == "B001" and called["booking"]["name"] == "王芳"

    body = case_body(client, "newborn")
    started = client.post("/api/cases", json={**body, "booking": booking["id"]}, headers=township)
    assert started.status_code == 201, started.json
    served = client.get(f"/api/bookings/{booking['id']}", headers=CLERK).json
    assert served["state"] == "arrived" and served["case_number"] == started.json["number"]
    assert started.json["accepted_point"] == "hongmen"
    waited = client.get("/api/hall/hongmen/waiting?day=2026-09-22", headers=SUPERVISOR).json
    assert waited["tickets"] == 2 and waited["called"] == 1 and waited["accepted"] == 1
    assert waited["to_acceptance_p50_minutes"] == 0  # the fake clock stood still between the call and the intake
    again = client.post("/api/cases", json={**body, "booking": booking["id"]}, headers=township)
    assert again.status_code == 422 and "booking" in again.json["errors"]  # one case per booking


def test_full_slots_too_many_bookings_cancellations_and_no_shows(
        client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = MONDAY
    texts = RecordingSender()
    engine.ctx.senders[Channel.SMS] = texts
    me, other = sign_in(client, texts, PHONE), sign_in(client, texts, OTHER)

    def booking(headers: dict[str, str], at: str, point: str = "hongmen") -> Any:
        return client.post("/api/applicant/bookings", headers=headers,
                           json={"point": point, "bundle": "newborn", "slot": at, "name": "申请人"})

    assert booking(me, slot(9)).status_code == 201
    assert booking(other, slot(9)).status_code == 201
    full = booking(other, slot(9, day=22))  # two windows: the third at 09:00 is refused
    by_phone = client.post("/api/hall/hongmen/bookings", headers=CLERK, json={
        "bundle": "newborn", "slot": slot(9), "name": "李明", "phone": "13600002222"})
    assert full.status_code == 409 and by_phone.status_code == 409, by_phone.json
    assert "约满" in by_phone.json["message_zh"]
    assert booking(me, slot(9, 30)).status_code == 201 and booking(me, slot(10)).status_code == 201
    fourth = booking(me, slot(10, 30))
    assert fourth.status_code == 409 and "3" in fourth.json["message_zh"]
    for bad in (slot(8), slot(9, 15), slot(10, day=27), slot(10, day=10)):  # before hours, off the grid, Sunday, past
        assert booking(other, bad).status_code == 422, bad
    assert booking(other, slot(10), point="nowhere").status_code == 404
    assert client.post("/api/applicant/bookings", headers=other, json={
        "point": "hongmen", "bundle": "restaurant", "slot": slot(10), "name": "某"}).status_code == 422
    mine = client.get("/api/applicant/bookings", headers=me).json["bookings"]
    first = next(b for b in mine if b["starts_at"] == slot(9))
    assert client.delete(f"/api/applicant/bookings/{first['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/applicant/bookings/{first['id']}", headers=me).json["state"] == "cancelled"
    assert booking(other, slot(9)).status_code == 201  # the cancelled seat is free again
    clock.now = datetime(2026, 9, 22, 12, 0, tzinfo=SHANGHAI)
    tick(engine.ctx)
    states = {b["starts_at"]: b["state"] for b in client.get("/api/applicant/bookings", headers=me).json["bookings"]}
    assert states[slot(9, 30)] == "no_show" and states[slot(10)] == "no_show" and states[slot(9)] == "cancelled"
    day = client.get("/api/hall/hongmen/bookings?day=2026-09-22", headers=CLERK).json["bookings"]
    assert len(day) == 5
