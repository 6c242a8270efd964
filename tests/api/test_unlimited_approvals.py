"""Every open approval has a clock: the catalogue refuses an item without any time limit, and an
approval without one (a case started under an older definition) is listed apart by supervision,
never counted as green."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from tests.api.test_case_journey import open_task, start
from tests.conftest import ADMIN

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def test_an_item_without_any_time_limit_is_refused(client: Any) -> None:
    edited = json.loads((BPMN / "retirement" / "bundle.json").read_text(encoding="utf-8"))
    payout = next(n for n, i in enumerate(edited["items"]) if i["code"] == "tx.ff")
    edited["items"][payout]["promised_days"] = None
    edited["items"][payout]["statutory_days"] = None
    answer = client.put("/api/bundles/retirement/definition", json={"definition": edited}, headers=ADMIN)
    assert answer.status_code == 422, answer.json
    assert "时限" in answer.json["errors"][f"items[{payout}].promised_days"][0]
    stored = client.get("/api/bundles/retirement/guide").json
    assert next(i for i in stored["items"] if i["code"] == "tx.ff")["promised_days"] == 20


def test_an_approval_without_a_clock_is_not_counted_green(client: Any, engine: OneThingEngine) -> None:
    number = start(client)["number"]
    health = open_task(client, number, "cy.jkz")
    with engine.db.begin() as conn:  # as a case started under a definition from before every item had a limit
        conn.execute(text("UPDATE tasks SET limit_days = NULL, statutory_days = NULL, due_on = NULL, colour = NULL "
                          "WHERE id = :id"), {"id": health["id"]})
    rows = {r["department"]: r for r in client.get("/api/supervision/departments").json["items"]}
    assert rows["wj"]["open"] == {"green": 0, "yellow": 0, "red": 0, "no_limit": 1, "total": 1}
    assert rows["scjg"]["open"]["total"] == 1 and rows["scjg"]["open"]["no_limit"] == 0
