"""A forger who can write to the database cannot rewrite the event log unseen: events are signed
with a key the database does not hold, signed checkpoints kept outside seal the chains' heads, and
the case rows must agree with their events."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from api.cli import main
from engine.bootstrap import OneThingEngine, Settings, UnsafeConfiguration, build_engine
from engine.domain.audit import GENESIS, HashScheme, event_hash
from engine.services.audit import verify_audit_chains
from tests.api.test_audit import a_few_cases, case_id, verify
from tests.api.test_case_journey import complete, open_task
from tests.approvals import approval
from tests.conftest import REVIEWERS


def rewrite_unkeyed(engine: OneThingEngine, cid: int, from_seq: int, scheme: int | None,
                    change: dict[str, Any] | None = None) -> None:
    """What a forger who knows SHA-256 but not the key does: change event ``from_seq`` (``change``),
    recompute the unkeyed hash of it and of every later event, set the case row's head; with
    ``scheme`` also mark those events as unkeyed."""
    with engine.ctx.uow(False) as uow:
        events = uow.events.for_case(cid)
    prev = GENESIS if from_seq == 1 else events[from_seq - 2].hash
    with engine.db.begin() as conn:
        for event in events[from_seq - 1:]:
            if event.seq == from_seq and change:
                for name, value in change.items():
                    setattr(event, name, value)
            event.prev_hash, event.hash = prev, event_hash(prev, event.chained_fields())
            conn.execute(text("UPDATE case_events SET actor_user = :u, prev_hash = :p, hash = :h, "
                              "hash_scheme = coalesce(:s, hash_scheme) WHERE id = :i"),
                         {"u": event.actor_user, "p": prev, "h": event.hash, "s": scheme, "i": event.id})
            prev = event.hash
        conn.execute(text("UPDATE cases SET event_hash = :h WHERE id = :c"), {"h": prev, "c": cid})


def test_a_forged_event_with_the_whole_chain_recomputed_is_found(client: Any, engine: OneThingEngine) -> None:
    """The attack that went through with an unkeyed chain: rewrite an event, recompute every hash
    after it and the head on the case row."""
    number = a_few_cases(client)
    rewrite_unkeyed(engine, case_id(engine, number), 2, None, {"actor_user": "forger"})
    broken = verify(client)["broken"]
    assert broken["chain"] == f"case {number}" and broken["seq"] == 2
    assert "does not match its hash" in broken["problem"] and "ONETHING_AUDIT_KEY" in broken["problem"]


def test_forged_events_marked_unkeyed_after_keyed_ones_are_found(client: Any, engine: OneThingEngine) -> None:
    number = a_few_cases(client)
    rewrite_unkeyed(engine, case_id(engine, number), 3, HashScheme.SHA256, {"actor_user": "forger"})
    broken = verify(client)["broken"]
    assert broken["chain"] == f"case {number}" and broken["seq"] == 3
    assert "unkeyed event after keyed ones" in broken["problem"]


def test_a_whole_chain_rewritten_unkeyed_is_found_by_a_checkpoint(
        client: Any, engine: OneThingEngine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    number = a_few_cases(client)
    monkeypatch.setenv("DATABASE_URL", db_url)
    sealed = tmp_path / "checkpoint.json"
    assert main(["audit-checkpoint", "--out", str(sealed)]) == 0
    assert "audit chain OK" in capsys.readouterr().out
    rewrite_unkeyed(engine, case_id(engine, number), 1, HashScheme.SHA256, {"actor_user": "forger"})
    found = verify(client)["broken"]  # the heads the checkpoint's run recorded in the database catch it…
    assert found["chain"] == f"case {number}" and "the last verification sealed" in found["problem"]
    with engine.db.begin() as conn:  # …but whoever rewrites the log can rewrite those too
        conn.execute(text("DELETE FROM audit_verified"))
    report = verify(client)
    assert report["ok"] is True and report["unkeyed"] > 0  # without the checkpoint it looks like an old log
    assert main(["audit-verify", "--checkpoint", str(sealed)]) == 1
    out = capsys.readouterr().out
    assert "signature OK" in out
    assert f"BROKEN in case {number}" in out and "differs from the event the checkpoint sealed" in out


def test_a_checkpoint_changed_or_signed_with_another_key_is_refused(
        client: Any, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    a_few_cases(client)
    monkeypatch.setenv("DATABASE_URL", db_url)
    sealed = tmp_path / "checkpoint.json"
    assert main(["audit-checkpoint", "--out", str(sealed)]) == 0
    assert main(["audit-verify", "--checkpoint", str(sealed)]) == 0
    assert "chain heads as the checkpoint sealed them" in capsys.readouterr().out
    sealed.write_text(sealed.read_text().replace('"audit"', '"case:999"'))
    assert main(["audit-verify", "--checkpoint", str(sealed)]) == 2
    assert "检查点签名校验失败" in capsys.readouterr().err


def test_a_changed_case_status_and_item_are_reported(client: Any, engine: OneThingEngine, db_url: str,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    number = a_few_cases(client)
    cid = case_id(engine, number)
    assert verify(client)["disagreeing"] == 0
    with engine.db.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'closed' WHERE id = :c"), {"c": cid})
        conn.execute(text("UPDATE case_items SET status = 'approved' WHERE case_id = :c AND item_code = 'cy.zp'"),
                     {"c": cid})
    report = verify(client)
    assert report["ok"] is False and report["broken"] is None and report["disagreeing"] == 2
    assert {(d["case"], d["what"], d["row"], d["events"]) for d in report["disagreements"]} == {
        (number, "status", "closed", "in_review"), (number, "item cy.zp", "approved", "in_review")}
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["audit-verify"]) == 1
    out = capsys.readouterr().out
    assert f"case {number}: status is 'closed' in the row, the events say 'in_review'" in out
    assert f"case {number}: item cy.zp is 'approved' in the row, the events say 'in_review'" in out


def test_another_key_does_not_verify(client: Any, engine: OneThingEngine, db_url: str) -> None:
    number = a_few_cases(client)
    other = build_engine(Settings(database_url=db_url, password_strength="fast", deploy_shipped=False,
                                  audit_key=secrets.token_urlsafe(48)))
    try:
        broken = verify_audit_chains(other.ctx).broken
    finally:
        other.db.dispose()
    assert broken is not None and "ONETHING_AUDIT_KEY" in broken.problem
    assert broken.chain in (f"case {number}", "audit") and broken.seq == 1


def test_a_log_written_before_the_key_still_verifies_and_goes_on_keyed(client: Any, engine: OneThingEngine) -> None:
    """A database upgraded from unkeyed hashes: its events verify by SHA-256, new ones are keyed and
    link to them."""
    number = a_few_cases(client)
    cid = case_id(engine, number)
    rewrite_unkeyed(engine, cid, 1, HashScheme.SHA256)  # as migration 0020 leaves an older database
    before = verify(client)
    assert before["ok"] is True and before["unkeyed"] > 0
    task = open_task(client, number, "cy.spjy")
    assert complete(client, task, approval(task), REVIEWERS[task["department"]]).status_code == 200
    after = verify(client)
    assert after["ok"] is True and after["unkeyed"] == before["unkeyed"] and after["events"] > before["events"]
    with engine.db.connect() as conn:
        schemes = conn.execute(text("SELECT hash_scheme FROM case_events WHERE case_id = :c ORDER BY seq"),
                               {"c": cid}).scalars().all()
    assert schemes[0] == HashScheme.SHA256 and schemes[-1] == HashScheme.HMAC_SHA256


@pytest.mark.parametrize(("audit_key", "problem"), [
    (None, "published value"), ("a" * 40, "fewer than 10 different"), ("same", "ONETHING_SECRET_KEY; each needs"),
])
def test_production_refuses_a_missing_weak_or_shared_audit_key(tmp_path: Path, audit_key: str | None,
                                                              problem: str) -> None:
    secret = secrets.token_urlsafe(48)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'prod.sqlite3'}", password_strength="fast",
                        production=True, secret_key=secret, deploy_shipped=False)
    if audit_key is not None:
        settings.audit_key = secret if audit_key == "same" else audit_key
    with pytest.raises(UnsafeConfiguration, match="ONETHING_AUDIT_KEY is not fit for production") as refused:
        build_engine(settings)
    assert problem in str(refused.value)
