"""Working-day clocks through the API: due days counted by hand across the 2026 Mid-Autumn and
National Day holidays and the adjusted working Saturday of 10-10, pauses for special procedures,
extensions, calendar overrides, and warnings turning yellow then red as time passes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.services.timers import tick
from tests.api.test_case_journey import complete, open_task, start
from tests.approvals import approval
from tests.conftest import ADMIN, CLERK, HEADERS, REVIEWERS, SUPERVISOR, FakeClock

HEAD = HEADERS["scjg.head"]

# Accepted Thursday 2026-09-24 09:30 in Shanghai (the FakeClock's start). The acceptance day does
# not count; 09-25 (中秋) and 10-01..10-07 (国庆) are days off; Saturday 10-10 is a working day.
# Working days after 09-24: 09-28 (1), 09-29 (2), 09-30 (3), 10-08 (4), 10-09 (5), 10-10 (6),
# 10-12 (7), 10-13 (8), 10-14 (9), 10-15 (10), 10-16 (11), 10-19 (12), 10-20 (13), 10-21 (14).
# Open at acceptance: the business licence and the health certificate, counted from 09-24.
DUE_AT_ACCEPTANCE = {"cy.yyzz": "2026-09-28",  # promised 1 working day
                     "cy.jkz": "2026-10-09"}   # promised 5
# The outdoor sign, the fire inspection and the food permit wait for the business licence and open
# when 市场监管 approves it: in these tests on its due day, Monday 09-28 at 10:00 (LICENSED). Their
# clocks count from that day, which itself does not count either. Working days after 09-28:
# 09-29 (1), 09-30 (2), 10-08 (3), 10-09 (4), 10-10 (5), 10-12 (6), 10-13 (7), 10-14 (8),
# 10-15 (9), 10-16 (10), 10-19 (11), 10-20 (12), 10-21 (13), 10-22 (14).
LICENSED = "2026-09-28"
DUE_AFTER_LICENCE = {"cy.zp": "2026-10-10",    # promised 5
                     "cy.spjy": "2026-10-13",  # promised 7
                     "cy.xf": "2026-10-16"}    # promised 10


def shanghai(day: str, hour: int) -> datetime:
    """``hour`` o'clock in Shanghai on ``day``, in UTC."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00").astimezone(UTC)


def approve_licence(client: Any, number: str, clock: FakeClock, day: str = LICENSED, hour: int = 10) -> None:
    """市场监管 approves the business licence (with its number) at ``hour`` on ``day``: the sign, the
    fire inspection and the food permit open at that moment."""
    clock.now = shanghai(day, hour)
    licence = open_task(client, number, "cy.yyzz")
    answer = complete(client, licence, approval(licence), REVIEWERS["scjg"])
    assert answer.status_code == 200, answer.json
    # The reviewer is answered the tasks opened in their own department; the supervisor sees all three.
    assert [t["item"] for t in answer.json["opened_tasks"]] == ["cy.spjy"]
    opened = [t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["item"] in DUE_AFTER_LICENCE]
    assert sorted(t["item"] for t in opened) == sorted(DUE_AFTER_LICENCE)


def clock_of(client: Any, number: str, item: str) -> dict[str, Any]:
    clock = open_task(client, number, item)["clock"]
    assert clock is not None
    return clock  # type: ignore[no-any-return]


