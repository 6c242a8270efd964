"""Run the Alembic migrations from code (the server and the tests call this on start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, prepared_statements: bool = True) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    config.attributes["prepared_statements"] = prepared_statements
    return config


def upgrade(url: str, prepared_statements: bool = True) -> None:
    command.upgrade(alembic_config(url, prepared_statements), "head")
