"""Template databases for the tests. Each pytest-xdist worker migrates one database and deploys the
shipped bundles into it once per session; the ``engine`` fixture (tests/conftest.py) then gives
every test a copy of it, a file copy on SQLite and ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL,
instead of running every migration and parsing every flow again. A copy holds what ``build_engine``
makes of an empty database at the same clock; tests/integration/test_database_templates.py checks
that it does."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.workflow.specs import FlowSpec, SpecCache

MAINTENANCE_DATABASE = "postgres"
"""Where the PostgreSQL copies are made from: neither a test's database nor a template (``CREATE
DATABASE ... TEMPLATE`` refuses a template anyone is connected to)."""


@dataclass(frozen=True)
class DeployedTemplate:
    """A migrated database with the shipped bundles deployed at ``deployed_at``, left with no
    connection open, and its flows parsed, by flow version id."""

    url: str
    deployed_at: datetime
    specs: dict[int, FlowSpec]
    tokens: dict[str, str] = field(default_factory=dict)
    """The personas' bearer tokens, persona -> token, if the template holds them (``with_people``)."""

    def spec_cache(self) -> SpecCache:
        """A spec cache of its own for an engine on a copy, holding the template's parsed flows: a
        copy has the same flow versions under the same ids, and a stored version never changes."""
        cache = SpecCache()
        for version_id, spec in self.specs.items():
            cache.put(version_id, spec)
        return cache


def deploy_template(settings: Settings) -> DeployedTemplate:
    """Migrate ``settings.database_url`` (empty) and deploy the shipped bundles into it, as the
    ``engine`` fixture would at the clock's present time."""
    built = build_engine(settings)
    try:
        with built.ctx.uow(False) as uow:
            versions = [v.id for v in uow.flows.versions()]
        specs = {v: built.ctx.specs.get(v, _parsed_already) for v in versions}
    finally:
        built.db.dispose()  # a SQLite template is checkpointed; a PostgreSQL one is free to copy
    return DeployedTemplate(settings.database_url, settings.clock(), specs)


def with_people(template: DeployedTemplate, settings: Settings,
                people: Callable[[OneThingEngine], dict[str, str]]) -> DeployedTemplate:
    """A second template: a copy of ``template`` at ``settings.database_url`` (made by the caller)
    where ``people`` has created users and logged them in at the template's clock, answering their
    tokens. Tests with personas copy it instead of creating nine users and logging them in each."""
    built = build_engine(replace(settings, deploy_shipped=False), template.spec_cache())
    try:
        tokens = people(built)
    finally:
        built.db.dispose()
    return replace(template, url=settings.database_url, tokens=tokens)


def _parsed_already() -> tuple[bytes, str]:
    raise AssertionError("build_engine parses every stored flow version")


def copy_sqlite(template: DeployedTemplate, target_url: str) -> None:
    """Write the template into ``target_url``'s file with SQLite's backup API (a consistent copy
    whatever the template's journal mode)."""
    source = sqlite3.connect(make_url(template.url).database or "")
    target = sqlite3.connect(make_url(target_url).database or "")
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def copy_postgres(template: DeployedTemplate, target_url: str) -> None:
    """Replace ``target_url``'s database by a copy of the template. Whoever is still connected to
    the old one (an engine a test left undisposed) is disconnected."""
    target = sql.Identifier(str(make_url(target_url).database))
    source = sql.Identifier(str(make_url(template.url).database))
    with _maintenance(target_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(target))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(target, source))


@contextmanager
def _maintenance(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    server = make_url(url).set(drivername="postgresql", database=MAINTENANCE_DATABASE)
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        yield conn
