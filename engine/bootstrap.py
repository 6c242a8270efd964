"""The composition root: settings from the environment, and the one place the engine is built."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from engine.document_settings import MB, DocumentSettings
from engine.domain.access import Role, roles_conflict
from engine.domain.audit import DEV_AUDIT_KEY, audit_key_problem
from engine.domain.clocks import WarningThresholds
from engine.domain.registries import KINDS
from engine.domain.savings_config import counting_rules_from_json
from engine.domain.savings_rules import DEFAULT_RULES, CountingRules
from engine.domain.secret_keys import SUGGESTION, secret_key_problem
from engine.identity_settings import IdentitySettings
from engine.notification_settings import NotificationSettings
from engine.persistence.database import UnsupportedDatabaseUrl, make_engine, postgresql_url
from engine.persistence.migrate import upgrade
from engine.persistence.redis_counters import RedisCounters
from engine.persistence.replication import measure_lag
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.accounts import DEMO_PASSWORD, seed_demo_users
from engine.services.catalogue import deploy_catalogue
from engine.services.context import ServiceContext
from engine.services.demo_registries import load_demo_registries
from engine.services.flows import deploy_shipped_flows, warm_spec_cache
from engine.services.page_cache import PageCache
from engine.services.passwords import make_hasher
from engine.services.registry_sources import EmbeddedRegistries
from engine.services.replica import Replica
from engine.services.timers import timer_functions
from engine.services.token_cache import TokenCache
from engine.sources.http_registry import HttpRegistries, HttpRegistryConfig
from engine.workflow.cache import WorkflowCache
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import SpecCache

ROOT = Path(__file__).resolve().parent.parent
ROLES = frozenset(Role.__members__.values())
DEV_SECRET_KEY = "onething-development-secret-key-not-for-production"  # noqa: S105 - refused in production
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'onething.sqlite3'}"
REPLICA_CONNECT_TIMEOUT = 2
"""Seconds to wait for the read replica to accept a connection before its reads go to the primary."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    replica_url: str = ""
    """A PostgreSQL streaming replica of ``database_url`` that reports, case search and supervision
    read from (ONETHING_REPLICA_URL); empty: everything reads the primary."""
    bpmn_dir: Path = ROOT / "bpmn"
    deploy_shipped: bool = True
    pool_size: int = 10
    prepared_statements: bool = True
    """PostgreSQL: send repeated statements prepared (off behind a pooler in transaction mode)."""
    workflow_cache_size: int = 2048
    clock: Callable[[], datetime] = field(default=utc_now)
    secret_key: str = DEV_SECRET_KEY
    audit_key: str = DEV_AUDIT_KEY
    """Signs the event log's hashes (HMAC-SHA256); kept outside the database (ONETHING_AUDIT_KEY)."""
    token_ttl_hours: float = 12.0
    auth_cache_seconds: float = 5.0
    """How long a verified bearer token is trusted without reading it again; 0: read every time."""
    password_strength: str = "strong"  # noqa: S105 - a hasher profile, not a password
    demo_users: bool = False
    demo_registries: bool = False
    """Load the demo registries (fictitious residents and enterprises) into every empty registry kind."""
    production: bool = False
    trusted_proxies: int = 0
    """How many reverse proxies in front of the server to trust for X-Forwarded-For/-Proto; 0: none."""
    tick_seconds: float = 60.0
    """How often ``serve`` runs the ticker in process (timers, clocks, overdue materials); 0: never."""
    redis_url: str = ""
    """Where the rate limits' counters are kept, shared by every machine; empty: in the database."""
    yellow_fraction: float = 0.2
    yellow_days: int = 2
    savings_rules: CountingRules = DEFAULT_RULES
    """How the savings figures (四减一优) are counted when a case closes (ONETHING_SAVINGS_RULES)."""
    lookup_alert_per_day: int = 300
    shared_data_url: str = ""
    """A provincial data-sharing platform's base URL; empty: the embedded registries answer everything."""
    shared_data_token: str = ""
    shared_data_paths: dict[str, str] | None = None
    """The platform's path of each registry kind (``ONETHING_SHARED_DATA_PATHS``, JSON); None: the
    default ``/registries/<kind>``."""
    shared_data_timeout: float = 0.5
    documents: DocumentSettings = field(default_factory=lambda: DocumentSettings(ROOT / "instance" / "files"))
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    """Lookups of shared data by one user in one day above which supervisors see the volume flagged."""

    @staticmethod
    def from_env() -> Settings:
        return Settings(
            database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            replica_url=os.environ.get("ONETHING_REPLICA_URL", ""),
            bpmn_dir=Path(os.environ.get("ONETHING_BPMN_DIR", str(ROOT / "bpmn"))),
            deploy_shipped=os.environ.get("ONETHING_DEPLOY_SHIPPED", "1") != "0",
            pool_size=int(os.environ.get("ONETHING_DB_POOL_SIZE", "10")),
            prepared_statements=os.environ.get("ONETHING_PREPARED_STATEMENTS", "1") != "0",
            workflow_cache_size=int(os.environ.get("ONETHING_WORKFLOW_CACHE", "2048")),
            secret_key=os.environ.get("ONETHING_SECRET_KEY", DEV_SECRET_KEY),
            audit_key=os.environ.get("ONETHING_AUDIT_KEY", DEV_AUDIT_KEY),
            token_ttl_hours=float(os.environ.get("ONETHING_TOKEN_TTL_HOURS", "12")),
            auth_cache_seconds=float(os.environ.get("ONETHING_AUTH_CACHE_SECONDS", "5")),
            demo_users=os.environ.get("ONETHING_DEMO_USERS", "0") == "1",
            demo_registries=os.environ.get("ONETHING_DEMO_REGISTRIES", "0") == "1",
            production=os.environ.get("ONETHING_ENV", "development") == "production",
            trusted_proxies=int(os.environ.get("ONETHING_TRUSTED_PROXIES", "0")),
            tick_seconds=float(os.environ.get("ONETHING_TICK_SECONDS", "60")),
            redis_url=os.environ.get("ONETHING_REDIS_URL", ""),
            yellow_fraction=float(os.environ.get("ONETHING_YELLOW_FRACTION", "0.2")),
            yellow_days=int(os.environ.get("ONETHING_YELLOW_DAYS", "2")),
            savings_rules=counting_rules_from_json(os.environ.get("ONETHING_SAVINGS_RULES", "{}")),
            lookup_alert_per_day=int(os.environ.get("ONETHING_LOOKUP_ALERT_PER_DAY", "300")),
            shared_data_url=os.environ.get("ONETHING_SHARED_DATA_URL", ""),
            shared_data_token=os.environ.get("ONETHING_SHARED_DATA_TOKEN", ""),
            shared_data_paths=shared_data_paths(os.environ.get("ONETHING_SHARED_DATA_PATHS", "")),
            shared_data_timeout=float(os.environ.get("ONETHING_SHARED_DATA_TIMEOUT", "0.5")),
            documents=DocumentSettings.from_env(ROOT / "instance" / "files"),
            notifications=NotificationSettings.from_env(),
            identity=IdentitySettings.from_env(),
        )


