"""A production start refuses what must not run before it writes anything: demo users with the
published password, and secret keys that can be guessed (not only short ones)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from api.cli import main
from engine.bootstrap import DEV_SECRET_KEY, Settings, UnsafeConfiguration, build_engine
from engine.domain.secret_keys import secret_key_problem
from engine.services.accounts import DEMO_PASSWORD

STRONG = secrets.token_urlsafe(48)


def user_count(url: str) -> int:
    db = create_engine(url)
    try:
        if "users" not in inspect(db).get_table_names():
            return 0
        with db.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM users")).scalar_one())
    finally:
        db.dispose()


def test_demo_users_are_refused_before_any_is_seeded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    with pytest.raises(UnsafeConfiguration, match="ONETHING_DEMO_USERS=1"):
        build_engine(Settings(database_url=url, password_strength="fast", production=True, secret_key=STRONG,
                              demo_users=True))
    assert user_count(url) == 0


def test_the_command_line_refuses_demo_users_in_production_before_seeding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ONETHING_ENV", "production")
    monkeypatch.setenv("ONETHING_SECRET_KEY", STRONG)
    monkeypatch.setenv("ONETHING_DEMO_USERS", "0")
    assert main(["serve", "--demo-users"]) == 2
    assert "ONETHING_DEMO_USERS=1" in capsys.readouterr().err
    assert user_count(url) == 0


@pytest.mark.parametrize("key", [
    "a" * 32, "a" * 64, "ab" * 16, "abcdefghij" * 4, "0123456789" * 4, DEV_SECRET_KEY, DEMO_PASSWORD,
    "random but 31 characters", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabcdefghijk",
])
def test_guessable_secret_keys_are_refused(tmp_path: Path, key: str) -> None:
    if key == "random but 31 characters":  # drawn here: parameters must be the same in every xdist worker
        key = secrets.token_urlsafe(48)[:31]
    url = f"sqlite:///{tmp_path / 'key.sqlite3'}"
    with pytest.raises(UnsafeConfiguration, match="ONETHING_SECRET_KEY is not fit for production"):
        build_engine(Settings(database_url=url, password_strength="fast", production=True, secret_key=key))
    assert user_count(url) == 0


RANDOM_KEYS = {"token_hex(16)": lambda: secrets.token_hex(16), "token_hex(32)": lambda: secrets.token_hex(32),
               "token_urlsafe(32)": lambda: secrets.token_urlsafe(32)}


@pytest.mark.parametrize("key", [*RANDOM_KEYS, "Xq3!vR8#mZ1@kL7$wP4%tN6^bH2&jD9*"])
def test_random_keys_pass(key: str) -> None:
    key = RANDOM_KEYS[key]() if key in RANDOM_KEYS else key  # drawn here: the same parameters in every worker
    assert secret_key_problem(key, (DEV_SECRET_KEY,)) is None


def test_a_strong_key_starts_in_production(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ok.sqlite3'}"
    engine = build_engine(Settings(database_url=url, password_strength="fast", production=True, secret_key=STRONG,
                                   audit_key=secrets.token_urlsafe(48), deploy_shipped=False))
    engine.db.dispose()
