"""Celery, for a centre running on several machines: beat sends ``onething.tick`` every
``ONETHING_TICK_SECONDS`` and any worker runs it (broker ``ONETHING_BROKER_URL``, Redis by default).

    celery -A api.worker worker --beat --loglevel=info

Several workers, several beats, cron and the in-process ticker may all run: a timer still fires
once (each case is handled under its row lock, see ``engine.services.timers``). The engine is built
on the first task, not at import, from the same environment variables as the server."""

from __future__ import annotations

import os
import threading

from celery import Celery

from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.services.timers import tick

app = Celery("onething", broker=os.environ.get("ONETHING_BROKER_URL", "redis://127.0.0.1:6379/0"))
app.conf.update(
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    beat_schedule={"tick": {"task": "onething.tick",
                            "schedule": float(os.environ.get("ONETHING_TICK_SECONDS", "60") or 60)}},
)

_engine: OneThingEngine | None = None
_lock = threading.Lock()


def _built() -> OneThingEngine:
    global _engine
    with _lock:
        if _engine is None:
            settings = Settings.from_env()
            settings.deploy_shipped = False  # the server deploys; a worker only runs what is due
            _engine = build_engine(settings)
        return _engine


@app.task(name="onething.tick")
def tick_task() -> list[str]:
    """One pass of the ticker: due timers fire, overdue cases are terminated, clocks change colour."""
    return tick(_built().ctx).lines()
