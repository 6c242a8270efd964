"""The session's PgBouncer, in transaction mode in front of TEST_DATABASE_URL's server (started
by bench/pgbouncer.py, stopped at the end of the session): the ``pgbouncer`` backend's tests reach
their database through it (tests/conftest.py, ``db_url``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from bench.pgbouncer import PgBouncer, running_pgbouncer

__all__ = ["PgBouncer", "database_closed", "pgbouncer"]


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[PgBouncer]:
    """A PgBouncer for the whole session (under pytest-xdist, one per worker): its pools are shared
    by every test's database, as one pooler serves many at a site."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests run in CI")
    with running_pgbouncer(url) as bouncer:
        yield bouncer


@contextmanager
def database_closed(bouncer: PgBouncer, url: str) -> Iterator[None]:
    """PgBouncer holds no connection to ``url``'s database inside the block (its server connections
    are closed, new clients wait): the database may be dropped and created again meanwhile, which
    a pooled server connection would not survive."""
    database = str(make_url(url).database)
    bouncer.console(f'KILL "{database}"')  # a database it has not seen yet is registered, and paused
    try:
        yield
    finally:
        bouncer.console(f'RESUME "{database}"')
