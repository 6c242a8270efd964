"""The rate limits' counters in Redis (``engine.persistence.redis_counters``), against the machine's
Redis: counting, the window and its expiry, taking back, parallel counting; through the unit of work a
refused or rolled-back attempt counts nothing and nothing is written to the database's table; a Redis
that does not answer leaves the counting to the database, quickly and with a warning."""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import func, select

from engine.bootstrap import OneThingEngine
from engine.domain.errors import TooManyAttempts, Unauthenticated
from engine.domain.model import SYSTEM
from engine.persistence import tables as t
from engine.persistence.redis_counters import RedisCounters
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.accounts import CreateUser, create_user
from engine.services.login_limits import MAX_FAILURES_PER_PAIR
from engine.services.sessions import LogIn, log_in

REDIS_URL = "redis://127.0.0.1:6379/11"
"""A database of the machine's Redis no other test uses; each test's keys have a prefix of their own."""
NOW = datetime(2026, 9, 24, 1, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the database only holds users here; Redis is the subject


@pytest.fixture
def counters() -> Iterator[RedisCounters]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the machine provides it)")
    made = RedisCounters.from_url(REDIS_URL)
    made.prefix = f"test:{uuid.uuid4().hex}:"
    yield made
    for key in client.scan_iter(f"{made.prefix}*"):
        client.delete(key)
    made.client.close()
    client.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def in_redis(engine: OneThingEngine, counters: RedisCounters) -> None:
    """The engine's units of work keep their counters in ``counters``."""
    key = engine.ctx.uow(False).audit_key
    engine.ctx.uow = lambda write, snapshot=False: SqlAlchemyUnitOfWork(engine.db, write, snapshot, key, counters)


def table_rows(engine: OneThingEngine) -> int:
    with engine.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.login_failure_counts)).scalar_one())


def failures(counters: RedisCounters, scope: str, subject: str) -> int | None:
    stored = counters.client.hget(counters.key(scope, subject), "failures")
    return None if stored is None else int(stored)


def test_counts_share_a_window_that_opens_at_the_first_and_expires_with_it(counters: RedisCounters) -> None:
    key = counters.key("pair", "ghost\n10.0.0.1")
    answers = [counters.count(key, NOW + timedelta(seconds=s), WINDOW)[:2] for s in (0, 10, 20)]
    assert answers == [(1, NOW), (2, NOW), (3, NOW)]
    assert 0 < counters.client.pttl(key) <= WINDOW.total_seconds() * 1000
    # Once the window has passed (by the clock the engine passes in), counting starts afresh.
    assert counters.count(key, NOW + WINDOW, WINDOW)[:2] == (1, NOW + WINDOW)
    # The key itself expires with its window.
    short = counters.key("address", "10.0.0.2")
    assert counters.count(short, NOW, timedelta(milliseconds=300))[0] == 1
    assert counters.client.exists(short) == 1
    deadline = time.monotonic() + 10
    while counters.client.exists(short) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counters.client.exists(short) == 0


def test_uncount_takes_one_back_and_clear_forgets(counters: RedisCounters) -> None:
    key = counters.key("login", "ghost")
    for s in range(3):
        counters.count(key, NOW + timedelta(seconds=s), WINDOW)
    counters.uncount(key)
    assert counters.count(key, NOW + timedelta(seconds=5), WINDOW)[0] == 3
    counters.uncount(key, "0")  # a take-back of another window's count does nothing
    assert int(counters.client.hget(key, "failures") or 0) == 3
    counters.clear(key)
    assert counters.client.exists(key) == 0
    counters.uncount(key)  # nothing to take back: no key appears (it would never expire)
    assert counters.client.exists(key) == 0
    counters.count(key, NOW, WINDOW)
    counters.uncount(key)
    counters.uncount(key)
    assert int(counters.client.hget(key, "failures") or 0) == 0  # never below zero


def test_twenty_threads_counting_at_once_count_twenty(counters: RedisCounters) -> None:
    key = counters.key("address", "10.0.0.3")
    start = threading.Barrier(20)
    answers: list[int] = []

    def one() -> None:
        start.wait()
        answers.append(counters.count(key, NOW, WINDOW)[0])

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == list(range(1, 21))  # each saw those counted before it


def test_failed_logins_lock_the_pair_in_redis_and_a_refused_one_counts_nothing(
        engine: OneThingEngine, counters: RedisCounters) -> None:
    in_redis(engine, counters)
    for _ in range(MAX_FAILURES_PER_PAIR):
        with pytest.raises(Unauthenticated):
            log_in(LogIn("ghost", "wrong", "10.0.0.4"), engine.ctx)
    for _ in range(2):
        with pytest.raises(TooManyAttempts) as refused:
            log_in(LogIn("ghost", "wrong", "10.0.0.4"), engine.ctx)
        assert 0 < refused.value.retry_after <= WINDOW.total_seconds() + 1
    # The refused attempts' transactions rolled back: their counts were taken back.
    assert failures(counters, "pair", "ghost\n10.0.0.4") == MAX_FAILURES_PER_PAIR
    assert failures(counters, "address", "10.0.0.4") == MAX_FAILURES_PER_PAIR
    assert failures(counters, "login", "ghost") == MAX_FAILURES_PER_PAIR
    assert table_rows(engine) == 0
    with pytest.raises(Unauthenticated):  # from another address: checked (its own pair)
        log_in(LogIn("ghost", "wrong", "10.0.0.5"), engine.ctx)


def test_a_right_password_takes_its_count_back_once_committed(engine: OneThingEngine,
                                                              counters: RedisCounters) -> None:
    create_user(CreateUser("liu.test", "刘测试", "wj", ["reviewer"], "right-password-2026", SYSTEM), engine.ctx)
    in_redis(engine, counters)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            log_in(LogIn("liu.test", "wrong", "10.0.0.6"), engine.ctx)
    assert log_in(LogIn("liu.test", "right-password-2026", "10.0.0.6"), engine.ctx).token
    assert failures(counters, "pair", "liu.test\n10.0.0.6") is None  # the pair starts afresh
    assert failures(counters, "address", "10.0.0.6") == 2  # the wider counters keep the failures
    assert failures(counters, "login", "liu.test") == 2
    assert table_rows(engine) == 0


def test_a_redis_that_does_not_answer_leaves_the_counting_to_the_database(
        engine: OneThingEngine, caplog: pytest.LogCaptureFixture) -> None:
    dead = RedisCounters.from_url(f"redis://127.0.0.1:{closed_port()}/0")
    in_redis(engine, dead)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="engine.persistence.redis_counters"):
        for _ in range(MAX_FAILURES_PER_PAIR):
            with pytest.raises(Unauthenticated):
                log_in(LogIn("ghost", "wrong", "10.0.0.7"), engine.ctx)
        with pytest.raises(TooManyAttempts):
            log_in(LogIn("ghost", "wrong", "10.0.0.7"), engine.ctx)
    took = time.monotonic() - started
    assert table_rows(engine) == 3  # pair, address, login: counted in the database
    warned = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(warned) == 1, caplog.text  # once: the open circuit keeps the others off Redis
    assert dead.breaker.current_state == "open"
    assert took < 10, took  # no attempt waited on Redis's timeouts
