"""The service points and the hall's queue over HTTP: the points a city ships (city, two districts,
three townships) with their hours; tickets only while a hall is open and for what it accepts;
windows call bookings first, then in the order taken; the display reads the calls; waiting times
are measured; administrators edit the points and cannot break the hierarchy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.domain.clocks import SHANGHAI
from engine.domain.model import Actor
from engine.services.bookings import book
from engine.services.hall import take_ticket
from tests.api.point_staff import staff_at
from tests.conftest import ADMIN, CLERK, SUPERVISOR, FakeClock

OPEN = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)  # a Thursday morning
CLERK_ACTOR = Actor("window.clerk", "window", "clerk")


def test_the_points_form_a_hierarchy_with_their_hours(anonymous: Any, clock: FakeClock) -> None:
    clock.now = OPEN
    points = {p["code"]: p for p in anonymous.get("/api/hall/points").json["points"]}
    assert {p["level"] for p in points.values()} == {"city", "county", "township"}
    assert [c for c, p in points.items() if p["level"] == "county"] == ["hongqi", "muye"]
    assert {points[c]["parent"] for c in ("hongmen", "xiaodian")} == {"hongqi"}
    assert points["wangcun"]["parent"] == "muye" and points["xx_city"]["parent"] is None
    assert points["xx_city"]["open_now"] and points["xx_city"]["hours"]["sat"] == ["09:00", "12:00"]
    assert points["hongqi"]["hours"]["sun"] == ["09:00", "12:00"]  # a district open on Sunday morning


def test_windows_call_bookings_first_then_in_order_and_the_wait_is_measured(
        anonymous: Any, client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = OPEN
    taken = [anonymous.post("/api/hall/xx_city/tickets", json={"bundle": "restaurant"}).json for _ in range(3)]
    assert [t["number"] for t in taken] == ["A001", "A002", "A003"] and [t["ahead"] for t in taken] == [0, 1, 2]
    clock.advance(minutes=4)
    slot = datetime(2026, 9, 24, 10, 30, tzinfo=SHANGHAI)
    booking = book(engine.ctx, "xx_city", "newborn", slot, "13800001111", "王芳", CLERK_ACTOR)
    booked = take_ticket(engine.ctx, "xx_city", None, booking.code, "127.0.0.1")
    assert booked.ticket.number == "B001" and booked.ahead == 0 and booked.ticket.bundle_code == "newborn"
    calls = []
    for window in (1, 2, 1, 2):
        clock.advance(minutes=5)
        answer = client.post("/api/hall/xx_city/call", json={"window": window}, headers=CLERK)
        assert answer.status_code == 200, answer.json
        calls.append((answer.json["called"]["number"], answer.json["called"]["window"]))
    assert calls == [("B001", 1), ("A001", 2), ("A002", 1), ("A003", 2)]
    assert client.post("/api/hall/xx_city/call", json={"window": 1}, headers=CLERK).json["called"] is None
    queue = client.get("/api/hall/xx_city/queue", headers=CLERK).json
    assert queue["waiting"] == [] and {t["state"] for t in queue["called"]} == {"called", "served"}
    shown = anonymous.get("/api/hall/xx_city/calls").json["calls"]
    assert [c["number"] for c in shown][:2] == ["A003", "A002"]  # newest first
    waited = client.get("/api/hall/xx_city/waiting?day=2026-09-24", headers=SUPERVISOR).json
    # B001 waited 5 minutes, A001-A003 14, 19 and 24: the median (nearest rank) 14, the 95th percentile 24.
    assert (waited["tickets"], waited["called"], waited["p50_minutes"], waited["p95_minutes"]) == (4, 4, 14.0, 24.0)


def test_bad_tickets_and_calls_are_refused(anonymous: Any, client: Any, clock: FakeClock) -> None:
    clock.now = OPEN
    assert anonymous.post("/api/hall/nowhere/tickets", json={}).status_code == 404
    refused = anonymous.post("/api/hall/hongmen/tickets", json={"bundle": "restaurant"})
    assert refused.status_code == 422 and "不受理" in refused.json["message_zh"]  # a township point
    assert anonymous.post("/api/hall/hongmen/tickets", json={"bundle": "newborn"}).status_code == 201
    clock.now = datetime(2026, 9, 26, 15, 0, tzinfo=SHANGHAI)  # Saturday afternoon: the city hall closed at noon
    closed = anonymous.post("/api/hall/xx_city/tickets", json={})
    assert closed.status_code == 409 and "不在办公时间" in closed.json["message_zh"]
    clock.now = datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)  # 国庆节, a Thursday: a holiday closes the hall
    assert anonymous.post("/api/hall/xx_city/tickets", json={}).status_code == 409
    township = staff_at(client, "li.hongmen", "window", ["clerk"], "hongmen")
    assert client.post("/api/hall/hongmen/call", json={"window": 3}, headers=township).status_code == 422  # two windows
    elsewhere = client.post("/api/hall/hongmen/call", json={"window": 1}, headers=CLERK)  # the city centre's clerk
    assert elsewhere.status_code == 403 and "洪门镇便民服务中心" in elsewhere.json["message_zh"]
    assert client.post("/api/hall/hongmen/call", json={"window": 1}, headers=SUPERVISOR).status_code == 403
    assert client.get("/api/hall/hongmen/queue", headers=SUPERVISOR).status_code == 403


def test_administrators_edit_points_without_breaking_the_hierarchy(client: Any) -> None:
    points = client.get("/api/catalogue/service_points", headers=ADMIN).json
    village = {"name": "某村便民服务站", "level": "village", "parent": "hongmen", "address": "洪门镇某村",
               "hours": {**points["hongmen"]["hours"], "sat": ["09:00", "11:30"]}, "windows": 1, "bundles": ["newborn"]}
    made = client.put("/api/catalogue/service_points/cun_one", json={"definition": village}, headers=ADMIN)
    assert made.status_code == 200, made.json
    wrong = client.put("/api/catalogue/service_points/cun_two", headers=ADMIN,
                       json={"definition": {**village, "parent": "muye"}})  # a village under a district
    assert wrong.status_code == 422 and "parent" in wrong.json["errors"]
    hours = client.put("/api/catalogue/service_points/cun_two", headers=ADMIN,
                       json={"definition": {**village, "hours": {"mon": ["17:00", "09:00"]}}})
    assert hours.status_code == 422 and "hours" in hours.json["errors"]
    broken = client.put("/api/catalogue/service_points/hongmen", headers=ADMIN,
                        json={"definition": {**points["hongmen"], "level": "county", "parent": "xx_city"}})
    assert broken.status_code == 422 and "points.cun_one.parent" in broken.json["errors"]  # its village would hang
    assert client.put("/api/catalogue/service_points/cun_two", headers=ADMIN,
                      json={"definition": {**village, "bundles": ["nope"]}}).status_code == 422
