"""The Alembic migrations build exactly the schema the tables declare."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from engine.bootstrap import OneThingEngine
from engine.persistence.migrate import alembic_config, upgrade
from engine.persistence.tables import metadata

head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
pytestmark = pytest.mark.from_scratch  # each test's engine runs every migration, not a copy of the template


def test_migrated_schema_matches_the_tables(engine: OneThingEngine) -> None:
    with engine.db.connect() as conn:
        dialect = conn.dialect.name

        def declared_here(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
            # An index declared for one database only (``ddl_if``) is not expected in the others.
            only = getattr(item, "_ddl_if", None)
            return reflected or only is None or only.dialect in (None, dialect)

        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": declared_here}), metadata)
    assert diff == []


def test_upgrade_twice_changes_nothing(engine: OneThingEngine) -> None:
    upgrade(engine.settings.database_url)
    with engine.db.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_workflow_states_are_compressed_with_lz4_on_postgresql(engine: OneThingEngine, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has no column compression")
    query = text("SELECT attcompression FROM pg_attribute "
                 "WHERE attrelid = 'workflow_states'::regclass AND attname = 'state'")
    with engine.db.connect() as conn:
        assert conn.execute(query).scalar_one() == "l"
    config = alembic_config(engine.settings.database_url)
    command.downgrade(config, "0012")
    try:
        with engine.db.connect() as conn:
            assert conn.execute(query).scalar_one() == "p"
    finally:
        command.upgrade(config, "head")
