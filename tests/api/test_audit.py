"""The event log is a hash chain: it verifies as written, and the verify command finds an event
edited, forged or deleted directly in the database and names the first broken link."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from api.cli import main
from engine.bootstrap import OneThingEngine
from engine.domain.audit import event_hash
from tests.api.test_case_journey import approve_licence, complete, open_task, start
from tests.approvals import approval
from tests.conftest import ADMIN, REVIEWERS, SUPERVISOR


def a_few_cases(client: Any) -> str:
    case = start(client)
    approve_licence(client, case["number"])  # the fire inspection waits for the business licence
    assert complete(client, open_task(client, case["number"], "cy.xf"), approval("cy.xf"),
                    REVIEWERS["xf"]).status_code == 200
    start(client)
    return str(case["number"])


def verify(client: Any) -> dict[str, Any]:
    response = client.get("/api/audit/verify", headers=SUPERVISOR)
    assert response.status_code == 200
    return response.json  # type: ignore[no-any-return]


def case_id(engine: OneThingEngine, number: str) -> int:
    with engine.db.connect() as conn:
        return int(conn.execute(text("SELECT id FROM cases WHERE number = :n"), {"n": number}).scalar_one())


def test_the_chain_verifies_as_written(client: Any) -> None:
    a_few_cases(client)
    report = verify(client)
    assert report["ok"] is True and report["broken"] is None
    assert report["chains"] == 3 and report["events"] > 20  # two cases and the account chain


def test_an_event_edited_in_the_database_is_found(client: Any, engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_user = 'someone.else' WHERE case_id = :c AND seq = 3"),
                     {"c": case_id(engine, number)})
    report = verify(client)
    assert report["ok"] is False
    assert report["broken"]["chain"] == f"case {number}" and report["broken"]["seq"] == 3
    assert "does not match" in report["broken"]["problem"]


def test_a_forged_event_with_a_recomputed_unkeyed_hash_is_found_at_itself(client: Any,
                                                                          engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    cid = case_id(engine, number)
    with engine.ctx.uow(False) as uow:
        event = uow.events.for_case(cid)[1]
    event.actor_user = "forger"  # a forger who knows the hash function rewrites the event and its hash
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_user = 'forger', hash = :h WHERE id = :i"),
                     {"h": event_hash(event.prev_hash, event.chained_fields()), "i": event.id})
    broken = verify(client)["broken"]  # the event is keyed: SHA-256 alone no longer passes for its hash
    assert broken["chain"] == f"case {number}" and broken["seq"] == 2
    assert "does not match its hash" in broken["problem"]


def test_a_deleted_event_is_found(client: Any, engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    with engine.db.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = 4"), {"c": case_id(engine, number)})
    broken = verify(client)["broken"]
    assert broken["chain"] == f"case {number}" and broken["seq"] == 5
    assert "expected event 4" in broken["problem"]


def test_the_last_event_deleted_is_found_by_the_head_on_the_case_row(client: Any, engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    cid = case_id(engine, number)
    with engine.db.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = "
                          "(SELECT max(seq) FROM case_events WHERE case_id = :c)"), {"c": cid})
    broken = verify(client)["broken"]
    assert broken["chain"] == f"case {number}" and "chain head" in broken["problem"]


def test_account_events_are_chained_too(client: Any, engine: OneThingEngine) -> None:
    assert client.post("/api/users", headers=ADMIN, json={
        "login": "wu.xf", "name": "吴消防", "department": "xf", "roles": ["reviewer"],
        "password": "first-pass-1"}).status_code == 201
    events = client.get("/api/audit/events", headers=ADMIN).json
    created = next(e for e in events if e["type"] == "UserCreated" and e["subject"] == "user:wu.xf")
    assert created["actor_user"] == "sun.office"
    assert created["actor_address"] == "127.0.0.1" and "password" not in json.dumps(created["data"])
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE audit_events SET data = '{}' WHERE seq = :s"), {"s": created["seq"]})
    broken = verify(client)["broken"]
    assert broken["chain"] == "audit" and broken["seq"] == created["seq"]


def test_the_verify_command_names_the_first_broken_link(client: Any, engine: OneThingEngine, db_url: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    number = a_few_cases(client)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["audit-verify"]) == 0
    assert "audit chain OK" in capsys.readouterr().out
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET data = '{\"decision\": \"approve\"}' "
                          "WHERE case_id = :c AND seq = 2"), {"c": case_id(engine, number)})
    assert main(["audit-verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN in case {number} at event 2" in out
