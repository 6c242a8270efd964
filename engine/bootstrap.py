"""The composition root: settings from the environment, and the one place the engine is built."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from engine.persistence.database import make_engine
from engine.persistence.migrate import upgrade
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.context import ServiceContext
from engine.services.flows import deploy_shipped_flows, warm_spec_cache
from engine.workflow.cache import WorkflowCache
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import SpecCache

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'onething.sqlite3'}"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    bpmn_dir: Path = ROOT / "bpmn"
    deploy_shipped: bool = True
    pool_size: int = 10
    workflow_cache_size: int = 256
    clock: Callable[[], datetime] = field(default=utc_now)

    @staticmethod
    def from_env() -> Settings:
        return Settings(
            database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            bpmn_dir=Path(os.environ.get("ONETHING_BPMN_DIR", str(ROOT / "bpmn"))),
            deploy_shipped=os.environ.get("ONETHING_DEPLOY_SHIPPED", "1") != "0",
            pool_size=int(os.environ.get("ONETHING_DB_POOL_SIZE", "10")),
            workflow_cache_size=int(os.environ.get("ONETHING_WORKFLOW_CACHE", "256")),
        )


@dataclass
class OneThingEngine:
    settings: Settings
    db: Engine
    ctx: ServiceContext


def build_engine(settings: Settings) -> OneThingEngine:
    """Migrate the database, deploy the shipped bundles, parse every flow version once."""
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    db = make_engine(settings.database_url, settings.pool_size)
    ctx = ServiceContext(
        uow=lambda write: SqlAlchemyUnitOfWork(db, write),
        specs=SpecCache(),
        script_engine=SafeScriptEngine(),
        clock=settings.clock,
        workflows=WorkflowCache(settings.workflow_cache_size),
    )
    if settings.deploy_shipped:
        deploy_shipped_flows(ctx, settings.bpmn_dir)
    warm_spec_cache(ctx)
    return OneThingEngine(settings, db, ctx)
