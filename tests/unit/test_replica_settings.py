"""ONETHING_REPLICA_URL: read from the environment, and a replica that is not a PostgreSQL standby of a
PostgreSQL primary refused at start, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bootstrap import Settings, build_engine
from engine.persistence.database import UnsupportedDatabaseUrl


def test_the_replica_url_comes_from_the_environment_and_is_empty_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONETHING_REPLICA_URL", raising=False)
    assert Settings.from_env().replica_url == ""
    monkeypatch.setenv("ONETHING_REPLICA_URL", "postgresql://reader@replica:5432/onething")
    assert Settings.from_env().replica_url == "postgresql://reader@replica:5432/onething"


def test_a_replica_url_of_another_database_is_refused(tmp_path: Path) -> None:
    primary = "postgresql://onething@127.0.0.1:1/never_reached"
    with pytest.raises(UnsupportedDatabaseUrl, match=r"must name a PostgreSQL standby .* not sqlite"):
        build_engine(Settings(database_url=primary, replica_url=f"sqlite:///{tmp_path / 'replica.sqlite3'}"))
    with pytest.raises(UnsupportedDatabaseUrl, match=r"postgresql\+asyncpg:// is not supported"):
        build_engine(Settings(database_url=primary, replica_url="postgresql+asyncpg://onething@replica/onething"))
    assert list(tmp_path.iterdir()) == []


def test_a_replica_needs_a_postgresql_primary(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedDatabaseUrl, match="needs DATABASE_URL on PostgreSQL"):
        build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'primary.sqlite3'}",
                              replica_url="postgresql://onething@replica:5432/onething"))
    assert list(tmp_path.iterdir()) == []
