"""Failed logins: counted atomically (parallel guesses are never checked past the limit), locked per
login and client address (the right password from another place still works), a slower back-off
per login from all places together, and X-Forwarded-For believed only from a configured proxy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from api import create_app
from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.errors import TooManyAttempts, Unauthenticated
from engine.domain.model import SYSTEM
from engine.services.accounts import CreateUser, create_user
from engine.services.audit import list_audit_events
from engine.services.login_limits import (
    LOGIN_BACKOFF_STEP,
    LOGIN_FREE_FAILURES,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_PAIR,
)
from engine.services.sessions import LogIn, log_in
from tests.conftest import PASSWORD, PERSONAS, FakeClock

REVIEWER = PERSONAS["xf"][0]


def attempt(client: Any, address: str, password: str, login: str = REVIEWER, **headers: str) -> Any:
    return client.post("/api/auth/login", json={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


@pytest.fixture
def strong_engine(db_url: str, clock: FakeClock) -> Iterator[OneThingEngine]:
    """Real Argon2 hashing: checking a password takes long enough for parallel guesses to overlap."""
    built = build_engine(Settings(database_url=db_url, clock=clock, deploy_shipped=False, pool_size=12))
    create_user(CreateUser("target.user", "目标", "office", ["supervisor"], PASSWORD, SYSTEM), built.ctx)
    yield built
    built.db.dispose()


def test_parallel_wrong_guesses_are_never_checked_past_the_limit(strong_engine: OneThingEngine) -> None:
    guesses = 12
    start = threading.Barrier(guesses)
    outcomes: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        try:
            log_in(LogIn("target.user", f"wrong-guess-{n}", "198.51.100.7"), strong_engine.ctx)
            outcomes.append("in")
        except Unauthenticated:
            outcomes.append("checked")
        except TooManyAttempts:
            outcomes.append("limited")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == guesses
    assert outcomes.count("checked") == MAX_FAILURES_PER_PAIR, outcomes
    assert outcomes.count("limited") == guesses - MAX_FAILURES_PER_PAIR
    failed = [e for e in list_audit_events(strong_engine.ctx, 0, 1000) if e.type == "LoginFailed"]
    assert len(failed) == MAX_FAILURES_PER_PAIR
    with pytest.raises(TooManyAttempts):  # the right password from that place waits too
        log_in(LogIn("target.user", PASSWORD, "198.51.100.7"), strong_engine.ctx)
    assert log_in(LogIn("target.user", PASSWORD, "198.51.100.8"), strong_engine.ctx).token


def test_a_locked_place_does_not_lock_the_user_out_elsewhere(anonymous: Any, clock: FakeClock) -> None:
    for _ in range(MAX_FAILURES_PER_PAIR):
        assert attempt(anonymous, "203.0.113.66", "wrong-password-9").status_code == 401
    limited = attempt(anonymous, "203.0.113.66", PASSWORD)
    assert limited.status_code == 429 and limited.json["code"] == "too_many_attempts"
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60 + 1
    mine = attempt(anonymous, "10.20.30.40", PASSWORD)  # the reviewer at their own desk
    assert mine.status_code == 200, mine.json
    assert attempt(anonymous, "203.0.113.66", PASSWORD).status_code == 429  # the success elsewhere frees nothing
    clock.advance(minutes=15, seconds=1)
    assert attempt(anonymous, "203.0.113.66", PASSWORD).status_code == 200


def test_a_success_starts_its_place_afresh(anonymous: Any) -> None:
    for _ in range(2):
        for _ in range(MAX_FAILURES_PER_PAIR - 1):
            assert attempt(anonymous, "10.1.1.1", "wrong-password-9").status_code == 401
        assert attempt(anonymous, "10.1.1.1", PASSWORD).status_code == 200


def test_one_place_trying_many_logins_is_limited(anonymous: Any) -> None:
    logins = [f"nobody{n}" for n in range(MAX_FAILURES_PER_ADDRESS)]
    for login in logins:
        assert attempt(anonymous, "192.0.2.50", "wrong-password-9", login).status_code == 401
    assert attempt(anonymous, "192.0.2.50", PASSWORD).status_code == 429
    assert attempt(anonymous, "192.0.2.51", PASSWORD).status_code == 200


def test_guessing_from_many_places_backs_off_per_login(anonymous: Any, clock: FakeClock) -> None:
    for n in range(LOGIN_FREE_FAILURES):
        assert attempt(anonymous, f"172.16.0.{n}", "wrong-password-9").status_code == 401
    slowed = attempt(anonymous, "172.16.1.1", "wrong-password-9")
    assert slowed.status_code == 429
    assert 0 < int(slowed.headers["Retry-After"]) <= LOGIN_BACKOFF_STEP.total_seconds() + 1
    assert attempt(anonymous, "172.16.1.2", PASSWORD).status_code == 429  # it delays everyone, briefly
    clock.advance(seconds=LOGIN_BACKOFF_STEP.total_seconds())
    assert attempt(anonymous, "172.16.1.3", "wrong-password-9").status_code == 401  # one more, then wait again
    assert attempt(anonymous, "172.16.1.4", "wrong-password-9").status_code == 429
    clock.advance(seconds=LOGIN_BACKOFF_STEP.total_seconds())
    assert attempt(anonymous, "172.16.1.5", PASSWORD).status_code == 200
    assert attempt(anonymous, "172.16.0.1", "wrong-password-9", PERSONAS["cg"][0]).status_code == 401  # others free


def test_x_forwarded_for_is_ignored_without_a_configured_proxy(anonymous: Any) -> None:
    for n in range(MAX_FAILURES_PER_PAIR):
        assert attempt(anonymous, "10.9.9.9", "wrong-password-9", **{"X-Forwarded-For": f"198.18.0.{n}"}
                       ).status_code == 401
    refused = attempt(anonymous, "10.9.9.9", PASSWORD, **{"X-Forwarded-For": "198.18.1.1"})
    assert refused.status_code == 429


def test_x_forwarded_for_from_a_configured_proxy_names_the_client(engine: OneThingEngine, personas: Any) -> None:
    engine.settings.trusted_proxies = 1
    client = create_app({"ENGINE": engine, "TESTING": True}).test_client()
    proxy = "10.0.0.2"
    for _ in range(MAX_FAILURES_PER_PAIR):
        assert attempt(client, proxy, "wrong-password-9", **{"X-Forwarded-For": "198.18.0.1"}).status_code == 401
    assert attempt(client, proxy, PASSWORD, **{"X-Forwarded-For": "198.18.0.1"}).status_code == 429
    # Another applicant behind the same proxy is not locked out; a spoofed first hop is not believed.
    answer = attempt(client, proxy, PASSWORD, **{"X-Forwarded-For": "198.18.0.1, 198.18.0.2"})
    assert answer.status_code == 200, answer.json
    tokens = client.get("/api/auth/tokens", headers={"Authorization": f"Bearer {answer.json['token']}"}).json
    assert [t["address"] for t in tokens if t["current"]] == ["198.18.0.2"]