def test_due_days_match_the_hand_count(client: Any, clock: FakeClock) -> None:
    case = start(client)
    assert sorted(t["item"] for t in case["open_tasks"] if t["kind"] == "approval") == sorted(DUE_AT_ACCEPTANCE)
    for item, due in DUE_AT_ACCEPTANCE.items():
        reading = clock_of(client, case["number"], item)
        assert reading["due_on"] == due, item
        # Every clock starts green, a one-day promise too: its yellow margin is at most half its limit.
        assert reading["colour"] == "green", item
        assert reading["paused"] is False and reading["unconfirmed_years"] == []
    approve_licence(client, case["number"], clock)
    for item, due in DUE_AFTER_LICENCE.items():
        reading = clock_of(client, case["number"], item)
        assert reading["due_on"] == due, item
        assert reading["colour"] == "green", item
        assert reading["paused"] is False and reading["unconfirmed_years"] == []
    # Read on 09-28: 10 working days of 消防 are left, and 4 of 卫健 (09-29, 09-30, 10-08, 10-09).
    assert clock_of(client, case["number"], "cy.xf")["remaining_days"] == 10
    assert clock_of(client, case["number"], "cy.jkz")["remaining_days"] == 4
    # 城管's promise is 5 working days, the law allows 20, both counted from 09-28: 10-10 and, 15
    # working days later (10-12..10-16, 10-19..10-23, 10-26..10-30), 10-30.
    sign = clock_of(client, case["number"], "cy.zp")
    assert (sign["statutory_days"], sign["statutory_due_on"]) == (20, "2026-10-30")
    # The case counts from acceptance over the longest chain of promises: 营业执照 (1) then 消防 (10)
    # = 11, beating 营业执照 then 食品经营许可 (1 + 7 = 8) or 户外招牌 (1 + 5 = 6) and 健康证明 (5);
    # the 11th working day after 09-24 is 10-16.
    assert case["clock"]["limit_days"] == 11 and case["clock"]["due_on"] == "2026-10-16"
    assert case["receipt"]["promised_by"] == "2026-10-16"
    due_days = {**DUE_AT_ACCEPTANCE, **DUE_AFTER_LICENCE}.values()
    assert client.get(f"/api/tasks?case={case['number']}").json["items"][0]["clock"]["due_on"] in due_days


def test_a_pause_moves_the_due_day_by_the_paused_working_days(client: Any, clock: FakeClock) -> None:
    case = start(client)
    approve_licence(client, case["number"], clock, hour=9)  # 消防 opens 09-28 09:00, due 10-16
    fire = open_task(client, case["number"], "cy.xf")
    clock.now = shanghai("2026-09-28", 10)
    paused = client.post(f"/api/tasks/{fire['id']}/pause", json={"procedure": "expert_review",
                                                                 "reason": "组织消防专家评审"}, headers=REVIEWERS["xf"])
    assert paused.status_code == 200, paused.json
    assert paused.json["clock"]["paused"] is True
    again = client.post(f"/api/tasks/{fire['id']}/pause", json={"procedure": "testing", "reason": "检测"},
                        headers=REVIEWERS["xf"])
    assert again.status_code == 409
    clock.now = shanghai("2026-10-09", 16)
    resumed = client.post(f"/api/tasks/{fire['id']}/resume", headers=REVIEWERS["xf"])
    assert resumed.status_code == 200, resumed.json
    # Paused (09-28, 10-09]: 09-29, 09-30, 10-08, 10-09 = 4 working days; 10-16 + 4 working days
    # (10-19, 10-20, 10-21, 10-22) = 10-22.
    assert resumed.json["clock"]["due_on"] == "2026-10-22" and resumed.json["clock"]["paused"] is False
    timeline = client.get(f"/api/cases/{case['number']}").json["timeline"]
    moved = next(e for e in timeline if e["type"] == "ClockResumed")
    assert moved["data"]["due_before"] == "2026-10-16" and moved["data"]["due_on"] == "2026-10-22"
    assert any(e["type"] == "ClockPaused" and e["data"]["label"] == "专家评审" for e in timeline)


