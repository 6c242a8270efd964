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


def incremental(client: Any) -> dict[str, Any]:
    response = client.get("/api/audit/verify?incremental=true", headers=SUPERVISOR)
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_the_nightly_run_reads_only_the_chains_that_grew(client: Any, engine: OneThingEngine) -> None:
    """A sound run records every chain's head; the incremental run then reads only the case chains that
    grew since (whole, and their recorded head must still be in them) and skips the rest."""
    number = a_few_cases(client)
    first = incremental(client)  # nothing recorded yet: every chain is read
    assert first["ok"] is True and first["chains"] == 3 and first["skipped"] == 0
    quiet = incremental(client)
    assert quiet["ok"] is True and quiet["chains"] == 1 and quiet["skipped"] == 2  # only the account chain
    third = start(client)  # a new case, and one that grows
    assert complete(client, open_task(client, number, "cy.zp"), approval("cy.zp"), REVIEWERS["cg"]).status_code == 200
    grown = incremental(client)
    assert grown["ok"] is True and grown["chains"] == 3 and grown["skipped"] == 1, grown
    assert incremental(client)["skipped"] == 3

    # An edit in a chain that grows again is found by the nightly run; one in a chain that stays
    # unchanged waits for the full run, which finds it.
    quiet_id, busy_id = case_id(engine, number), case_id(engine, str(third["number"]))
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_user = 'someone.else' WHERE case_id = :c AND seq = 2"),
                     {"c": quiet_id})
    assert incremental(client)["ok"] is True
    full = verify(client)
    assert full["ok"] is False and full["broken"]["chain"] == f"case {number}" and full["skipped"] == 0
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_user = 'clerk' WHERE case_id = :c AND seq = 2"),
                     {"c": quiet_id})
        conn.execute(text("UPDATE case_events SET actor_user = 'someone.else' WHERE case_id = :c AND seq = 1"),
                     {"c": busy_id})
    assert complete(client, open_task(client, str(third["number"]), "cy.jkz"), approval("cy.jkz"),
                    REVIEWERS["wj"]).status_code == 200
    broken = incremental(client)["broken"]
    assert broken["chain"] == f"case {third['number']}" and broken["seq"] == 1


def test_a_chain_rewritten_below_its_verified_head_is_found(client: Any, engine: OneThingEngine) -> None:
    """Deleting the last events of a chain and its head with them: the head the last sound run recorded
    is no longer in the chain. The full run finds it at once; the nightly run when the chain grows
    again (an event then takes the deleted one's place)."""
    number = a_few_cases(client)
    assert incremental(client)["ok"] is True
    cid = case_id(engine, number)
    with engine.db.begin() as conn:
        last = conn.execute(text("SELECT max(seq) FROM case_events WHERE case_id = :c"), {"c": cid}).scalar_one()
        prev = conn.execute(text("SELECT seq, hash FROM case_events WHERE case_id = :c AND seq = :s"),
                            {"s": last - 1, "c": cid}).one()
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = :s"), {"c": cid, "s": last})
        conn.execute(text("UPDATE cases SET event_seq = :s, event_hash = :h WHERE id = :c"),
                     {"s": prev[0], "h": prev[1], "c": cid})
    broken = verify(client)["broken"]
    assert broken["chain"] == f"case {number}" and "the last verification sealed" in broken["problem"]
    assert complete(client, open_task(client, number, "cy.zp"), approval("cy.zp"), REVIEWERS["cg"]).status_code == 200
    broken = incremental(client)["broken"]
    assert broken["chain"] == f"case {number}" and broken["seq"] == last
    assert "differs from the event the last verification sealed" in broken["problem"]


def test_one_case_is_verified_alone_and_a_break_in_another_is_not_its_concern(client: Any,
                                                                              engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    other = start(client)["number"]
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_user = 'someone.else' WHERE case_id = :c AND seq = 2"),
                     {"c": case_id(engine, other)})
    for ref in (number, str(case_id(engine, number))):
        alone = client.get("/api/audit/verify", query_string={"case": ref}, headers=SUPERVISOR).json
        assert alone["ok"] is True and alone["chains"] == 1 and alone["events"] > 10, alone
    broken = client.get("/api/audit/verify", query_string={"case": other}, headers=SUPERVISOR).json
    assert broken["ok"] is False and broken["chains"] == 1 and broken["broken"]["chain"] == f"case {other}"
    assert broken["broken"]["seq"] == 2
    missing = client.get("/api/audit/verify", query_string={"case": "CY-19990101-0001"}, headers=SUPERVISOR)
    assert missing.status_code == 404 and missing.json["message_zh"] == "办件 CY-19990101-0001 不存在"
    both = client.get("/api/audit/verify", query_string={"case": number, "incremental": "true"}, headers=SUPERVISOR)
    assert both.status_code == 422 and "incremental" in both.json["errors"]
