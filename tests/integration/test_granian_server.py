"""The production server: granian serving the WSGI app from two worker processes, over one kept-alive
HTTP/1.1 connection, on the shipped bundles. A whole case goes from intake to pickup, a report
downloads as CSV, and bad input answers in the API's error shape."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import Settings, build_engine
from engine.services.accounts import DEMO_PASSWORD
from tests.approvals import approval
from tests.conftest import applicant_for, application

ROOT = Path(__file__).resolve().parents[2]
APPLICANT = {"name": "陈小明", "id_number": "11010519491231002X", "phone": "13800138000"}

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    server = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--factory", "api:create_app"],
        env=env, cwd=ROOT)
    try:
        for _ in range(150):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
            finally:
                probe.close()
        else:
            pytest.fail("granian did not start")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        yield conn, body
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def call(conn: http.client.HTTPConnection, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any, dict[str, str]]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn.request(method, path, data, {**(headers or {}), **({"Content-Type": "application/json"} if data else {})})
    response = conn.getresponse()
    payload = response.read()
    kind = response.getheader("Content-Type", "")
    headers_ = {k.lower(): v for k, v in response.getheaders()}  # granian sends them in lower case
    return response.status, json.loads(payload) if "json" in kind else payload, headers_


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
