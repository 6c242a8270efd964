"""The production server: granian serving the WSGI app from two worker processes, as README's production
command does, on the shipped bundles. Over one kept-alive HTTP/1.1 connection a whole case goes from
intake to pickup, a report downloads as CSV, and bad input answers in the API's error shape; under load
from several clients, a worker killed with SIGKILL (as an out-of-memory kill would) is replaced while
the other goes on serving."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import Settings, build_engine
from engine.services.accounts import DEMO_PASSWORD
from tests.approvals import approval
from tests.conftest import applicant_for, application
from tests.granian_servers import call, free_port, granian, listens, living_children, sockets

ROOT = Path(__file__).resolve().parents[2]
APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000"}

pytestmark = pytest.mark.slow

@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[http.client.HTTPConnection, dict[str, Any]]]:
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "ONETHING_DEMO_USERS": "1", "ONETHING_TICK_SECONDS": "0"}
    subprocess.run([sys.executable, "-m", "api.cli", "deploy"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    engine = build_engine(Settings(database_url=url, deploy_shipped=False))
    applicant = applicant_for(engine, "restaurant", APPLICANT)  # a new enterprise: its declared name
    body = {"bundle": "restaurant", "applicant": applicant, **application(engine, "restaurant", applicant)}
    engine.db.dispose()
    port = free_port()
    with granian(env, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        yield conn, body
        conn.close()


def test_a_case_goes_from_intake_to_pickup_through_granian(served: tuple[http.client.HTTPConnection, Any]) -> None:
    conn, body = served
    tokens = {}
    for who in ("clerk", "scjg.reviewer", "cg.reviewer", "xf.reviewer", "wj.reviewer", "supervisor"):
        status, answer, _ = call(conn, "POST", "/api/auth/login", {"login": who, "password": DEMO_PASSWORD})
        assert status == 200, answer
        tokens[who.split(".")[0]] = {"Authorization": f"Bearer {answer['token']}"}
    status, case, _ = call(conn, "POST", "/api/cases", body, tokens["clerk"])
    assert status == 201, case
    waiting = list(case["open_tasks"])
    completed = []
    while waiting:
        task = waiting.pop(0)
        status, done, _ = call(conn, "POST", f"/api/tasks/{task['id']}/complete", approval(task),
                               {**tokens[task["department"]], "Idempotency-Key": f"k-{task['id']}"})
        assert status == 200 and done["state"] == "completed", done
        completed.append(task["item"])
        if task["item"] == "cy.yyzz":  # the licence opens the food permit, the sign and the fire inspection
            assert [t["item"] for t in done["opened_tasks"]] == ["cy.spjy"], done  # what its reviewer may see
            waiting += done["opened_tasks"]
            for department, item in (("cg", "cy.zp"), ("xf", "cy.xf")):
                status, inbox, _ = call(conn, "GET", f"/api/tasks?case={case['number']}", None, tokens[department])
                assert status == 200, inbox
                waiting += [t for t in inbox["items"] if t["item"] == item]
    assert sorted(completed) == ["cy.jkz", "cy.spjy", "cy.xf", "cy.yyzz", "cy.zp"]
    status, closed, _ = call(conn, "POST", f"/api/cases/{case['id']}/pickup", {"recipient_name": "陈小明"},
                             tokens["clerk"])
    assert (status, closed["status"]) == (200, "closed"), closed
    assert len({e["type"] for e in closed["timeline"]}) > 5

    status, csv, headers = call(conn, "GET", "/api/reports/savings.csv?rows=cases", None, tokens["supervisor"])
    assert status == 200 and "text/csv" in headers["content-type"]
    assert case["number"] in csv.decode("utf-8-sig")

    status, error, _ = call(conn, "POST", "/api/cases", None, tokens["clerk"], raw=b"{not json")
    assert status == 400 and set(error) >= {"code", "message", "message_zh", "errors"}, error
    status, error, _ = call(conn, "POST", f"/api/tasks/{case['open_tasks'][0]['id']}/complete",
                            {"decision": "approve"}, tokens[case["open_tasks"][0]["department"]])
    assert status == 409, error  # completed already: the same connection still answers in the error shape


@dataclass
class Sent:
    started: float
    status: int | None = None
    """The answer's status; None when no answer came (the connection failed, and the one retry too)."""
    reconnected: bool = False


