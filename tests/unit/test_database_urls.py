"""Which database URLs the engine runs on: SQLite, and PostgreSQL through psycopg 3 in any of the
three spellings the README gives; another PostgreSQL driver is refused with what to write instead."""

from __future__ import annotations

import pytest

from engine.persistence.database import UnsupportedDatabaseUrl, postgresql_url


@pytest.mark.parametrize("url", ["postgresql://u@h:5432/db", "postgres://u@h:5432/db",
                                 "postgresql+psycopg://u@h:5432/db"])
def test_each_postgresql_spelling_means_psycopg_3(url: str) -> None:
    assert postgresql_url(url) == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize("url", ["sqlite:///x.sqlite3", "sqlite://"])
def test_sqlite_is_not_postgresql(url: str) -> None:
    assert postgresql_url(url) is None


@pytest.mark.parametrize("driver", ["postgresql+psycopg2", "postgresql+asyncpg", "postgresql+pg8000"])
def test_another_postgresql_driver_is_refused_with_the_url_to_use(driver: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl, match=r"use postgresql:// \(psycopg 3\)"):
        postgresql_url(f"{driver}://u@h/db")


def test_the_command_line_says_what_is_wrong_with_the_url(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from api.cli import main

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/never_created")
    assert main(["deploy"]) == 2
    assert "postgresql+psycopg2:// is not supported" in capsys.readouterr().err