@dataclass
class OneThingEngine:
    settings: Settings
    db: Engine
    ctx: ServiceContext
    replica_db: Engine | None = None
    """The read replica's engine, if one is configured."""

    def dispose(self) -> None:
        """Close every pooled connection (the primary's and the replica's)."""
        self.db.dispose()
        if self.replica_db is not None:
            self.replica_db.dispose()


def build_engine(settings: Settings, specs: SpecCache | None = None) -> OneThingEngine:
    """Migrate the database, deploy the shipped bundles, parse every flow version once. Production
    settings that must not run are refused before anything is written. ``specs``: flows already
    parsed for this very database, by version id (the tests' copies of a template database start
    with the template's); by default an empty cache, as the server, the worker and the CLI build it."""
    if settings.production:
        refuse_unsafe_settings(settings)
    postgresql_url(settings.database_url)  # a driver the engine does not run on is refused before anything
    refuse_unfit_replica(settings)
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url, settings.prepared_statements)
    db = make_engine(settings.database_url, settings.pool_size, prepared_statements=settings.prepared_statements)
    hasher = make_hasher(settings.password_strength)
    audit_key = settings.audit_key.encode()
    counters = RedisCounters.from_url(settings.redis_url) if settings.redis_url else None
    ctx = ServiceContext(
        uow=lambda write, snapshot=False: SqlAlchemyUnitOfWork(db, write, snapshot, audit_key, counters),
        specs=SpecCache() if specs is None else specs,
        script_engine=SafeScriptEngine(),
        clock=settings.clock,
        workflows=WorkflowCache(settings.workflow_cache_size),
        passwords=hasher,
        token_ttl=timedelta(hours=settings.token_ttl_hours),
        tokens=TokenCache(settings.auth_cache_seconds),
        dummy_password_hash=hasher.hash(secrets.token_hex(16)),
    )
    replica_db = None
    if settings.replica_url:
        # Not migrated: the replica replays the primary's schema with everything else.
        replica_db = make_engine(settings.replica_url, settings.pool_size,
                                 prepared_statements=settings.prepared_statements,
                                 connect_timeout=REPLICA_CONNECT_TIMEOUT)
        replica = replica_db
        ctx.replica = Replica(uow=lambda: SqlAlchemyUnitOfWork(replica, False, False, audit_key),
                              lag=lambda: measure_lag(db, replica))
    if settings.shared_data_url:
        config = HttpRegistryConfig(settings.shared_data_url, settings.shared_data_token,
                                    read_timeout=settings.shared_data_timeout)
        if settings.shared_data_paths is not None:
            config = replace(config, paths=settings.shared_data_paths)
        ctx.registries = HttpRegistries(config, fallback=EmbeddedRegistries(ctx.uow))
    ctx.files = settings.documents.build_store()
    ctx.upload_limits = settings.documents.limits()
    ctx.pages = PageCache(int(settings.documents.page_cache_mb * MB))
    ctx.notices = settings.documents.notice_config()
    ctx.senders = settings.notifications.senders()
    ctx.outbox_lease = timedelta(seconds=settings.notifications.lease_seconds)
    ctx.identity = settings.identity.provider()
    ctx.script_engine.functions.update(timer_functions(ctx))
    ctx.thresholds = WarningThresholds(settings.yellow_fraction, settings.yellow_days)
    ctx.savings_rules = settings.savings_rules
    if settings.deploy_shipped:
        deploy_catalogue(ctx, settings.bpmn_dir / "catalogue")
        deploy_shipped_flows(ctx, settings.bpmn_dir)
    warm_spec_cache(ctx)
    if settings.demo_users:
        seed_demo_users(ctx)
    if settings.demo_registries:
        load_demo_registries(ctx, settings.clock().astimezone(SHANGHAI).date())
    engine = OneThingEngine(settings, db, ctx, replica_db)
    if settings.production:
        refuse_unsafe_production(engine)
    return engine


