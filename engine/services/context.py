"""What every use case needs, built once by the composition root (``engine.bootstrap``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher

from engine.domain.clocks import WarningThresholds
from engine.domain.documents import FileStore, UploadLimits
from engine.domain.identity import IdentityProvider
from engine.domain.notices import NoticeConfig
from engine.domain.notifications import LEASE, Channel, Sender
from engine.domain.registries import RegistrySource
from engine.domain.savings_rules import DEFAULT_RULES, CountingRules
from engine.services.calendar import CalendarCache
from engine.services.catalogue_cache import CatalogueCache
from engine.services.page_cache import PageCache
from engine.services.registry_sources import EmbeddedRegistries
from engine.services.replica import Replica
from engine.services.token_cache import TokenCache
from engine.services.unit_of_work import UnitOfWork
from engine.sources.log_sender import InAppSender, LogSender
from engine.workflow.cache import WorkflowCache
from engine.workflow.script_engine import SafeScriptEngine
from engine.workflow.specs import SpecCache


@dataclass
class ServiceContext:
    uow: Callable[..., UnitOfWork]
    """``uow(True)`` for a write transaction, ``uow(False)`` for reads, ``uow(False, snapshot=True)``
    for reads that must all see the same moment (see ``database.read_without_transaction`` and
    ``database.snapshot_reader``)."""
    specs: SpecCache
    script_engine: SafeScriptEngine
    clock: Callable[[], datetime]
    workflows: WorkflowCache = field(default_factory=WorkflowCache)
    catalogues: CatalogueCache = field(default_factory=CatalogueCache)
    calendars: CalendarCache = field(default_factory=CalendarCache)
    """The working-day calendar with the administrators' overrides: ``calendars.get(uow)``."""
    thresholds: WarningThresholds = field(default_factory=WarningThresholds)
    """When a clock turns yellow (红黄牌)."""
    savings_rules: CountingRules = DEFAULT_RULES
    """How each savings figure (四减一优) is counted when a case closes; DOMAIN.md's by default."""
    passwords: PasswordHasher = field(default_factory=PasswordHasher)
    token_ttl: timedelta = timedelta(hours=12)
    tokens: TokenCache = field(default_factory=TokenCache)
    """Bearer tokens verified in the last few seconds (see ``token_cache``)."""
    dummy_password_hash: str = ""
    """A hash of no one's password, verified against when a login name is unknown."""
    max_attempts: int = 10
    files: FileStore | None = None
    """Where the bytes of the materials' files are kept (``documents``); set by the composition root."""
    upload_limits: UploadLimits = field(default_factory=UploadLimits)
    pages: PageCache = field(default_factory=PageCache)
    """Pages of material files rendered lately."""
    notices: NoticeConfig = field(default_factory=NoticeConfig)
    """What the official notices print: the centre's name, the status address, the font."""
    senders: dict[Channel, Sender] = field(default_factory=lambda: {
        Channel.SMS: LogSender(Channel.SMS), Channel.EMAIL: LogSender(Channel.EMAIL), Channel.INAPP: InAppSender()})
    """How notifications leave, per channel (``notifications``): the server log until an SMS gateway
    and an SMTP server are configured."""
    outbox_lease: timedelta = LEASE
    identity: IdentityProvider | None = None
    """The province's unified identity service applicants may sign in through (OpenID Connect);
    None: by SMS code only."""
    """How long a worker holds a message it is sending before another may take it over."""
    replica: Replica | None = None
    """The read replica that reports, case search and supervision read from
    (``transactions.read_on_replica``); None: they read the primary."""
    registries: RegistrySource | None = None
    """Where shared data comes from (``shared_data``); the embedded registries unless the composition
    root configures another source (a provincial platform over HTTP)."""

    def __post_init__(self) -> None:
        if self.registries is None:
            self.registries = EmbeddedRegistries(self.uow)

    @property
    def shared_data(self) -> RegistrySource:
        assert self.registries is not None  # set on construction
        return self.registries
