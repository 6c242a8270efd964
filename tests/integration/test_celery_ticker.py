"""The Celery ticker for several machines: a real worker with beat, on the machine's Redis broker,
fires a due BPMN timer of a case stored in the database, once."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.bootstrap import ROOT, Settings, build_engine
from tests.integration.test_timers import REMINDED, events, start, with_reminder

BROKER = os.environ.get("ONETHING_BROKER_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_a_celery_worker_with_beat_fires_a_due_timer_once(db_url: str, tmp_path: Path) -> None:
    if not redis_reachable():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (the machine provides it; Celery needs a broker)")
    bpmn = tmp_path / "bpmn"
    shutil.copytree(ROOT / "bpmn" / "catalogue", bpmn / "catalogue")
    (bpmn / "restaurant").mkdir()
    shutil.copy(ROOT / "bpmn" / "restaurant" / "bundle.json", bpmn / "restaurant" / "bundle.json")
    source = (ROOT / "bpmn" / "restaurant" / "flow.bpmn").read_bytes()
    flow = with_reminder(source, REMINDED, '"PT1S"', "timeDuration")
    (bpmn / "restaurant" / "flow.bpmn").write_bytes(flow)
    engine = build_engine(Settings(database_url=db_url, bpmn_dir=bpmn, password_strength="fast"))
    try:
        number = start(engine)
        env = {**os.environ, "DATABASE_URL": db_url, "ONETHING_BROKER_URL": BROKER, "ONETHING_TICK_SECONDS": "1",
               "ONETHING_BPMN_DIR": str(bpmn)}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "api.worker", "worker", "--beat", "--pool", "solo",
             "--loglevel", "warning", "--schedule", str(tmp_path / "beat-schedule")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not events(engine, number, "TimerFired"):
                time.sleep(0.5)
            time.sleep(3)  # a few more beats: the timer must not fire again
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0].decode(errors="replace")
        assert events(engine, number, "TimerFired") == [{"timer": "催办提醒"}], output[-3000:]
    finally:
        engine.db.dispose()
