"""容缺受理: a secondary material may be tolerated at acceptance; it is due within the bundle's
tolerance in working days (holidays skipped, adjusted weekends counted); supplied in time the
case goes on, not supplied the case is terminated with an event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from engine.bootstrap import OneThingEngine
from engine.services.materials import terminate_overdue_cases
from tests.api.test_case_journey import approve_licence, complete, open_task
from tests.approvals import approval
from tests.conftest import CLERK, REVIEWERS, FakeClock, case_body


def tolerated_case(client: Any) -> tuple[dict[str, Any], str]:
    guide = client.get("/api/bundles/restaurant/guide").json
    secondary = next(m["key"] for m in guide["materials"] if m["kind"] == "secondary")
    body = case_body(client)
    body["materials"][secondary] = "tolerated"
    started = client.post("/api/cases", json=body, headers=CLERK)
    assert started.status_code == 201, started.json
    return started.json, secondary


def test_tolerated_materials_are_due_in_working_days_over_the_national_day(client: Any, clock: FakeClock) -> None:
    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai, before 国庆 (Oct 1-7)
    case, secondary = tolerated_case(client)
    assert client.get("/api/bundles/restaurant/guide").json["tolerance_days"] == 1
    # One working day after 9-30, the acceptance day not counted: 10-08, the first working day after the holiday.
    assert case["materials_due"] == "2026-10-08T15:59:59+00:00"
    assert case["materials"][secondary] == "tolerated"
    accepted = case["timeline"][0]
    assert accepted["data"]["tolerated"] == [secondary] and accepted["data"]["materials_due"].startswith("2026-10-08")


def test_not_supplied_in_time_terminates_the_case(client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    case, _ = tolerated_case(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    fire = open_task(client, case["number"], "cy.xf")
    clock.now = datetime(2026, 10, 8, 15, 0, tzinfo=UTC)  # 23:00 on the due day in Shanghai: still in time
    assert terminate_overdue_cases(engine.ctx) == []
    clock.now = datetime(2026, 10, 8, 16, 0, tzinfo=UTC)  # past midnight in Shanghai
    assert terminate_overdue_cases(engine.ctx) == [case["number"]]
    assert terminate_overdue_cases(engine.ctx) == []  # once only

    detail = client.get(f"/api/cases/{case['number']}").json
    assert detail["status"] == "terminated" and detail["open_tasks"] == []
    ended = next(e for e in detail["timeline"] if e["type"] == "CaseTerminated")
    assert ended["data"]["reason"] == "容缺材料逾期未补齐" and ended["data"]["missing"]
    assert complete(client, fire, approval(fire), REVIEWERS["xf"]).status_code == 409
    late = client.post(f"/api/cases/{case['number']}/pickup", json={"recipient_name": "陈小明"}, headers=CLERK)
    assert late.status_code == 409 and "终止" in late.json["message_zh"]
    assert client.get("/api/cases?status=terminated").json["total"] == 1


def test_supplied_in_time_the_case_goes_on(client: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    case, secondary = tolerated_case(client)
    wrong = client.post(f"/api/cases/{case['number']}/materials", json={"supplied": ["business_licence"]},
                        headers=CLERK)
    assert wrong.status_code == 422 and secondary in wrong.json["errors"]["supplied"][0]
    assert client.post(f"/api/cases/{case['number']}/materials", json={"supplied": [secondary]},
                       headers=REVIEWERS["xf"]).status_code == 403
    supplied = client.post(f"/api/cases/{case['number']}/materials", json={"supplied": [secondary]}, headers=CLERK)
    assert supplied.status_code == 200, supplied.json
    assert supplied.json["materials"][secondary] == "submitted" and supplied.json["materials_due"] is None
    clock.now = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    assert terminate_overdue_cases(engine.ctx) == []
    assert client.get(f"/api/cases/{case['number']}").json["status"] == "in_review"


def test_the_tick_command(client: Any, engine: OneThingEngine, db_url: str, clock: FakeClock,
                          monkeypatch: Any, capsys: Any) -> None:
    from api.cli import main

    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    tolerated_case(client)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["tick"]) == 0  # the real clock is far past 2026-10-08
    out = capsys.readouterr().out
    assert "cases terminated: 1" in out and "terminated: " in out


def test_a_correction_that_supplies_a_tolerated_material_settles_it(client: Any, engine: OneThingEngine,
                                                                    clock: FakeClock) -> None:
    """补正 and 容缺 meet: a department asks for the tolerated material; what the window records for
    the correction counts in the checklist, so the case is no longer due to be terminated."""
    clock.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    case, secondary = tolerated_case(client)
    guide = client.get("/api/bundles/restaurant/guide").json
    owner = next(m["items"][0] for m in guide["materials"] if m["key"] == secondary)
    if owner == "cy.spjy":  # the food permit opens once the business licence is decided
        assert complete(client, open_task(client, case["number"], "cy.yyzz"), approval("cy.yyzz"),
                        REVIEWERS["scjg"]).status_code == 200
    task = open_task(client, case["number"], owner)
    asked = complete(client, task, {"decision": "correct", "materials": [secondary]}, REVIEWERS[task["department"]])
    assert asked.status_code == 200, asked.json
    supply = open_task(client, case["number"], owner, kind="correction")
    assert complete(client, supply, {"supplied": [secondary]}, CLERK).status_code == 200

    detail = client.get(f"/api/cases/{case['number']}").json
    assert detail["materials"][secondary] == "submitted" and detail["materials_due"] is None
    clock.now = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # past the original due date
    assert terminate_overdue_cases(engine.ctx) == []
    assert open_task(client, case["number"], owner)["kind"] == "approval"
