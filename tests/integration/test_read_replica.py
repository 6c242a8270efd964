"""The read replica (ONETHING_REPLICA_URL, issue 30) on a real pair of PostgreSQL 15 clusters, a
primary and a hot standby streaming from it (tests/pg_replica.py, made with Debian's tools for this
module): a case closed on the primary shows in the reports and the case search read on the replica
within the lag the supervision board reports; with the replica's replay paused they do not show it
(so they really read the replica) while writes and a case's own page go on on the primary; and with
the replica stopped the board says so and the reports answer from the primary."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.document_settings import DocumentSettings
from engine.services.replica import RETRY_SECONDS
from tests.approvals import approve_every_item
from tests.conftest import APPLICANT, CLERK, HEADERS, FakeClock, bearer, case_body, create_personas
from tests.pg_replica import ReplicaPair, replica_pair  # noqa: F401 - the module's pair of clusters

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DATABASE = "onething"
MARGIN_SECONDS = 2.0
"""How much later than the lag the board reports a closed case may show on the replica."""
RESTAURANT = json.loads((Path(__file__).resolve().parents[2] / "bpmn" / "restaurant" / "bundle.json")
                        .read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def replicated(replica_pair: ReplicaPair, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
               ) -> Iterator[tuple[OneThingEngine, dict[str, str]]]:
    """The engine on the pair's primary with the replica configured, migrated and deployed (on the
    primary; the replica replays it), with the personas' users and their tokens."""
    replica_pair.primary_sql(f'CREATE DATABASE "{DATABASE}"')
    settings = Settings(database_url=replica_pair.primary_url(DATABASE),
                        replica_url=replica_pair.replica_url(DATABASE), clock=FakeClock(),
                        password_strength="fast", token_ttl_hours=8760,
                        documents=DocumentSettings(tmp_path_factory.mktemp("files")))
    built = build_engine(settings)
    try:
        yield built, create_personas(built)
    finally:
        built.dispose()


@pytest.fixture
def client(replicated: tuple[OneThingEngine, dict[str, str]]) -> Any:
    """As tests/conftest.py's client (the supervisor by default), on the replicated engine."""
    engine, tokens = replicated
    for name, token in tokens.items():
        HEADERS[name].clear()
        HEADERS[name].update(bearer(token))
    test_client = create_app({"ENGINE": engine, "TESTING": True}).test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = HEADERS["supervisor"]["Authorization"]
    return test_client


def started(client: Any) -> str:
    answer = client.post("/api/cases", json=case_body(client), headers=CLERK)
    assert answer.status_code == 201, answer.json
    return str(answer.json["number"])


def close(client: Any, number: str) -> None:
    """Every item approved, the results handed over: the case is closed, its savings recorded."""
    assert len(approve_every_item(client, number, RESTAURANT["items"])) == len(RESTAURANT["items"])
    handed = client.post(f"/api/cases/{number}/pickup", json={"recipient_name": APPLICANT["name"]}, headers=CLERK)
    assert handed.status_code == 200 and handed.json["status"] == "closed", handed.json


def closed_count(client: Any) -> int:
    """Closed cases as the savings report counts them."""
    answer = client.get("/api/reports/savings")
    assert answer.status_code == 200, answer.json
    return int(answer.json["count"])


def searched(client: Any, number: str) -> str | None:
    """The case's status as the case search lists it (None: not listed)."""
    answer = client.get(f"/api/cases?q={number}")
    assert answer.status_code == 200, answer.json
    return next((c["status"] for c in answer.json["items"] if c["number"] == number), None)


def replica(client: Any) -> dict[str, Any]:
    answer = client.get("/api/supervision/departments")
    assert answer.status_code == 200, answer.json
    return dict(answer.json["replica"])


