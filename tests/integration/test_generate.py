"""``onething generate`` fills a PostgreSQL database with simulated cases and bulk copies of them: the
copies are cases like any other — their event chains verify under the audit key, they are found and
read through the API, and a case started afterwards takes a number none of them has."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from api.cli import main
from engine.bootstrap import OneThingEngine
from engine.services.audit import verify_audit_chains
from tests.approvals import approval, reviewer_headers
from tests.conftest import CLERK, SUPERVISOR, case_body

pytestmark = pytest.mark.from_scratch


def test_copies_verify_and_read_as_cases(engine: OneThingEngine, client: Any, backend: str,
                                         capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = engine.settings.database_url
    # The simulated online applications upload scans: into the store the test's engine reads.
    monkeypatch.setenv("ONETHING_FILES_DIR", str(engine.settings.documents.files_dir))
    if backend != "postgres":
        assert main(["generate", "--cases", "5", "--database-url", url]) == 2
        assert "PostgreSQL" in capsys.readouterr().err
        return
    assert main(["generate", "--cases", "60", "--templates", "22", "--database-url", url, "--seed", "7",
                 "--weeks", "6"]) == 0
    out = capsys.readouterr().out
    assert "generated 60 cases" in out and "KB a case" in out
    with engine.db.connect() as conn:
        numbers = [str(n) for n in conn.execute(text("SELECT number FROM cases ORDER BY id")).scalars()]
        bundles = conn.execute(text("SELECT count(DISTINCT bundle_code) FROM cases")).scalar_one()
        accepted = conn.execute(text("SELECT min(accepted_at), max(accepted_at) FROM cases")).one()
        names = conn.execute(text("SELECT count(DISTINCT applicant->>'id_number') FROM cases")).scalar_one()
        statuses = set(conn.execute(text("SELECT DISTINCT status FROM cases")).scalars())
        old = set(conn.execute(text(  # copies from before the last two weeks are of finished cases
            "SELECT DISTINCT status FROM cases WHERE accepted_at < "
            "(SELECT min(accepted_at) FROM cases WHERE id <= (SELECT min(id) + 21 FROM cases)) - interval '15 days'"
        )).scalars())
        copies_by_id = list(conn.execute(text(  # written in the order they were accepted, as a live database
            "SELECT accepted_at FROM cases WHERE id > (SELECT min(id) + 21 FROM cases) ORDER BY id")).scalars())
        open_tasks = conn.execute(text("SELECT count(*) FROM tasks WHERE state IN ('ready', 'claimed')")).scalar_one()
    assert len(numbers) == 82 and len(set(numbers)) == 82 and bundles >= 10  # the simulation draws bundles
    assert (accepted[1] - accepted[0]).days > 21 and names > 60  # spread over weeks, each its own applicant
    assert "closed" in statuses and statuses & {"in_review", "awaiting_pickup"} and open_tasks > 0, statuses
    assert old and old <= {"closed", "terminated"}, old
    assert len(copies_by_id) == 60 and copies_by_id == sorted(copies_by_id)

    report = verify_audit_chains(engine.ctx)
    assert report.ok, report.broken
    assert report.chains == 83 and report.events > 82 * 10

    copy = numbers[-1]
    detail = client.get(f"/api/cases/{copy}", headers=SUPERVISOR)
    assert detail.status_code == 200 and detail.json["number"] == copy
    assert detail.json["timeline"][0]["type"] == "CaseAccepted"
    applicant = client.get(f"/api/cases/{copy}", headers=CLERK).json["applicant"]
    found = client.get(f"/api/cases?q={applicant['id_number']}", headers=CLERK).json
    assert [c["number"] for c in found["items"]] == [copy]
    with engine.db.connect() as conn:  # a copy still in review goes on like any case
        task_id, department = conn.execute(text(
            "SELECT t.id, t.department FROM tasks t JOIN cases c ON c.id = t.case_id WHERE t.kind = 'approval' "
            "AND t.state = 'ready' AND c.id > (SELECT min(id) + 21 FROM cases) ORDER BY c.id DESC LIMIT 1")).one()
    task = client.get(f"/api/tasks/{task_id}", headers=SUPERVISOR).json
    done = client.post(f"/api/tasks/{task_id}/complete", json=approval(task),
                       headers=reviewer_headers(client, department))
    assert done.status_code == 200, done.json
    started = client.post("/api/cases", json=case_body(client, "restaurant"), headers=CLERK)
    assert started.status_code == 201 and started.json["number"] not in numbers
