"""The Alembic migrations build exactly the schema the tables declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.bootstrap import OneThingEngine
from engine.persistence.migrate import alembic_config, upgrade
from engine.persistence.tables import metadata

head = ScriptDirectory.from_config(alembic_config("")).get_current_head()


def test_migrated_schema_matches_the_tables(engine: OneThingEngine) -> None:
    with engine.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_twice_changes_nothing(engine: OneThingEngine) -> None:
    upgrade(engine.settings.database_url)
    with engine.db.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
