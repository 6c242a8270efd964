"""A ``ServiceContext`` over the fake unit of work, seeded as ``engine.bootstrap`` seeds a database.

The engine's own pieces are real (the spec cache, the safe script engine with its timer functions,
the catalogue and calendar caches, the password hasher); only storage is in memory. The shipped
catalogue and flows are deployed through the same services the composition root calls
(``deploy_catalogue``, ``deploy_shipped_flows``) once per test session, and each context starts
from a copy of those tables and of the parsed specs, so that a test pays for no parsing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, partial
from pathlib import Path

from engine.domain.access import Principal
from engine.domain.audit import DEV_AUDIT_KEY
from engine.domain.model import SYSTEM
from engine.domain.records import UserRecord
from engine.services.accounts import CreateUser, create_user
from engine.services.catalogue import deploy_catalogue
from engine.services.context import ServiceContext
from engine.services.flows import deploy_shipped_flows, warm_spec_cache
from engine.services.passwords import make_hasher
from engine.services.sessions import principal_of
from engine.services.timers import timer_functions
from engine.services.token_cache import TokenCache
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import SpecCache
from tests.conftest import PASSWORD, PERSONAS, FakeClock
from tests.fakes.tables import FakeDatabase
from tests.fakes.unit_of_work import FakeUnitOfWork

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


@dataclass
class FakeContext:
    ctx: ServiceContext
    db: FakeDatabase
    clock: FakeClock

    def uow(self) -> FakeUnitOfWork:
        """A read-only unit of work, for a test to look at what is stored."""
        return FakeUnitOfWork(self.db, write=False)

    def user(self, login: str) -> UserRecord:
        with self.uow() as uow:
            found = uow.users.by_login(login)
        assert found is not None, f"no user {login}"
        return found

    def principal(self, persona: str) -> Principal:
        """The signed-in person of a persona of ``tests.conftest.PERSONAS`` (made by ``with_personas``)."""
        return principal_of(self.user(PERSONAS[persona][0]))


def _context(db: FakeDatabase, specs: SpecCache, clock: FakeClock) -> ServiceContext:
    hasher = make_hasher("fast")
    audit_key = DEV_AUDIT_KEY.encode()
    ctx = ServiceContext(
        uow=lambda write, snapshot=False: FakeUnitOfWork(db, write, audit_key),
        specs=specs,
        script_engine=SafeScriptEngine(),
        clock=clock,
        passwords=hasher,
        token_ttl=timedelta(hours=8760),
        tokens=TokenCache(0),
        dummy_password_hash=hasher.hash(secrets.token_hex(16)),
    )
    ctx.script_engine.functions.update(timer_functions(ctx))
    return ctx


@cache
def _seeded(personas: bool) -> tuple[FakeDatabase, SpecCache]:
    """The shipped catalogue and flows deployed, and the personas' users if asked, once per session
    (a function, not an import-time build)."""
    db, specs = FakeDatabase(), SpecCache()
    fake = FakeContext(_context(db, specs, FakeClock()), db, FakeClock())
    deploy_catalogue(fake.ctx, BPMN / "catalogue")
    deploy_shipped_flows(fake.ctx, BPMN)
    warm_spec_cache(fake.ctx)
    if personas:
        with_personas(fake)
    return db, specs


def fake_context(clock: FakeClock | None = None, *, shipped: bool = True, personas: bool = False) -> FakeContext:
    """A context on fresh fake tables: with the shipped bundles deployed unless ``shipped`` is False,
    and the users of ``tests.conftest.PERSONAS`` (made at the default clock's moment) if ``personas``."""
    assert shipped or not personas, "the personas' departments come with the shipped bundles"
    clock = clock or FakeClock()
    db, specs = FakeDatabase(), SpecCache()
    if shipped:
        seed_db, seed_specs = _seeded(personas)
        db.committed = seed_db.committed.copy()
        with FakeUnitOfWork(seed_db, write=False) as uow:
            for version in uow.flows.versions():
                specs.put(version.id, seed_specs.get(version.id, partial(uow.flows.xml, version.id)))
    return FakeContext(_context(db, specs, clock), db, clock)


def with_personas(fake: FakeContext) -> FakeContext:
    """Creates the users of ``tests.conftest.PERSONAS``."""
    for login, name, department, roles in PERSONAS.values():
        create_user(CreateUser(login, name, department, roles, PASSWORD, SYSTEM), fake.ctx)
    return fake
