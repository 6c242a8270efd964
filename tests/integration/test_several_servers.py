"""Several machines behind one PostgreSQL (issue 30): two granian server groups ("machine A" and
"machine B", two workers each, on ports of their own) on one database, neither ticking, a Celery worker
with beat as the only ticker, and the rate limits' counters in Redis. What one machine changes the other
sees: a case's every step at once (the live workflow cache never serves a stale workflow), a catalogue
edit at once, a revoked token or a changed user within ONETHING_AUTH_CACHE_SECONDS; failed logins count
together; a due timer fires once.

One pair of server groups and one Celery worker serve the whole module (started once, about 20 s)."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from engine.bootstrap import ROOT, OneThingEngine, Settings, build_engine
from engine.persistence import tables as t
from engine.persistence.redis_counters import KEY_PREFIX
from engine.services.accounts import DEMO_PASSWORD
from engine.services.login_limits import FAILURE_WINDOW, MAX_FAILURES_PER_PAIR
from tests.approvals import approval
from tests.conftest import PG_URL, applicant_for, application, bearer, reset_postgres, worker_database
from tests.granian_servers import call, free_port, granian, listens, living_children
from tests.integration.test_timers import with_reminder

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

AUTH_CACHE_SECONDS = 2.0
"""The servers' ONETHING_AUTH_CACHE_SECONDS: how long another machine may still accept a revoked token."""
LATE = 0.5
"""Slack on that bound for the clocks of two processes. A loaded machine needs none: a request is
answered with what the server knew when it took it up, never before it was sent."""
TIMED_BUNDLE = "social_security_card"
"""Deployed with a reminder (催办) one second after its first approval opens: the Celery ticker fires it."""
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
REDIS_URL = f"redis://127.0.0.1:6379/{14 - int(_WORKER.removeprefix('gw') or 0)}"
"""A Redis database of the machine's no other test module uses (14, or below it for a second xdist
worker), emptied at the start: the rate limits' counters and the Celery broker."""


