"""The per-process cache of verified bearer tokens: short-lived, bounded, cleared on demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.domain.access import Principal, Role
from engine.domain.records import TokenRecord
from engine.services.token_cache import TokenCache


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry(n: int = 1) -> tuple[Principal, TokenRecord]:
    at = datetime(2026, 9, 24, tzinfo=UTC)
    principal = Principal(user_id=n, login=f"u{n}", name="王窗口", department="window", roles=frozenset({Role.CLERK}))
    return principal, TokenRecord(id=f"t{n}", user_id=n, secret_hash="h", created_at=at,
                                  expires_at=at + timedelta(hours=12))


def test_an_entry_lives_its_seconds_and_no_longer() -> None:
    ticks = Ticks()
    cache = TokenCache(5.0, monotonic=ticks)
    principal, record = entry()
    cache.put("t1.secret", principal, record)
    ticks.now += 4.9
    assert cache.get("t1.secret") == (principal, record)
    assert cache.get("t1.other-secret") is None  # the whole token is the key, secret included
    ticks.now += 0.1
    assert cache.get("t1.secret") is None


def test_zero_seconds_caches_nothing_and_clear_forgets_everything() -> None:
    off = TokenCache(0)
    off.put("t1.s", *entry())
    assert off.get("t1.s") is None
    on = TokenCache(5.0)
    on.put("t1.s", *entry(1))
    on.put("t2.s", *entry(2))
    on.clear()
    assert on.get("t1.s") is None and on.get("t2.s") is None


def test_a_flood_of_tokens_does_not_grow_it_past_its_size() -> None:
    cache = TokenCache(5.0, size=3)
    for n in range(10):
        cache.put(f"t{n}.s", *entry(n))
    assert sum(cache.get(f"t{n}.s") is not None for n in range(10)) <= 3
    assert cache.get("t9.s") is not None
