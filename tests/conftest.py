"""Shared fixtures: an engine on a fresh database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), the Flask app and client, and actors for each desk.

The ``engine`` fixture's database is a copy of a template that each worker migrates and deploys
once per session (tests/database_templates.py); a test marked ``from_scratch`` gets an empty
database that its engine migrates, as the server's first start does."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.document_settings import DocumentSettings
from engine.persistence.database import make_engine
from tests.database_templates import DeployedTemplate, copy_postgres, copy_sqlite, deploy_template, with_people
from tests.pgbouncer import PgBouncer, database_closed, pgbouncer  # noqa: F401 - the session's PgBouncer fixture

PG_URL = os.environ.get("TEST_DATABASE_URL")
SHIPPED_BUNDLES = len(list((Path(__file__).resolve().parents[1] / "bpmn").glob("*/bundle.json")))
"""How many bundles ship (bpmn/<code>/bundle.json): every one is deployed at start."""


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 9, 24, 1, 30, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@functools.cache
def worker_database(url: str, suffix: str = "") -> str:
    """Each pytest-xdist worker gets its own database next to the one named in the URL; ``suffix``
    names another one beside it. Created on the first call, which later calls answer."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker and not suffix:
        return url
    base, _, name = url.rpartition("/")
    target = "_".join(part for part in (name, worker, suffix) if part)
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target}"'))
    admin.dispose()
    return f"{base}/{target}"


def reset_postgres(url: str) -> None:
    """Drop everything in the public schema so that Alembic migrates from scratch."""
    db = make_engine(url)
    with db.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def database_url(backend: str, tmp_path: Path, fresh: bool = True) -> str:
    """A database of ``backend``: "sqlite", "postgres", or "pgbouncer", a database of its own
    beside the "postgres" one (the pooler's idle server connections to it are not the "postgres"
    tests' to count), reached directly here; ``db_url`` reaches it through PgBouncer. ``fresh``:
    emptied, so that Alembic migrates from scratch; else as the last test left it."""
    if backend in ("postgres", "pgbouncer"):
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests run in CI")
        url = worker_database(PG_URL, "pgbouncer" if backend == "pgbouncer" else "")
        if fresh:
            reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'onething.sqlite3'}"  # tmp_path is the test's own: a file not there yet


def backend_of(request: pytest.FixtureRequest) -> str:
    """The ``backend`` fixture's parameter; one that needs PostgreSQL marks its test ``postgres``. Test
    modules that also run through PgBouncer override ``backend`` with BACKENDS_WITH_POOLER."""
    if request.param in ("postgres", "pgbouncer"):
        request.applymarker(pytest.mark.postgres)
    return str(request.param)


BACKENDS_WITH_POOLER = ["sqlite", "postgres", "pgbouncer"]
""""pgbouncer": PostgreSQL through PgBouncer in transaction mode (tests/pgbouncer.py), prepared
statements off."""


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return backend_of(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def from_scratch(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("from_scratch") is not None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "from_scratch: the engine fixture migrates and deploys into an empty "
                                       "database instead of copying the session's template")


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The test's database, the one ``engine`` runs on if the test has it: empty unless ``engine``
    lays the session's template over it (emptying it first would be wasted)."""
    fresh = "engine" not in request.fixturenames or from_scratch(request)
    if backend == "pgbouncer":  # reset directly, then reached through the session's PgBouncer
        bouncer: PgBouncer = request.getfixturevalue("pgbouncer")
        return bouncer.url(database_url(backend, tmp_path, fresh))
    return database_url(backend, tmp_path, fresh)


def engine_settings(url: str, backend: str, clock: FakeClock) -> Settings:
    # Tests move the clock by days; a token lasting a year keeps personas logged in (expiry has its own test).
    return Settings(database_url=url, clock=clock, password_strength="fast", token_ttl_hours=8760,
                    prepared_statements=backend != "pgbouncer")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> DeployedTemplate:
    url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'onething.sqlite3'}"
    return deploy_template(engine_settings(url, "sqlite", FakeClock()))


