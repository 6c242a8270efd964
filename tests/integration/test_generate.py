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
    assert main(["generate", "--cases", "60", "--templates", "22", "--database-url", url, "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "generated 60 cases" in out and "KB a case" in out
    with engine.db.connect() as conn:
        numbers = [str(n) for n in conn.execute(text("SELECT number FROM cases ORDER BY id")).scalars()]
        bundles = conn.execute(text("SELECT count(DISTINCT bundle_code) FROM cases")).scalar_one()
        accepted = conn.execute(text("SELECT min(accepted_at), max(accepted_at) FROM cases")).one()
        names = conn.execute(text("SELECT count(DISTINCT applicant->>'id_number') FROM cases")).scalar_one()
    assert len(numbers) == 82 and len(set(numbers)) == 82 and bundles >= 10  # the simulation draws bundles
    assert (accepted[1] - accepted[0]).days > 60 and names > 60  # spread over weeks, each its own applicant

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
    started = client.post("/api/cases", json=case_body(client, "restaurant"), headers=CLERK)
    assert started.status_code == 201 and started.json["number"] not in numbers
