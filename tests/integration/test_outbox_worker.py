"""The notification worker killed mid-delivery: `onething tick` runs as its own process, sends the
acceptance SMS to a gateway on loopback that takes it and answers slowly, and is killed (SIGKILL)
while it waits. A second worker, once the first one's lease ran out, delivers every message of the
case: the gateway keeps the SMS once (the same out_id), nothing is lost, nothing doubled; a gateway
that keeps failing leaves the message retried and then shown failed on the case."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.bootstrap import OneThingEngine
from engine.domain.notifications import DeliveryState
from tests.api.test_case_journey import start
from tests.sms_gateway_server import Gateway, running_gateway

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with running_gateway() as found:
        yield found


def worker(engine: OneThingEngine, gateway: Gateway) -> subprocess.Popen[bytes]:
    """`onething tick` against the test's database, the SMS gateway on loopback, a 2-second lease."""
    env = {**os.environ, "DATABASE_URL": engine.settings.database_url, "ONETHING_SMS_URL": gateway.url,
           "ONETHING_SMS_KEY": gateway.key, "ONETHING_SMS_TIMEOUT": "30", "ONETHING_OUTBOX_LEASE_SECONDS": "2",
           "ONETHING_DEPLOY_SHIPPED": "0", "ONETHING_FILES_DIR": str(engine.settings.documents.files_dir)}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "tick"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def messages(engine: OneThingEngine, case_id: int) -> list[Any]:
    with engine.ctx.uow(False) as uow:
        return uow.outbox.for_case(case_id)


def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(
        client: Any, engine: OneThingEngine, gateway: Gateway) -> None:
    case = start(client)
    gateway.mode, gateway.slow_seconds = "slow", 60
    first = worker(engine, gateway)
    deadline = time.monotonic() + 60
    while gateway.requests == 0 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    assert gateway.requests == 1, first.communicate()
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)  # reaps it and closes its pipes
    assert {m.state for m in messages(engine, case["id"])} == {DeliveryState.SENDING}  # claimed, never recorded

    gateway.mode = "ok"
    time.sleep(2.5)  # the dead worker's lease runs out
    second = worker(engine, gateway)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    found = messages(engine, case["id"])
    assert [(m.channel, m.state) for m in found] == [("sms", DeliveryState.SENT), ("inapp", DeliveryState.SENT)]
    assert [m.attempts for m in found] == [2, 2]
    assert [body["out_id"] for body in gateway.received] == [f"case:{case['id']}:1:sms"]  # kept once
    assert gateway.requests == 2  # the second worker's try was answered DUPLICATE
    assert case["number"] in gateway.received[0]["text"]


def test_a_gateway_that_keeps_failing_is_retried_then_shown_failed(
        client: Any, engine: OneThingEngine, gateway: Gateway) -> None:
    from engine.services.notifications import deliver_outbox
    from engine.sources.sms_gateway import SmsGateway, SmsGatewayConfig

    engine.ctx.senders[SmsGateway.channel] = SmsGateway(SmsGatewayConfig(gateway.url, gateway.key))
    case = start(client)
    gateway.mode = "error"
    deliver_outbox(engine.ctx)
    [sms] = [m for m in messages(engine, case["id"]) if m.channel == "sms"]
    assert sms.state == DeliveryState.PENDING and "500" in (sms.last_error or "")
    clock = engine.ctx.clock
    for _ in range(5):
        clock.advance(hours=1)  # type: ignore[attr-defined]
        deliver_outbox(engine.ctx)
    shown = client.get(f"/api/cases/{case['number']}/notifications").json["notifications"]
    assert [(n["channel"], n["state_label"], n["attempts"]) for n in shown] == [("sms", "发送失败", 6),
                                                                                ("inapp", "已送达", 1)]
    assert "500" in shown[0]["error"] and gateway.requests == 6 and gateway.received == []