@pytest.fixture(scope="session")
def postgres_template() -> DeployedTemplate:
    """One per worker, beside its test databases; the "pgbouncer" backend's copies come from it too."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests run in CI")
    url = worker_database(PG_URL, "template")
    reset_postgres(url)
    return deploy_template(engine_settings(url, "postgres", FakeClock()))


@pytest.fixture(scope="session")
def sqlite_people_template(sqlite_template: DeployedTemplate,
                           tmp_path_factory: pytest.TempPathFactory) -> DeployedTemplate:
    """The deployed template with the personas created and logged in (``personas``)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('people') / 'onething.sqlite3'}"
    copy_sqlite(sqlite_template, url)
    return with_people(sqlite_template, engine_settings(url, "sqlite", FakeClock()), create_personas)


@pytest.fixture(scope="session")
def postgres_people_template(postgres_template: DeployedTemplate) -> DeployedTemplate:
    url = worker_database(PG_URL or "", "people")
    copy_postgres(postgres_template, url)
    return with_people(postgres_template, engine_settings(url, "postgres", FakeClock()), create_personas)


def people_in_template(request: pytest.FixtureRequest) -> bool:
    """Whether the test's database is copied with the personas in it: when the test asks for them
    up front (not with ``getfixturevalue`` later, when its database is made already)."""
    return "personas" in request.node.fixturenames


def copy_template(backend: str, tmp_path: Path, clock: FakeClock, request: pytest.FixtureRequest) -> DeployedTemplate:
    """Make the test's database (``database_url``) a copy of the session's template of its backend:
    the one with the personas in it if the test has them."""
    kind = "sqlite" if backend == "sqlite" else "postgres"
    people = "_people" if people_in_template(request) else ""
    template: DeployedTemplate = request.getfixturevalue(f"{kind}{people}_template")
    assert clock() == template.deployed_at, "the template was deployed at FakeClock's start; so must a copy be"
    direct = database_url(backend, tmp_path, fresh=False)
    if backend == "sqlite":
        copy_sqlite(template, direct)
    elif backend == "pgbouncer":
        with database_closed(request.getfixturevalue("pgbouncer"), direct):
            copy_postgres(template, direct)
    else:
        copy_postgres(template, direct)
    return template


@pytest.fixture
def engine(db_url: str, backend: str, clock: FakeClock, tmp_path: Path,
           request: pytest.FixtureRequest) -> Iterator[OneThingEngine]:
    settings = engine_settings(db_url, backend, clock)
    settings.documents = DocumentSettings(tmp_path / "files")
    if from_scratch(request):
        built = build_engine(settings)
    else:
        # The copy is deployed already (deploying again would parse every flow to find nothing to do);
        # its engine starts with the flows the template parsed.
        template = copy_template(backend, tmp_path, clock, request)
        built = build_engine(replace(settings, deploy_shipped=False), template.spec_cache())
    yield built
    built.db.dispose()


@pytest.fixture
def app(engine: OneThingEngine):  # type: ignore[no-untyped-def]
    from api import create_app

    return create_app({"ENGINE": engine, "TESTING": True})


