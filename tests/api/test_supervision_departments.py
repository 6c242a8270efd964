"""Each department's on-time rate and open approvals by colour (GET /api/supervision/departments),
and the overdue tasks (GET /api/tasks?colour=red), on SQLite and PostgreSQL: an approval completed
at 23:00 on its due day (Shanghai) is on time, one completed at midnight after it is late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.services.timers import tick
from tests.api.test_case_journey import complete, open_task, start
from tests.api.test_clocks_api import shanghai
from tests.approvals import approval
from tests.conftest import HEADERS, REVIEWERS, FakeClock


def test_on_time_rates_and_open_approvals_by_colour(client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    # Accepted 2026-09-24: 营业执照 due 09-28 and 健康证明 due 10-09 (the 1st and 5th working days
    # after 09-24: 09-28, 09-29, 09-30, 10-08, 10-09). 户外招牌, 食品经营许可 and 消防 open when the
    # licence is approved, 09-28 at 23:00, and count from that day: 09-29 (1), 09-30 (2), 10-08 (3),
    # 10-09 (4), Saturday 10-10 (5: 户外招牌 due), 10-12 (6), 10-13 (7: 食品经营许可 due), 10-14 (8),
    # 10-15 (9), 10-16 (10: 消防 due).
    number = start(client)["number"]
    clock.now = shanghai("2026-09-28", 23)
    assert complete(client, open_task(client, number, "cy.yyzz"), approval("cy.yyzz"),
                    REVIEWERS["scjg"]).status_code == 200
    clock.now = shanghai("2026-10-09", 23) + timedelta(minutes=59)
    assert complete(client, open_task(client, number, "cy.jkz"), approval("cy.jkz"),
                    REVIEWERS["wj"]).status_code == 200
    clock.now = shanghai("2026-10-11", 0)  # the midnight after the sign's due day: late
    assert complete(client, open_task(client, number, "cy.zp"), approval("cy.zp"),
                    REVIEWERS["cg"]).status_code == 200
    # 食品经营许可 (due 10-13) and 消防 (due 10-16) are overdue by Monday 10-19.
    clock.now = shanghai("2026-10-19", 10)
    tick(engine.ctx)

    answer = client.get("/api/supervision/departments")
    assert answer.status_code == 200, answer.json
    rows = {r["department"]: r for r in answer.json["items"]}
    assert set(rows) == {"scjg", "cg", "xf", "wj"}
    assert rows["scjg"]["name"] == "市场监督管理局"
    assert (rows["scjg"]["completed"], rows["scjg"]["on_time"], rows["scjg"]["on_time_rate"]) == (1, 1, 1.0)
    assert (rows["wj"]["completed"], rows["wj"]["on_time"], rows["wj"]["on_time_rate"]) == (1, 1, 1.0)
    assert (rows["cg"]["completed"], rows["cg"]["on_time"], rows["cg"]["on_time_rate"]) == (1, 0, 0.0)
    assert (rows["xf"]["completed"], rows["xf"]["on_time_rate"]) == (0, None)
    # no_limit: open approvals without any time limit (none here: every item has one).
    assert rows["scjg"]["open"] == {"green": 0, "yellow": 0, "red": 1, "no_limit": 0, "total": 1}
    assert rows["xf"]["open"] == {"green": 0, "yellow": 0, "red": 1, "no_limit": 0, "total": 1}
    assert rows["cg"]["open"]["total"] == 0 and rows["cg"]["paused"] == 0

    overdue = client.get("/api/tasks?state=open&colour=red").json["items"]
    assert sorted(t["item"] for t in overdue) == ["cy.spjy", "cy.xf"]
    assert all(t["clock"]["colour"] == "red" and t["clock"]["remaining_days"] < 0 for t in overdue)
    assert client.get("/api/tasks?state=open&colour=green").json["items"] == []

    # A department head sees their own department only.
    own = client.get("/api/supervision/departments", headers=HEADERS["scjg.head"]).json["items"]
    assert [r["department"] for r in own] == ["scjg"]