def test_only_special_procedures_pause_and_only_a_head_extends(client: Any) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")
    bad = client.post(f"/api/tasks/{licence['id']}/pause", json={"procedure": "tolerance", "reason": "等补件"},
                      headers=REVIEWERS["scjg"])
    assert bad.status_code == 422 and "procedure" in bad.json["errors"]
    assert client.post(f"/api/tasks/{licence['id']}/resume", headers=REVIEWERS["scjg"]).status_code == 409
    assert client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 2, "reason": "复杂"},
                       headers=REVIEWERS["scjg"]).status_code == 403
    zero = client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 0, "reason": "复杂"}, headers=HEAD)
    assert zero.status_code == 422 and "days" in zero.json["errors"]
    # 09-28 + 6 working days: 09-29, 09-30, 10-08, 10-09, 10-10 (调休上班), 10-12.
    extended = client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 6, "reason": "需现场核查"}, headers=HEAD)
    assert extended.status_code == 200, extended.json
    assert extended.json["clock"]["due_on"] == "2026-10-12"
    pickup = open_task(client, case["number"], "cy.yyzz")
    assert client.post(f"/api/tasks/{pickup['id']}/extend", json={"days": 1, "reason": "x"},
                       headers=REVIEWERS["xf"]).status_code == 403


def test_warnings_turn_yellow_then_red(client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    case = start(client)
    health = open_task(client, case["number"], "cy.jkz")  # 5 working days, due 10-09
    clock.now = shanghai("2026-09-29", 10)  # 3 working days left: green
    tick(engine.ctx)
    assert client.get("/api/supervision/warnings?department=wj", headers=SUPERVISOR).json["total"] == 0
    clock.now = shanghai("2026-09-30", 10)  # 2 left (10-08, 10-09): yellow
    tick(engine.ctx)
    assert clock_of(client, case["number"], "cy.jkz")["colour"] == "yellow"
    yellow = client.get("/api/supervision/warnings?department=wj&colour=yellow", headers=SUPERVISOR).json
    assert yellow["total"] == 1 and yellow["items"][0]["task_id"] == health["id"]
    assert yellow["items"][0]["remaining_days"] == 2 and yellow["items"][0]["previous"] == "green"
    tick(engine.ctx)  # nothing new: the colour did not change
    assert client.get("/api/supervision/warnings?department=wj", headers=SUPERVISOR).json["total"] == 1
    clock.now = shanghai("2026-10-10", 9)  # the Saturday working day after the due day: red
    tick(engine.ctx)
    red = client.get("/api/supervision/warnings?department=wj&colour=red", headers=SUPERVISOR).json
    assert red["total"] == 1 and red["items"][0]["remaining_days"] == -1
    assert clock_of(client, case["number"], "cy.jkz")["colour"] == "red"
    events = [e for e in client.get(f"/api/cases/{case['number']}").json["timeline"]
              if e["type"] == "DeadlineColourChanged" and e["task_id"] == health["id"]]
    assert [(e["data"]["from"], e["data"]["to"]) for e in events] == [("green", "yellow"), ("yellow", "red")]

    warning_id = red["items"][0]["id"]
    acked = client.post(f"/api/supervision/warnings/{warning_id}/acknowledge", headers=SUPERVISOR)
    assert acked.status_code == 200 and acked.json["acknowledged_by"] == "zhou.office"
    left = client.get("/api/supervision/warnings?department=wj&open=true", headers=SUPERVISOR).json
    assert warning_id not in [w["id"] for w in left["items"]]
    # A head sees their own department's queue only.
    assert client.get("/api/supervision/warnings?department=wj", headers=HEAD).status_code == 403
    assert all(w["department"] == "scjg" for w in client.get("/api/supervision/warnings", headers=HEAD).json["items"])
    assert client.get("/api/supervision/warnings?colour=purple", headers=SUPERVISOR).status_code == 422


def test_calendar_overrides_move_due_days(client: Any, clock: FakeClock) -> None:
    case = start(client)
    approve_licence(client, case["number"], clock)  # 消防 opens 09-28, due 10-16
    declared = client.put("/api/calendar/overrides/2026-10-09", json={"kind": "holiday", "reason": "临时闭馆"},
                          headers=ADMIN)
    assert declared.status_code == 200, declared.json
    assert case["number"] in declared.json["cases_updated"]
    # 10-09 off: the fifth working day after 09-24 becomes Saturday 10-10.
    assert clock_of(client, case["number"], "cy.jkz")["due_on"] == "2026-10-10"
    # 消防 (10 after 09-28): 09-29, 09-30, 10-08, 10-10, 10-12, 10-13, 10-14, 10-15, 10-16, 10-19.
    assert clock_of(client, case["number"], "cy.xf")["due_on"] == "2026-10-19"
    worked = client.put("/api/calendar/overrides/2026-10-11", json={"kind": "workday", "reason": "调休上班"},
                        headers=ADMIN)
    assert worked.status_code == 200
    # Sunday 10-11 worked: 09-29, 09-30, 10-08, 10-10, 10-11, 10-12, 10-13, 10-14, 10-15, 10-16.
    assert clock_of(client, case["number"], "cy.xf")["due_on"] == "2026-10-16"
    year = client.get("/api/calendar/2026").json
    assert {"day": "2026-10-09", "kind": "holiday", "reason": "临时闭馆"} in year["overrides"]
    assert "2026-10-11" in year["working_weekends"] and "2026-02-14" in year["working_weekends"]
    assert "2026-02-28" in year["working_weekends"] and "2026-10-09" in year["weekday_days_off"]
    assert year["official"] is True and year["needs_confirmation"] is False
    assert client.delete("/api/calendar/overrides/2026-10-09", headers=ADMIN).status_code == 200
    assert clock_of(client, case["number"], "cy.jkz")["due_on"] == "2026-10-09"
    assert client.delete("/api/calendar/overrides/2026-10-09", headers=ADMIN).status_code == 404
    assert client.put("/api/calendar/overrides/2026-13-01", json={"kind": "holiday", "reason": "x"},
                      headers=ADMIN).status_code == 422
    assert client.put("/api/calendar/overrides/2026-10-20", json={"kind": "rest", "reason": "x"},
                      headers=ADMIN).status_code == 422
    audit = [e["type"] for e in client.get("/api/audit/events", headers=ADMIN).json]
    assert audit.count("CalendarOverridden") == 2 and "CalendarOverrideRemoved" in audit


def test_a_deadline_in_a_year_without_official_data_is_flagged(client: Any, clock: FakeClock) -> None:
    clock.now = shanghai("2026-12-24", 10)
    case = start(client)
    # 消防 opens with the licence on Friday 12-25: 10 working days later is in January 2027.
    approve_licence(client, case["number"], clock, day="2026-12-25")
    fire = clock_of(client, case["number"], "cy.xf")
    assert fire["due_on"].startswith("2027-") and fire["unconfirmed_years"] == [2027]
    assert client.get("/api/calendar/2027").json["needs_confirmation"] is True
    confirmed = client.post("/api/calendar/2027/confirm", headers=ADMIN)
    assert confirmed.status_code == 200 and confirmed.json["confirmed_by"] == "sun.office"
    assert clock_of(client, case["number"], "cy.xf")["unconfirmed_years"] == []
    assert client.post("/api/calendar/1999/confirm", headers=ADMIN).status_code == 422


def test_deciding_ends_a_running_procedure(client: Any, clock: FakeClock) -> None:
    case = start(client)
    approve_licence(client, case["number"], clock)
    fire = open_task(client, case["number"], "cy.xf")
    assert client.post(f"/api/tasks/{fire['id']}/pause", json={"procedure": "inspection", "reason": "检验"},
                       headers=REVIEWERS["xf"]).status_code == 200
    clock.advance(days=3)
    assert complete(client, fire, approval(fire), REVIEWERS["xf"]).status_code == 200
    assert client.get(f"/api/tasks/{fire['id']}", headers=REVIEWERS["xf"]).json["clock"] is None
    assert client.get(f"/api/cases/{case['number']}", headers=CLERK).status_code == 200
