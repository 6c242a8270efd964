"""A task's clock after it changes: a head's extension shows in the limits, the due days and the
working days left alike, wherever the task is shown (inbox, task, case), and the ticker neither
counts it twice nor measures the warnings against the old limit; a statutory due day in a year
without official holiday data is flagged even when the promised one is not.

Working days after Thu 2026-09-24 (the FakeClock's start): 09-28 (1), 09-29 (2), 09-30 (3),
10-08 (4), 10-09 (5), Sat 10-10 (6), 10-12 (7) … 10-16 (11), 10-19 (12) … 10-23 (16), 10-26 (17)."""

from __future__ import annotations

from typing import Any

from engine.bootstrap import OneThingEngine
from engine.services.timers import tick
from tests.api.test_case_journey import open_task, start
from tests.api.test_clocks_api import shanghai
from tests.conftest import ADMIN, HEADERS, REVIEWERS, SUPERVISOR, FakeClock

HEAD = HEADERS["scjg.head"]
SHOWN = ("limit_days", "due_on", "statutory_days", "statutory_due_on", "remaining_days", "colour",
         "unconfirmed_years")


def shown_everywhere(client: Any, number: str, task_id: str) -> list[dict[str, Any]]:
    """The task's clock as the inbox, the task itself and the case (open and all tasks) show it."""
    inbox = next(t for t in client.get(f"/api/tasks?case={number}").json["items"] if t["id"] == task_id)
    case = client.get(f"/api/cases/{number}").json
    views = [inbox, client.get(f"/api/tasks/{task_id}").json,
             next(t for t in case["open_tasks"] if t["id"] == task_id),
             next(t for t in case["tasks"] if t["id"] == task_id)]
    return [{k: v["clock"][k] for k in SHOWN} for v in views]


def test_an_extension_shows_in_the_limits_the_due_days_and_the_days_left(client: Any, engine: OneThingEngine,
                                                                        clock: FakeClock) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")  # promised 1 working day, statutory 3
    before = {k: licence["clock"][k] for k in SHOWN}
    assert before == {"limit_days": 1, "due_on": "2026-09-28", "statutory_days": 3,
                      "statutory_due_on": "2026-09-30", "remaining_days": 1, "colour": "green",
                      "unconfirmed_years": []}
    extended = client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 14, "reason": "需现场核查"},
                           headers=HEAD)
    assert extended.status_code == 200, extended.json
    # 1 + 14 = 15 working days: 10-22; the statutory 3 + 14 = 17: 10-26. 15 left after 09-24, and
    # a limit of 15 turns yellow at 3 days left (20%), not at 2.
    after = {"limit_days": 15, "due_on": "2026-10-22", "statutory_days": 17, "statutory_due_on": "2026-10-26",
             "remaining_days": 15, "colour": "green", "unconfirmed_years": []}
    assert {k: extended.json["clock"][k] for k in SHOWN} == after
    assert shown_everywhere(client, case["number"], licence["id"]) == [after] * 4

    # Three working days left (10-20, 10-21, 10-22): yellow on the extended limit, in the views and
    # for the ticker alike; the ticker keeps the due day where the extension put it.
    clock.now = shanghai("2026-10-19", 10)
    assert case["number"] in tick(engine.ctx).clocks
    yellow = {**after, "remaining_days": 3, "colour": "yellow"}
    assert shown_everywhere(client, case["number"], licence["id"]) == [yellow] * 4
    warnings = client.get("/api/supervision/warnings?department=scjg", headers=SUPERVISOR).json["items"]
    latest = next(w for w in warnings if w["task_id"] == licence["id"])
    assert (latest["previous"], latest["colour"], latest["due_on"], latest["remaining_days"]) == \
        ("green", "yellow", "2026-10-22", 3)
    assert tick(engine.ctx).clocks == []  # what the ticker stored is what it reads again
    assert shown_everywhere(client, case["number"], licence["id"]) == [yellow] * 4

    clock.now = shanghai("2026-10-23", 10)
    tick(engine.ctx)
    red = {**after, "remaining_days": -1, "colour": "red"}
    assert shown_everywhere(client, case["number"], licence["id"]) == [red] * 4


