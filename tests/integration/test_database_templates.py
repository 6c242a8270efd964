"""The ``engine`` fixture's database, a copy of the session's template (tests/database_templates.py),
holds what ``build_engine`` makes of an empty database at the same clock: the same rows in every
table and the same sequences; its engine holds the same flows parsed; and deploying the shipped
bundles on it again finds nothing to change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from api import create_app
from engine.bootstrap import OneThingEngine, build_engine
from tests.conftest import PERSONAS, FakeClock, copy_template, create_personas, engine_settings


def contents(engine: OneThingEngine) -> dict[str, list[str]]:
    """Every table's rows (alembic_version too) and every PostgreSQL sequence's position, each sorted."""
    with engine.db.connect() as conn:
        tables = inspect(conn).get_table_names()
        sequences: list[Any] = []  # SQLite's next ids follow from the rows (no AUTOINCREMENT table)
        if engine.db.dialect.name == "postgresql":
            sequences = list(conn.execute(text("SELECT sequencename, last_value FROM pg_sequences")))
        found = {name: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')))
                 for name in tables}
    return {**found, "sequences": sorted(repr(tuple(s)) for s in sequences)}


def flow_versions(engine: OneThingEngine) -> list[int]:
    with engine.ctx.uow(False) as uow:
        return [v.id for v in uow.flows.versions()]


def test_a_copy_of_the_template_is_what_build_engine_makes_of_an_empty_database(
        db_url: str, backend: str, clock: FakeClock, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    settings = engine_settings(db_url, backend, clock)  # db_url is empty: this test has no engine fixture
    scratch = build_engine(settings)
    expected, versions = contents(scratch), flow_versions(scratch)
    scratch.db.dispose()
    assert len(versions) >= 10 and len(expected["flow_versions"]) == len(versions)

    template = copy_template(backend, tmp_path, clock, request)
    copy = build_engine(replace(settings, deploy_shipped=False), template.spec_cache())
    assert contents(copy) == expected
    assert flow_versions(copy) == versions and all(v in copy.ctx.specs for v in versions)
    copy.db.dispose()

    redeployed = build_engine(settings)  # as a server's restart with the same shipped files would
    assert contents(redeployed) == expected
    redeployed.db.dispose()


def users_and_sessions(engine: OneThingEngine) -> tuple[list[Any], int]:
    """The users (without their password hashes, salted anew each time) and how many sessions."""
    with engine.db.connect() as conn:
        users = list(conn.execute(text("SELECT login, name, department, roles FROM users ORDER BY login")))
        sessions = conn.execute(text("SELECT count(*) FROM auth_tokens")).scalar_one()
    return [tuple(u) for u in users], int(sessions)


@pytest.mark.from_scratch
def test_the_personas_copied_with_the_template_are_those_creating_them_makes(
        engine: OneThingEngine, backend: str, request: pytest.FixtureRequest) -> None:
    """A test with personas copies a template where they were created and logged in: the same users
    and sessions as creating them on the test's own database, and their tokens open the API."""
    create_personas(engine)
    expected = users_and_sessions(engine)
    assert len(expected[0]) == len(PERSONAS) and expected[1] == len(PERSONAS)
    kind = "sqlite" if backend == "sqlite" else "postgres"
    template = request.getfixturevalue(f"{kind}_people_template")
    copied = build_engine(replace(engine_settings(template.url, backend, FakeClock()), deploy_shipped=False),
                          template.spec_cache())
    try:
        assert users_and_sessions(copied) == expected
        client = create_app({"ENGINE": copied, "TESTING": True}).test_client()
        for name, token in template.tokens.items():
            me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json["login"] == PERSONAS[name][0], (name, me.json)
    finally:
        copied.db.dispose()