def refuse_unfit_replica(settings: Settings) -> None:
    """A read replica is a PostgreSQL standby of a PostgreSQL primary (streaming replication):
    anything else is refused at start, before the database is touched."""
    if not settings.replica_url:
        return
    if postgresql_url(settings.replica_url) is None:
        raise UnsupportedDatabaseUrl(
            "ONETHING_REPLICA_URL must name a PostgreSQL standby (postgresql://user@host:5432/db), "
            f"not {settings.replica_url.split(':', 1)[0]}: the read replica is PostgreSQL streaming replication")
    if postgresql_url(settings.database_url) is None:
        raise UnsupportedDatabaseUrl(
            "ONETHING_REPLICA_URL needs DATABASE_URL on PostgreSQL: the replica streams from that primary")


def shared_data_paths(text: str) -> dict[str, str] | None:
    """``ONETHING_SHARED_DATA_PATHS``: a JSON object of registry kind -> path ("" or a kind left out:
    the embedded registries answer it); empty: every kind at ``/registries/<kind>``."""
    if not text.strip():
        return None
    paths = json.loads(text)
    if not isinstance(paths, dict) or not all(k in KINDS and isinstance(v, str) for k, v in paths.items()):
        raise ValueError(f"ONETHING_SHARED_DATA_PATHS must map registry kinds ({', '.join(KINDS)}) to paths")
    return {str(k): str(v) for k, v in paths.items()}


class UnsafeConfiguration(RuntimeError):
    """Production settings that must not run: a guessable secret key, or demo users with a known password."""


def refuse_unsafe_settings(settings: Settings) -> None:
    """What the settings alone show, checked before the database is touched (so that a refused
    start has seeded no demo user and migrated nothing)."""
    problems = []
    if problem := secret_key_problem(settings.secret_key, (DEV_SECRET_KEY, DEMO_PASSWORD)):
        problems.append(f"ONETHING_SECRET_KEY is not fit for production: {problem}; make one with {SUGGESTION}")
    if problem := audit_key_problem(settings.audit_key, settings.secret_key, (DEV_SECRET_KEY, DEMO_PASSWORD)):
        problems.append(f"ONETHING_AUDIT_KEY is not fit for production: {problem}; make one with {SUGGESTION}")
    if settings.demo_users:
        problems.append("ONETHING_DEMO_USERS=1 seeds users whose password is published")
    if settings.demo_registries:
        problems.append("ONETHING_DEMO_REGISTRIES=1 loads fictitious people into the registries")
    if problems:
        raise UnsafeConfiguration("refusing to start with ONETHING_ENV=production: " + "; ".join(problems))


def refuse_unsafe_production(engine: OneThingEngine) -> None:
    """What the database shows: demo users seeded by an earlier, non-production start, and
    administrators who also hold a case role (stored before the rule that refuses it)."""
    with engine.ctx.uow(False) as uow:
        demo = uow.users.count_active_demo()
        both = [u.login for u in uow.users.all()
                if u.active and roles_conflict([Role(r) for r in u.roles if r in ROLES])]
    problems = []
    if demo:
        problems.append(f"{demo} demo users are active; deactivate them (PATCH /api/users/<login> active=false)")
    if both:
        problems.append(f"administrators who also hold a case role: {', '.join(both)}; give each one role or the "
                        "other (PATCH /api/users/<login> roles=[...])")
    if problems:
        engine.dispose()
        raise UnsafeConfiguration("refusing to start with ONETHING_ENV=production: " + "; ".join(problems))