@dataclass
class Machine:
    """One server group; ``call`` goes over its kept-alive connection (one worker), ``fresh`` opens a
    connection of its own each time (either worker, as the kernel spreads them)."""

    name: str
    port: int
    conn: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        try:
            return call(self.conn, method, path, body, headers)[:2]
        except (ConnectionError, http.client.HTTPException):
            self.conn.close()  # the kept-alive connection was closed by the server: once more on a new one
            return call(self.conn, method, path, body, headers)[:2]

    def fresh(self, method: str, path: str, body: Any = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            return call(conn, method, path, body, headers)
        finally:
            conn.close()


@dataclass
class Cluster:
    a: Machine
    b: Machine
    engine: OneThingEngine
    """On the same database, in this process: for what the tests send and to read the tables."""
    redis: redis.Redis
    tokens: dict[str, dict[str, str]]
    """Bearer headers of demo users, by login, logged in through A."""
    worker_log: Path

    def log_in(self, machine: Machine, login: str, password: str = DEMO_PASSWORD) -> str:
        status, answer = machine.call("POST", "/api/auth/login", {"login": login, "password": password})
        assert status == 200, answer
        return str(answer["token"])


def timed_bpmn(target: Path) -> Path:
    """The shipped bundles, the timed one with its reminder."""
    shutil.copytree(ROOT / "bpmn", target)
    flow = target / TIMED_BUNDLE / "flow.bpmn"
    flow.write_bytes(with_reminder(flow.read_bytes(), "approve_sl", '"PT1S"', "timeDuration"))
    return target


def wait_listening(server: subprocess.Popen[bytes], port: int, seconds: float = 120) -> None:
    """Until both of the group's workers have loaded the app (each listens on the port once it has)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = living_children(server.pid)
        if len(workers) == 2 and all(listens(pid, port) for pid in workers):
            return
        time.sleep(0.2)
    pytest.fail(f"granian on port {port} did not have two listening workers within {seconds:g} s")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set; PostgreSQL tests run in CI")
    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("machines")
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the machine provides it)")
    store.flushdb()
    url = worker_database(PG_URL, "machines")
    reset_postgres(url)
    # Migrated, deployed and the demo users seeded once, as production's first start does; the servers
    # then only serve (a worker that starts writes nothing).
    engine = build_engine(Settings(database_url=url, bpmn_dir=timed_bpmn(tmp / "bpmn"), demo_users=True,
                                   password_strength="fast"))
    common = {**os.environ, "DATABASE_URL": url, "ONETHING_DEPLOY_SHIPPED": "0", "ONETHING_REDIS_URL": REDIS_URL,
              "ONETHING_FILES_DIR": str(tmp / "files"), "ONETHING_DB_POOL_SIZE": "4"}
    servers = {**common, "ONETHING_TICK_SECONDS": "0", "ONETHING_AUTH_CACHE_SECONDS": str(AUTH_CACHE_SECONDS)}
    worker_log = tmp / "celery.log"
    with ExitStack() as stack:
        ports = free_port(), free_port()
        groups = [stack.enter_context(granian(servers, port, start_seconds=120)) for port in ports]
        for group, port in zip(groups, ports, strict=True):
            wait_listening(group, port)
        log = stack.enter_context(worker_log.open("wb"))
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "api.worker", "worker", "--beat", "--pool", "solo",
             "--loglevel", "warning", "--schedule", str(tmp / "beat-schedule")],
            cwd=ROOT, env={**common, "ONETHING_BROKER_URL": REDIS_URL, "ONETHING_TICK_SECONDS": "1"},
            stdout=log, stderr=subprocess.STDOUT)
        a, b = Machine("A", ports[0]), Machine("B", ports[1])
        made = Cluster(a, b, engine, store, {}, worker_log)
        for login in ("clerk", "admin", "scjg.reviewer", "cg.reviewer", "xf.reviewer", "wj.reviewer"):
            made.tokens[login] = bearer(made.log_in(a, login))
        print(f"two server groups and a Celery worker ready in {time.monotonic() - started:.1f}s")
        try:
            yield made
        finally:
            a.conn.close()
            b.conn.close()
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    engine.dispose()
    store.flushdb()
    store.close()


def open_ids(view: dict[str, Any]) -> set[str]:
    return {task["id"] for task in view["open_tasks"]}


def test_a_case_completed_step_by_step_through_alternate_machines_loses_no_update(cluster: Cluster) -> None:
    """Each approval goes through the other machine than the one before it; right after each, the other
    machine shows it done and what it opened. A machine's worker that kept the live workflow of an
    earlier step would, if it used it, lose the steps taken since (or be refused)."""
    a, b, clerk = cluster.a, cluster.b, cluster.tokens["clerk"]
    applicant = applicant_for(cluster.engine, "restaurant")
    body = {"bundle": "restaurant", "applicant": applicant, **application(cluster.engine, "restaurant", applicant)}
    status, view = a.call("POST", "/api/cases", body, clerk)
    assert status == 201, view
    case_id, machines = view["id"], (b, a)
    steps: list[tuple[str, str]] = []
    while approvals := [task for task in view["open_tasks"] if task["kind"] == "approval"]:
        task = approvals[0]
        here, there = machines[len(steps) % 2], machines[(len(steps) + 1) % 2]
        reviewer = cluster.tokens[f"{task['department']}.reviewer"]
        status, done = here.call("POST", f"/api/tasks/{task['id']}/complete", approval(task), reviewer)
        assert status == 200 and done["state"] == "completed", (here.name, done)
        steps.append((here.name, task["item"]))
        status, view = there.call("GET", f"/api/cases/{case_id}", None, clerk)
        assert status == 200, view
        assert task["id"] not in open_ids(view), (there.name, steps)
        assert {t["id"] for t in done["opened_tasks"]} <= open_ids(view), (there.name, steps)
        item = next(i for i in view["items"] if i["code"] == task["item"])
        assert item["status"] == "approved", (there.name, item)
    assert sorted(item for _, item in steps) == ["cy.jkz", "cy.spjy", "cy.xf", "cy.yyzz", "cy.zp"]
    assert [name for name, _ in steps] == ["B", "A", "B", "A", "B"]
    status, closed = a.call("POST", f"/api/cases/{case_id}/pickup", {"recipient_name": applicant["name"]}, clerk)
    assert (status, closed["status"]) == (200, "closed"), closed
    status, seen = b.call("GET", f"/api/cases/{case_id}", None, clerk)
    assert (status, seen["status"]) == (200, "closed")
    # Every step once: no step lost, none done twice.
    completed = [task for task in seen["tasks"] if task["state"] == "completed" and task["kind"] == "approval"]
    assert sorted(task["item"] for task in completed) == sorted(item for _, item in steps)
    assert all(item["status"] == "approved" for item in seen["items"])
    assert [e["type"] for e in seen["timeline"]].count("CaseClosed") == 1, [e["type"] for e in seen["timeline"]]


@dataclass(frozen=True)
class Watched:
    """What ``machine`` answered to requests sent from ``since`` on, each on a new connection."""

    asks: list[tuple[float, int, Any]]
    """(seconds after ``since`` the request was sent, status, answer)."""

    def last_before(self, seen: Any) -> float:
        """When the last request was sent that did not yet show the change (0: none)."""
        return max((sent for sent, status, answer in self.asks if not seen(status, answer)), default=0.0)

    def after(self, bound: float) -> list[int]:
        return [status for sent, status, _ in self.asks if sent >= bound]


def watch(machine: Machine, headers: dict[str, str], since: float, bound: float) -> Watched:
    """Asks ``machine`` who ``headers`` are, every 50 ms, until five requests were sent past ``bound``
    seconds after ``since``. A request answers with what the worker that took it knew when it took it,
    never earlier than it was sent: so a loaded machine only makes a cached answer less likely."""
    asks = []
    deadline = since + bound + 60
    while sum(sent >= bound for sent, _, _ in asks) < 5 and time.monotonic() < deadline:
        sent = time.monotonic() - since
        status, answer, _ = machine.fresh("GET", "/api/auth/me", None, headers)
        asks.append((sent, status, answer))
        time.sleep(0.05)
    return Watched(asks)


def refused(status: int, _answer: Any) -> bool:
    return status == 401


def accepted_everywhere(machine: Machine, headers: dict[str, str]) -> None:
    """``machine`` accepts the token, on several connections (so on both workers, most likely: each
    then holds it in its cache)."""
    for _ in range(6):
        status, answer, _ = machine.fresh("GET", "/api/auth/me", None, headers)
        assert status == 200, answer


@pytest.mark.parametrize("revoke", ["logout", "delete"])
def test_a_token_revoked_through_one_machine_is_refused_by_the_other_within_the_cache_time(
        cluster: Cluster, revoke: str) -> None:
    a, b = cluster.a, cluster.b
    token = cluster.log_in(a, "supervisor")
    headers = bearer(token)
    accepted_everywhere(b, headers)
    if revoke == "logout":
        status, answer = a.call("POST", "/api/auth/logout", None, headers)
    else:
        status, answer = a.call("DELETE", f"/api/auth/tokens/{token.split('.')[0]}", None, headers)
    assert status == 204, answer
    watched = watch(b, headers, time.monotonic(), AUTH_CACHE_SECONDS + LATE)
    last = watched.last_before(refused)
    print(f"{revoke}: B accepted the revoked token until {last:.2f}s after A revoked it, refused it from then on "
          f"(cache {AUTH_CACHE_SECONDS:g}s)")
    assert last < AUTH_CACHE_SECONDS + LATE, watched.asks
    # Past the bound neither of B's workers accepts it (each request on a connection of its own).
    assert watched.after(AUTH_CACHE_SECONDS + LATE) == [401] * 5, watched.asks


@pytest.mark.parametrize("change", [{"active": False}, {"roles": ["head"]}],
                         ids=["deactivated", "other roles"])
def test_a_user_changed_through_one_machine_is_seen_by_the_other_within_the_cache_time(
        cluster: Cluster, change: dict[str, Any]) -> None:
    a, b, admin = cluster.a, cluster.b, cluster.tokens["admin"]
    login = f"t{uuid.uuid4().hex[:8]}.wj"
    status, made = a.call("POST", "/api/users", {"login": login, "name": "测试审批员", "department": "wj",
                                                 "roles": ["reviewer"], "password": "changed-user-2026"}, admin)
    assert status == 201, made
    headers = bearer(cluster.log_in(b, login, "changed-user-2026"))
    accepted_everywhere(b, headers)
    status, answer = a.call("PATCH", f"/api/users/{login}", change, admin)
    assert status == 200, answer
    watched = watch(b, headers, time.monotonic(), AUTH_CACHE_SECONDS + LATE)

    def seen(status: int, answer: Any) -> bool:  # refused, or (were the token kept) with the new roles
        return status == 401 or (status == 200 and answer["roles"] != ["reviewer"])

    last = watched.last_before(seen)
    print(f"{change}: B answered as before the change until {last:.2f}s after A made it (cache "
          f"{AUTH_CACHE_SECONDS:g}s)")
    assert last < AUTH_CACHE_SECONDS + LATE, watched.asks
    assert watched.after(AUTH_CACHE_SECONDS + LATE) == [401] * 5, watched.asks  # the change revoked the tokens


def guide_of(machine: Machine, code: str, headers: dict[str, str]) -> dict[str, Any]:
    status, guide, _ = machine.fresh("GET", f"/api/bundles/{code}/guide", None, headers)
    assert status == 200, guide
    return dict(guide)


def test_a_catalogue_change_through_one_machine_is_seen_at_once_through_the_other(cluster: Cluster) -> None:
    a, b, admin, clerk = cluster.a, cluster.b, cluster.tokens["admin"], cluster.tokens["clerk"]
    code = "retirement"
    before = [guide_of(b, code, clerk) for _ in range(4)]  # on both of B's workers, most likely: each caches it
    item = before[0]["items"][0]
    key = before[0]["items"][0]["fields"][-1]
    label = before[0]["form"]["labels"][key]
    assert all(g["form"]["labels"][key] == label for g in before)

    with cluster.engine.ctx.uow(False) as uow:
        entry = uow.catalogue.entries("field")[key]
        bundle = uow.flows.bundle(code)
    assert bundle is not None
    status, answer = a.call("PUT", f"/api/catalogue/fields/{key}", {"definition": {**entry, "label": label + "（新）"}},
                            admin)
    assert status == 200, answer
    assert all(guide_of(b, code, clerk)["form"]["labels"][key] == label + "（新）" for _ in range(4))

    definition = {**bundle.definition, "items": [
        {**i, "promised_days": item["promised_days"] + 1} if i["code"] == item["code"] else i
        for i in bundle.definition["items"]]}
    status, answer = a.call("PUT", f"/api/bundles/{code}/definition", {"definition": definition}, admin)
    assert status == 200, answer
    for _ in range(4):
        seen = next(i for i in guide_of(b, code, clerk)["items"] if i["code"] == item["code"])
        assert seen["promised_days"] == item["promised_days"] + 1


def test_failed_logins_spread_over_both_machines_count_together_in_redis(cluster: Cluster) -> None:
    """README: five failures of one login name from one client address within 15 minutes lock that pair."""
    a, b = cluster.a, cluster.b
    login = f"nobody{uuid.uuid4().hex[:8]}"
    wrong = {"login": login, "password": "wrong-password-1"}
    for attempt in range(MAX_FAILURES_PER_PAIR):
        machine = (a, b)[attempt % 2]
        status, _, _ = machine.fresh("POST", "/api/auth/login", wrong)
        assert status == 401, (machine.name, attempt)
    for machine in (b, a, b):
        status, answer, headers = machine.fresh("POST", "/api/auth/login", wrong)
        assert status == 429, (machine.name, answer)
        assert 0 < int(headers["retry-after"]) <= FAILURE_WINDOW.total_seconds() + 1, headers

    pair = f"{KEY_PREFIX}pair:{login}\n127.0.0.1"
    assert int(cluster.redis.hget(pair, "failures") or 0) == MAX_FAILURES_PER_PAIR  # the refused counted nothing
    assert 0 < cluster.redis.pttl(pair) <= FAILURE_WINDOW.total_seconds() * 1000
    assert int(cluster.redis.hget(f"{KEY_PREFIX}login:{login}", "failures") or 0) == MAX_FAILURES_PER_PAIR
    with cluster.engine.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.login_failure_counts)).scalar_one() == 0


def test_the_celery_ticker_fires_a_due_timer_of_a_case_started_through_one_machine_once(cluster: Cluster) -> None:
    a, b, clerk = cluster.a, cluster.b, cluster.tokens["clerk"]
    applicant = applicant_for(cluster.engine, TIMED_BUNDLE)
    body = {"bundle": TIMED_BUNDLE, "applicant": applicant, **application(cluster.engine, TIMED_BUNDLE, applicant)}
    status, view = a.call("POST", "/api/cases", body, clerk)
    assert status == 201, view
    started = time.monotonic()

    def fired() -> list[dict[str, Any]]:
        status, seen = b.call("GET", f"/api/cases/{view['id']}", None, clerk)
        assert status == 200, seen
        return [e for e in seen["timeline"] if e["type"] == "TimerFired"]

    deadline = started + 90
    while not (found := fired()) and time.monotonic() < deadline:
        time.sleep(0.5)
    took = time.monotonic() - started
    time.sleep(3)  # a few more beats: the timer must not fire again
    assert [e["data"] for e in fired()] == [{"timer": "催办提醒"}], cluster.worker_log.read_text()[-3000:]
    assert found
    print(f"B saw the Celery ticker's TimerFired {took:.1f}s after A started the case (timer due after 1s)")