# Who is who in the tests: persona -> (login, name, department, roles). Every test with a client
# gets these users and a fresh token for each; the header dicts below are filled in place.
PERSONAS: dict[str, tuple[str, str, str, list[str]]] = {
    "clerk": ("wang.window", "王窗口", "window", ["clerk"]),
    "scjg": ("li.scjg", "李市监", "scjg", ["reviewer"]),
    "cg": ("zhang.cg", "张城管", "cg", ["reviewer"]),
    "cg.other": ("chen.cg", "陈城管", "cg", ["reviewer"]),
    "xf": ("zhao.xf", "赵消防", "xf", ["reviewer"]),
    "wj": ("liu.wj", "刘卫健", "wj", ["reviewer"]),
    "scjg.head": ("qian.scjg", "钱科长", "scjg", ["head"]),
    "supervisor": ("zhou.office", "周监督", "office", ["supervisor"]),
    "admin": ("sun.office", "孙管理", "office", ["admin"]),
}
PASSWORD = "test-password-1"
HEADERS: dict[str, dict[str, str]] = {name: {} for name in PERSONAS}
CLERK = HEADERS["clerk"]
SUPERVISOR = HEADERS["supervisor"]
ADMIN = HEADERS["admin"]
REVIEWERS = {dept: HEADERS[dept] for dept in ("scjg", "cg", "xf", "wj")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_personas(engine: OneThingEngine) -> dict[str, str]:
    """Create every persona's user and log each in; answers persona -> bearer token."""
    from engine.domain.model import SYSTEM
    from engine.services.accounts import CreateUser, create_user
    from engine.services.sessions import LogIn, log_in

    tokens = {}
    for name, (login, full_name, department, roles) in PERSONAS.items():
        create_user(CreateUser(login, full_name, department, roles, PASSWORD, SYSTEM), engine.ctx)
        tokens[name] = log_in(LogIn(login, PASSWORD, "127.0.0.1"), engine.ctx).token
    return tokens


@pytest.fixture
def personas(engine: OneThingEngine, backend: str, request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """The personas' users, logged in: copied with the template (``copy_template``), or created
    now on a database migrated from scratch."""
    if from_scratch(request) or not people_in_template(request):
        tokens = create_personas(engine)
    else:
        kind = "sqlite" if backend == "sqlite" else "postgres"
        tokens = request.getfixturevalue(f"{kind}_people_template").tokens
    for name, token in tokens.items():
        HEADERS[name].clear()
        HEADERS[name].update(bearer(token))
    return HEADERS


@pytest.fixture
def client(app, personas):  # type: ignore[no-untyped-def]
    """A test client that reads as the supervisor (who sees every case and task) unless a request
    names someone else in its headers."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = SUPERVISOR["Authorization"]
    return test_client


@pytest.fixture
def anonymous(app, personas):  # type: ignore[no-untyped-def]
    return app.test_client()


APPLICANT = {
    "name": "陈小明",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "entity_name": "小明面馆",
    "address": "河南省新乡市红旗区平原路 1 号",
}


SUBJECT_EXTRAS: dict[str, dict[str, str]] = {
    "person": {},
    "family_event": {"relation": "母亲"},
    "enterprise": {"entity_name": "小明餐饮有限公司", "credit_code": "91350100M000100Y43"},
    "new_enterprise": {"entity_name": "小明面馆"},
}
"""What the applicant block adds to a person's name, ID number, phone and address, by subject."""


def applicant_for(engine: OneThingEngine, code: str, person: dict[str, str] | None = None) -> dict[str, str]:
    """The applicant block a bundle's subject asks for: ``person`` (APPLICANT's person by default)
    plus what the subject needs (a declared name, a credit code, the relation to the child)."""
    from engine.services.catalogue import get_bundle_catalogue

    kind = str(get_bundle_catalogue(engine.ctx, code).subject.kind)
    base = {k: v for k, v in (person or APPLICANT).items() if k in ("name", "id_number", "phone", "address")}
    return {**base, **SUBJECT_EXTRAS[kind]}


def application(engine: OneThingEngine, code: str = "restaurant",
                applicant: dict[str, str] | None = None) -> dict[str, Any]:
    """A complete application of a bundle: the unified form filled with valid sample values (the
    applicant's own data where the form asks for it) and every material handed over."""
    from engine.services.catalogue import get_bundle_catalogue
    from forms.samples import sample_values

    catalogue = get_bundle_catalogue(engine.ctx, code)
    known = catalogue.subject.form_values(applicant or applicant_for(engine, code))
    return {"form": sample_values(catalogue.form(), known),
            "materials": {e.key: "submitted" for e in catalogue.checklist().entries}}


def case_body(client: Any, code: str = "restaurant", applicant: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON body of ``POST /api/cases`` for a complete application; the applicant block fits the
    bundle's subject unless ``applicant`` is given."""
    engine = client.application.extensions["onething"]
    applicant = applicant or applicant_for(engine, code)
    return {"bundle": code, "applicant": applicant, **application(engine, code, applicant)}
