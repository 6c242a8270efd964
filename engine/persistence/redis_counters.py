"""Rate-limit counters (failed logins, status checks, login codes, hall tickets) in Redis, shared by
every server process on every machine (``ONETHING_REDIS_URL``); without it the database keeps them
(``engine.persistence.accounts.LoginFailureRepository``).

Each counter is one hash, ``failures`` and ``start`` (the window's opening, microseconds since the
epoch of the engine's clock), that expires with its window. Counting is one Lua script, so parallel
attempts on one subject are counted one after another, each seeing the count of those before it.

Redis is not part of the database's transaction, so the unit of work keeps the database's contract
by hand: a count made in a transaction that then rolls back (a refused attempt, a retried one) is
taken back when it rolls back, and ``uncount`` and ``clear`` take effect only once it commits. Until
a rolled-back count is taken back, parallel attempts see it: at the limit, one may be refused that
the database would have let through; none is ever let through that it would have refused.

A Redis that does not answer does not fail the request: the counters fall back to the database's,
with a warning, and a circuit breaker keeps them there for ``reset_seconds`` before Redis is asked
again. What was counted in Redis before is not seen meanwhile (counting starts afresh there)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pybreaker
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.persistence.accounts import LoginFailureRepository

_log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

KEY_PREFIX = "onething:failures:"
"""Every counter's key starts with it; the scope and the subject follow, separated by a colon."""

# KEYS[1]: the counter; ARGV: now and the window in microseconds, the window in milliseconds (its expiry).
_COUNT = """
local start = redis.call('HGET', KEYS[1], 'start')
if (not start) or tonumber(start) <= tonumber(ARGV[1]) - tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'failures', 1, 'start', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {1, ARGV[1]}
end
return {redis.call('HINCRBY', KEYS[1], 'failures', 1), start}
"""

# KEYS[1]: the counter; ARGV[1]: the window it must still be in ('' : whichever).
_UNCOUNT = """
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'start') ~= ARGV[1] then
  return 0
end
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures'))
if failures and failures > 0 then
  return redis.call('HINCRBY', KEYS[1], 'failures', -1)
end
return 0
"""


class _Logged(pybreaker.CircuitBreakerListener):
    """Says when Redis stops answering (each failure opens the circuit) and when it answers again."""

    def failure(self, cb: pybreaker.CircuitBreaker, exc: BaseException) -> None:
        _log.warning("Redis does not answer (%s): rate-limit counters are in the database for the next %g s",
                     exc, cb.reset_timeout)

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: pybreaker.CircuitBreakerState | None,
                     new_state: pybreaker.CircuitBreakerState) -> None:
        if new_state.name == pybreaker.STATE_CLOSED and old_state is not None:
            _log.warning("Redis answers again: rate-limit counters are back in Redis")


class RedisCounters:
    """The process's way to the counters: one client (its connection pool shared by the threads) and
    one circuit breaker. ``transaction`` gives the repository of one unit of work."""

    def __init__(self, client: redis.Redis, reset_seconds: float = 30.0, prefix: str = KEY_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self.breaker = pybreaker.CircuitBreaker(fail_max=1, reset_timeout=reset_seconds, listeners=[_Logged()],
                                                name="redis counters")
        self._count = client.register_script(_COUNT)
        self._uncount = client.register_script(_UNCOUNT)

    @staticmethod
    def from_url(url: str, timeout: float = 0.5, reset_seconds: float = 30.0) -> RedisCounters:
        """Nothing is connected yet. A request waits at most about ``timeout`` (twice: one retry on a
        fresh connection, for a pooled one Redis has closed) before the database counts instead."""
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                      retry=Retry(NoBackoff(), 1))
        return RedisCounters(client, reset_seconds)

    def key(self, scope: str, subject: str) -> str:
        return f"{self.prefix}{scope}:{subject}"

    def transaction(self, in_database: LoginFailureRepository) -> RedisLoginFailures:
        """The counters of one unit of work; ``in_database`` counts in its transaction when Redis does not
        answer. The unit of work calls ``committed`` or ``rolled_back`` at its end."""
        return RedisLoginFailures(self, in_database)

    def count(self, key: str, now: datetime, window: timedelta) -> tuple[int, datetime, str]:
        """Count one; answers the count, its window's opening, and that opening as stored."""
        window_us = _micros(window)
        failures, start = self.breaker.call(self._count, keys=[key],
                                            args=[_micros(now - _EPOCH), window_us, math.ceil(window_us / 1000)])
        stored = start.decode() if isinstance(start, bytes) else str(start)
        return int(failures), _EPOCH + timedelta(microseconds=int(stored)), stored

    def uncount(self, key: str, start: str = "") -> None:
        self.breaker.call(self._uncount, keys=[key], args=[start])

    def clear(self, key: str) -> None:
        self.breaker.call(self.client.delete, key)


class RedisLoginFailures:
    """``LoginFailureRepository`` for one unit of work, in Redis (see the module's docstring)."""

    def __init__(self, counters: RedisCounters, in_database: LoginFailureRepository) -> None:
        self._counters = counters
        self._database = in_database
        self._counted: list[tuple[str, str]] = []
        """(key, window opening as stored) of each count made in Redis: taken back on rollback."""
        self._after_commit: list[Callable[[], None]] = []
        self._in_database = False
        """Redis failed in this transaction: it counts in the database to its end."""

    def count(self, scope: str, subject: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
        """Count one more failure; answers the count with it and when its window opened."""
        if not self._in_database:
            key = self._counters.key(scope, subject)
            try:
                failures, start, stored = self._counters.count(key, now, window)
            except (redis.RedisError, pybreaker.CircuitBreakerError):
                self._in_database = True  # the breaker's listener has said why
            else:
                self._counted.append((key, stored))
                return failures, start
        return self._database.count(scope, subject, now, window)

    def uncount(self, scope: str, subject: str) -> None:
        """Take back one failure counted in advance (the attempt succeeded), once the transaction commits."""
        if self._redis_down():
            self._database.uncount(scope, subject)
        else:
            key = self._counters.key(scope, subject)
            self._after_commit.append(lambda: self._counters.uncount(key))

    def clear(self, scope: str, subject: str) -> None:
        """Forget the counter, once the transaction commits."""
        if self._redis_down():
            self._database.clear(scope, subject)
        else:
            key = self._counters.key(scope, subject)
            self._after_commit.append(lambda: self._counters.clear(key))

    def forget_before(self, before: datetime) -> None:
        """Redis forgets by itself (each key expires with its window); the database forgets what it counted
        while Redis did not answer."""
        self._database.forget_before(before)

    def committed(self) -> None:
        """The transaction committed: what waited for it happens now (a Redis that fails by then is logged)."""
        work, self._after_commit, self._counted = self._after_commit, [], []
        for step in work:
            self._quietly(step, "a success's count could not be taken back")

    def rolled_back(self) -> None:
        """The transaction rolled back: its counts are taken back (in the window they were made in)."""
        counted, self._counted, self._after_commit = self._counted, [], []
        for key, start in counted:
            self._quietly(partial(self._counters.uncount, key, start), "a rolled-back count could not be taken back")

    def _redis_down(self) -> bool:
        """Whether what is counted now is counted in the database (so is taken back there)."""
        return self._in_database or self._counters.breaker.current_state == pybreaker.STATE_OPEN

    def _quietly(self, step: Callable[[], None], what: str) -> None:
        try:
            step()
        except (redis.RedisError, pybreaker.CircuitBreakerError) as err:
            _log.warning("Redis counters: %s (%s)", what, err)


def _micros(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
