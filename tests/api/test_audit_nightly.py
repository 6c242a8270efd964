"""The nightly audit run reads only what grew since a sound run: the case chains with events after the
log mark that run recorded, and the account chain from the event it found sound — and still misses no
event a transaction running during that run wrote with a smaller id."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from tests.api.test_audit import a_few_cases, case_id, incremental, verify
from tests.api.test_case_journey import start
from tests.conftest import ADMIN

on_postgres = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])


def add_user(client: Any, login: str) -> int:
    assert client.post("/api/users", headers=ADMIN, json={
        "login": login, "name": "吴消防", "department": "xf", "roles": ["reviewer"],
        "password": "first-pass-1"}).status_code == 201
    events = client.get("/api/audit/events", headers=ADMIN).json
    return int(next(e["seq"] for e in events if e["type"] == "UserCreated" and e["subject"] == f"user:{login}"))


def test_the_account_chain_is_read_from_the_event_found_sound(client: Any, engine: OneThingEngine) -> None:
    a_few_cases(client)
    first = add_user(client, "wu.xf")
    sound = add_user(client, "sun.xf2")  # the account chain's last event when the run below finds it sound
    assert incremental(client)["ok"] is True
    quiet = incremental(client)
    assert quiet["ok"] is True and quiet["chains"] == 1 and quiet["events"] == 1  # the sound event, read again
    later = add_user(client, "qian.xf")
    assert first < sound < later
    with engine.db.begin() as conn:  # before the sound event: the nightly run does not read it, the full run does
        conn.execute(text("UPDATE audit_events SET data = '{}' WHERE seq = :s"), {"s": first})
    nightly = incremental(client)
    assert nightly["ok"] is True and nightly["events"] == later - sound + 1
    broken = verify(client)["broken"]
    assert broken["chain"] == "audit" and broken["seq"] == first
    with engine.db.begin() as conn:  # after it: the nightly run finds it
        conn.execute(text("UPDATE audit_events SET actor_user = 'someone.else' WHERE seq = :s"), {"s": later})
    broken = incremental(client)["broken"]
    assert broken["chain"] == "audit" and broken["seq"] == later


@on_postgres
def test_an_event_committed_after_a_run_that_began_while_it_was_written_is_read(client: Any,
                                                                               engine: OneThingEngine) -> None:
    """A transaction appends to one case's chain (its event takes an id first) and commits only after a
    new case's events (larger ids) were committed and a nightly run read them: the next run still reads
    its chain. Here the appended event is forged, so reading it is seeing it broken."""
    number = a_few_cases(client)
    cid = case_id(engine, number)
    assert incremental(client)["ok"] is True
    with engine.db.connect() as writer:
        writing = writer.begin()
        seq, last_hash = writer.execute(text("SELECT event_seq, event_hash FROM cases WHERE id = :c"),
                                        {"c": cid}).one()
        writer.execute(text(
            "INSERT INTO case_events (case_id, seq, type, actor_user, actor_department, actor_role, data, "
            "occurred_at, prev_hash, hash, hash_scheme) SELECT case_id, :seq, type, actor_user, actor_department, "
            "actor_role, data, occurred_at, :prev, :forged, hash_scheme FROM case_events WHERE case_id = :c "
            "AND seq = :last"), {"c": cid, "seq": seq + 1, "prev": last_hash, "forged": "f" * 64, "last": seq})
        writer.execute(text("UPDATE cases SET event_seq = :s, event_hash = :h WHERE id = :c"),
                       {"s": seq + 1, "h": "f" * 64, "c": cid})
        start(client)  # committed, with larger event ids
        during = incremental(client)
        assert during["ok"] is True and during["chains"] >= 2  # the new case's chain, not the uncommitted event
        writing.commit()
    broken = incremental(client)["broken"]
    assert broken is not None and broken["chain"] == f"case {number}" and broken["seq"] == seq + 1