def until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_case_closed_on_the_primary_shows_on_the_replica_within_the_lag_the_board_reports(client: Any) -> None:
    assert until(lambda: replica(client)["behind_bytes"] == 0, 10)  # the engine's start replayed
    before = closed_count(client)
    number = started(client)
    close(client, number)
    closed_at = time.monotonic()
    lags = []

    def shown() -> bool:
        lags.append(replica(client))
        return closed_count(client) == before + 1 and searched(client, number) == "closed"

    assert until(shown, 30), lags[-1]
    took = time.monotonic() - closed_at
    assert all(r["configured"] and r["reachable"] for r in lags)
    assert all(isinstance(r["lag_seconds"], float | int) and r["lag_seconds"] >= 0 for r in lags)
    worst = max(r["lag_seconds"] for r in lags)
    print(f"shown on the replica {took:.3f} s after the close; lags reported meanwhile: "
          f"{[r['lag_seconds'] for r in lags]}")
    assert took <= worst + MARGIN_SECONDS
    leaders = client.get("/api/reports/leaders").json["overall"]
    assert leaders["closed"] >= 1


def test_with_the_replicas_replay_paused_the_reports_do_not_show_a_new_closed_case(
        client: Any, replica_pair: ReplicaPair) -> None:  # noqa: F811
    number = started(client)  # before the pause: the case exists, open, on both
    assert until(lambda: searched(client, number) == "in_review", 10)
    before = closed_count(client)
    replica_pair.pause_replay()
    try:
        close(client, number)  # the writes go on, on the primary
        assert client.get(f"/api/cases/{number}").json["status"] == "closed"  # its own page reads the primary
        time.sleep(0.5)
        first = replica(client)
        assert first["replay_paused"] is True and first["behind_bytes"] > 0
        time.sleep(1.0)
        second = replica(client)
        assert second["lag_seconds"] >= first["lag_seconds"] + 0.9  # the lag grows with nothing replayed
        assert closed_count(client) == before and searched(client, number) == "in_review"
        print(f"replay paused: lag {first['lag_seconds']} s then {second['lag_seconds']} s, "
              f"{second['behind_bytes']} bytes behind")
    finally:
        replica_pair.resume_replay()
    resumed = time.monotonic()
    assert until(lambda: closed_count(client) == before + 1 and searched(client, number) == "closed", 10)
    print(f"shown {time.monotonic() - resumed:.3f} s after the replay resumed")
    assert until(lambda: replica(client)["lag_seconds"] == 0, 10)


def test_while_replay_is_paused_a_new_case_is_written_and_its_own_page_shows_it_at_once(
        client: Any, replica_pair: ReplicaPair) -> None:  # noqa: F811
    replica_pair.pause_replay()
    try:
        number = started(client)
        detail = client.get(f"/api/cases/{number}")
        assert detail.status_code == 200 and detail.json["status"] == "in_review"
        opened = client.get(f"/api/tasks?case={number}&state=open").json["items"]  # a reviewer's inbox: primary
        assert opened and {t["case_number"] for t in opened} == {number}
        assert searched(client, number) is None  # the list reads the replica, which has not seen it
    finally:
        replica_pair.resume_replay()
    assert until(lambda: searched(client, number) == "in_review", 10)


def test_a_stopped_replica_is_reported_and_the_reads_fall_back_to_the_primary(
        client: Any, replica_pair: ReplicaPair) -> None:  # noqa: F811
    number = started(client)
    assert until(lambda: replica(client)["behind_bytes"] == 0, 10)
    count = closed_count(client)
    replica_pair.stop_replica()
    try:
        board = replica(client)
        assert board["configured"] is True and board["reachable"] is False and board["reason"]
        assert set(board) == {"configured", "reachable", "reason"}
        close(client, number)  # on the primary, unseen by the stopped replica
        assert closed_count(client) == count + 1 and searched(client, number) == "closed"
        for path in ("/api/reports/leaders", "/api/reports/service-points", "/api/supervision/warnings",
                     "/api/reports/savings.csv"):
            assert client.get(path).status_code == 200, path
    finally:
        replica_pair.start_replica()
    # Back: once the board (or RETRY_SECONDS) has seen it answer, the reads go to it again.
    assert until(lambda: replica(client).get("reachable") is True, RETRY_SECONDS + 10)
    assert until(lambda: searched(client, number) == "closed", 10)