def test_a_paused_extended_clock_counts_the_extension_once(client: Any, engine: OneThingEngine,
                                                          clock: FakeClock) -> None:
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")
    assert client.post(f"/api/tasks/{licence['id']}/extend", json={"days": 14, "reason": "需现场核查"},
                       headers=HEAD).status_code == 200
    clock.now = shanghai("2026-09-28", 10)
    assert client.post(f"/api/tasks/{licence['id']}/pause", json={"procedure": "inspection", "reason": "样品送检"},
                       headers=REVIEWERS["scjg"]).status_code == 200
    clock.now = shanghai("2026-09-30", 16)
    resumed = client.post(f"/api/tasks/{licence['id']}/resume", headers=REVIEWERS["scjg"])
    assert resumed.status_code == 200, resumed.json
    # Paused (09-28, 09-30]: 2 working days. 10-22 + 2 = 10-26; statutory 10-26 + 2 = 10-28. The
    # paused task is recomputed from its pauses and extensions on every tick. 14 working days left
    # after 09-30 (10-08 … 10-26).
    expected = {"limit_days": 15, "due_on": "2026-10-26", "statutory_days": 17, "statutory_due_on": "2026-10-28",
                "remaining_days": 14, "colour": "green", "unconfirmed_years": []}
    assert {k: resumed.json["clock"][k] for k in SHOWN} == expected
    clock.now = shanghai("2026-10-21", 10)  # 10-22, 10-23, 10-26 left: yellow
    tick(engine.ctx)
    assert shown_everywhere(client, case["number"], licence["id"]) == \
        [{**expected, "remaining_days": 3, "colour": "yellow"}] * 4
    moved = [e for e in client.get(f"/api/cases/{case['number']}").json["timeline"]
             if e["type"] in ("DeadlineExtended", "ClockResumed")]
    assert [(e["data"]["due_before"], e["data"]["due_on"]) for e in moved] == \
        [("2026-09-28", "2026-10-22"), ("2026-10-22", "2026-10-26")]


def test_a_statutory_due_day_in_an_unconfirmed_year_is_flagged(client: Any, clock: FakeClock) -> None:
    # Accepted Wed 2026-12-30: the business licence's promise (1 working day) ends on 12-31, its
    # statutory limit (3) in 2027, a year the holiday data do not cover yet.
    clock.now = shanghai("2026-12-30", 10)
    case = start(client)
    licence = open_task(client, case["number"], "cy.yyzz")
    shown = shown_everywhere(client, case["number"], licence["id"])
    assert shown[0]["due_on"] == "2026-12-31" and shown[0]["statutory_due_on"].startswith("2027-")
    assert shown[0]["unconfirmed_years"] == [2027] and all(view == shown[0] for view in shown)
    assert client.post("/api/calendar/2027/confirm", headers=ADMIN).status_code == 200
    assert [view["unconfirmed_years"] for view in shown_everywhere(client, case["number"], licence["id"])] == \
        [[]] * 4


def test_a_case_clock_flags_its_statutory_due_day_too(client: Any, clock: FakeClock) -> None:
    # Accepted Mon 2026-12-14: the case's promise (the business licence, then the longest of the
    # items after it: 1 + 10 working days) ends on 12-29, its statutory limit (3 + 20) in 2027.
    clock.now = shanghai("2026-12-14", 10)
    case = client.get(f"/api/cases/{start(client)['number']}").json
    assert case["clock"]["due_on"] == "2026-12-29" and case["clock"]["statutory_due_on"].startswith("2027-")
    assert case["clock"]["unconfirmed_years"] == [2027]
    # The business licence's limits (1 and 3) both end in 2026.
    licence = next(t for t in case["open_tasks"] if t["item"] == "cy.yyzz")
    assert licence["clock"]["statutory_due_on"] == "2026-12-17" and licence["clock"]["unconfirmed_years"] == []
    assert client.post("/api/calendar/2027/confirm", headers=ADMIN).status_code == 200
    assert client.get(f"/api/cases/{case['number']}").json["clock"]["unconfirmed_years"] == []


def test_an_overdue_clock_lists_the_years_up_to_today(client: Any, clock: FakeClock) -> None:
    case = start(client)
    health = open_task(client, case["number"], "cy.jkz")  # 5 working days: due 2026-10-09
    clock.now = shanghai("2027-01-05", 10)
    shown = shown_everywhere(client, case["number"], health["id"])
    assert shown[0]["due_on"] == "2026-10-09" and shown[0]["colour"] == "red"
    assert all(view["unconfirmed_years"] == [2027] for view in shown)