def load(port: int, headers: dict[str, str], stop: threading.Event, sent: list[Sent]) -> None:
    """One client: reads over one kept-alive connection until ``stop``. A request whose connection turns
    out to be closed or reset (it belonged to the killed worker) is sent again once on a new connection;
    reads are safe to repeat."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    path = "/api/cases?per_page=5"
    while not stop.is_set():
        record = Sent(time.monotonic())
        sent.append(record)
        for attempt in (1, 2):
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                record.status = response.status
                break
            except (ConnectionError, http.client.HTTPException, TimeoutError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                record.reconnected = attempt == 1
    conn.close()


def test_a_worker_killed_under_load_is_replaced_and_every_request_after_the_kill_is_answered(
        tmp_path: Path) -> None:
    """"Answered" means a complete HTTP answer with status 200, on the client's kept-alive connection or,
    when that connection belonged to the killed worker (closed or reset), on a new one opened once for
    that request. A request sent before the kill whose answer had not come may be lost; every request
    sent after the kill (after the worker's process is gone, so its listening socket is closed) must be
    answered. The worker count must come back to two, the new worker must listen, and the server must
    go on answering."""
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "ONETHING_DEMO_USERS": "1", "ONETHING_TICK_SECONDS": "0"}
    subprocess.run([sys.executable, "-m", "api.cli", "deploy"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    # Deployed above, as in production: a worker that starts (or replaces a dead one) writes nothing.
    env["ONETHING_DEPLOY_SHIPPED"] = "0"
    port, log = free_port(), tmp_path / "granian.log"
    with granian(env, port, log) as server:
        login = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, answer, _ = call(login, "POST", "/api/auth/login", {"login": "clerk", "password": DEMO_PASSWORD})
        login.close()
        assert status == 200, answer
        headers = {"Authorization": f"Bearer {answer['token']}"}
        workers = living_children(server.pid)
        assert len(workers) == 2, workers

        stop, sent = threading.Event(), [list[Sent]() for _ in range(4)]
        clients = [threading.Thread(target=load, args=(port, headers, stop, s)) for s in sent]
        for client in clients:
            client.start()
        try:
            time.sleep(1.5)  # every client has a kept-alive connection to one worker or the other
            # The worker that holds most of the clients' connections: they must find another.
            held = {pid: sockets(pid, port, "01") for pid in workers}
            victim = max(workers, key=lambda pid: held[pid])
            assert held[victim] > 0, held
            os.kill(victim, signal.SIGKILL)
            while victim in living_children(server.pid):
                time.sleep(0.001)
            killed_at = time.monotonic()
            deadline = killed_at + 60
            while len(replaced := living_children(server.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            back_at = time.monotonic()
            assert len(replaced) == 2 and victim not in replaced, (replaced, log.read_text())
            (newcomer,) = replaced - workers
            while not listens(newcomer, port) and time.monotonic() < deadline:
                time.sleep(0.05)  # the clients go on meanwhile: the other worker serves them all
            listening_at = time.monotonic()
            assert listens(newcomer, port), log.read_text()
            time.sleep(2)  # and now the new worker takes its share
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=60)
        assert server.poll() is None  # the server itself stayed up

    every = [r for s in sent for r in s]
    after = [r for r in every if r.started > killed_at]
    unanswered = [r for r in after if r.status != 200]
    assert len(after) > 20, len(after)
    assert not unanswered, (len(unanswered), len(after), log.read_text())
    assert sum(r.started > listening_at + 1 for r in after) > 5  # still serving with the new worker in
    # What the run measured: how long until the worker count was back and until the new worker listened,
    # how many requests were sent after the kill, how many needed their one reconnect, and how many sent
    # before it were lost.
    lost_before = sum(1 for r in every if r.started <= killed_at and r.status != 200)
    assert sum(r.reconnected for r in every) + lost_before >= 1  # the kill did cut clients off
    print(f"{held[victim]} of 4 clients on the killed worker; replaced in {back_at - killed_at:.3f}s, listening "
          f"after {listening_at - killed_at:.1f}s; {len(after)} requests after the kill, "
          f"{sum(r.reconnected for r in every)} reconnected once, {lost_before} lost in flight")
