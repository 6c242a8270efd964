"""The unit of work: one connection, one transaction, and the repositories that share it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType

from sqlalchemy import Connection, Engine

from engine.domain.audit import DEV_AUDIT_KEY
from engine.persistence.accounts import AuditRepository, LoginFailureRepository, TokenRepository, UserRepository
from engine.persistence.applicant_store import (
    ApplicantIdentityRepository,
    ApplicationFileRepository,
    CaseAgentRepository,
    DeliveryRepository,
)
from engine.persistence.catalogue_store import (
    CatalogueRepository,
    CreditRepository,
    ELicenceRepository,
    HolderRepository,
    ShippedRepository,
)
from engine.persistence.clock_store import CalendarRepository, ClockRepository, WarningRepository
from engine.persistence.database import read_without_transaction, snapshot_reader, writer
from engine.persistence.day_rollups import RollupRepository
from engine.persistence.document_store import MaterialFileRepository
from engine.persistence.flow_store import FlowRepository
from engine.persistence.hall_store import BookingRepository, ConsentRepository, TicketRepository
from engine.persistence.incident_store import IncidentRepository
from engine.persistence.leader_stats import LeaderStatsRepository
from engine.persistence.outbox_store import LoginCodeRepository, OnlineApplicationRepository, OutboxRepository
from engine.persistence.point_stats import PointStatsRepository
from engine.persistence.read_model import ReadModel, SavedFilterRepository
from engine.persistence.redis_counters import RedisCounters, RedisLoginFailures
from engine.persistence.registry_store import CaseSharedDataRepository, LookupRepository, RegistryRepository
from engine.persistence.repositories import (
    CaseItemRepository,
    CaseRepository,
    CounterRepository,
    EventRepository,
    IdempotencyRepository,
    TaskRepository,
)
from engine.persistence.savings_store import SavingsRepository
from engine.persistence.stamps import ReferenceStamps
from engine.persistence.state_store import WorkflowStateRepository
from engine.persistence.work_order_store import WorkOrderRepository

_REPOSITORIES = (
    "cases", "states", "tasks", "items", "events", "flows", "idempotency", "counters", "users", "tokens",
    "login_failures", "audit", "catalogue", "elicences", "holders", "credit", "shipped", "calendar", "clocks",
    "warnings", "savings", "incidents", "_stamps", "reads", "saved_filters", "registries", "lookups",
    "case_shared_data", "material_files", "outbox", "login_codes", "applications",
    "application_files", "deliveries", "case_agents", "identities", "tickets", "bookings", "point_stats", "consents",
    "work_orders", "leader_stats", "rollups",
)


class SqlAlchemyUnitOfWork:
    """``with uow: … uow.commit()``. Leaving the block without commit rolls everything back."""

    def __init__(self, engine: Engine, write: bool = True, snapshot: bool = False,
                 audit_key: bytes = DEV_AUDIT_KEY.encode(), counters: RedisCounters | None = None) -> None:
        self.audit_key = audit_key
        """What this transaction's events are signed and verified with (``engine.domain.audit``)."""
        self._counters = counters
        """Where the rate-limit counters are when not in the database (ONETHING_REDIS_URL)."""
        # The same writer each time (see ``writer``); reads run without a transaction on PostgreSQL
        # (``read_without_transaction``) unless they ask for one ``snapshot`` of the database.
        self._engine = writer(engine) if write else snapshot_reader(engine) if snapshot else engine
        self._write = write
        self._autocommit_reads = not write and not snapshot
        self._conn: Connection | None = None
        self._committed = False

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        conn = self._engine.connect()
        if self._autocommit_reads:
            read_without_transaction(conn, True)
        conn.begin()
        self._conn = conn
        self._committed = False
        self._after_commit: list[Callable[[], None]] = []
        for name in _REPOSITORIES:  # repositories are made on first use, for this transaction
            self.__dict__.pop(name, None)
        return self

    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "unit of work used outside its with-block"
        return self._conn

    @cached_property
    def cases(self) -> CaseRepository:
        return CaseRepository(self.connection, self.states, self.flows)

    @cached_property
    def states(self) -> WorkflowStateRepository:
        return WorkflowStateRepository(self.connection)

    @cached_property
    def tasks(self) -> TaskRepository:
        return TaskRepository(self.connection)

    @cached_property
    def items(self) -> CaseItemRepository:
        return CaseItemRepository(self.connection)

    @cached_property
    def events(self) -> EventRepository:
        return EventRepository(self.connection)

    @cached_property
    def flows(self) -> FlowRepository:
        return FlowRepository(self.connection, self._stamps if self._write else None)

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        return IdempotencyRepository(self.connection)

    @cached_property
    def counters(self) -> CounterRepository:
        return CounterRepository(self.connection)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.connection)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self.connection)

    @cached_property
    def login_failures(self) -> LoginFailureRepository | RedisLoginFailures:
        in_database = LoginFailureRepository(self.connection)
        if self._counters is None:
            return in_database
        # Outside the transaction: told how it ended (commit below, rollback in __exit__).
        return self._counters.transaction(in_database)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.connection)

    @cached_property
    def catalogue(self) -> CatalogueRepository:
        return CatalogueRepository(self.connection, self._stamps)

    @cached_property
    def elicences(self) -> ELicenceRepository:
        return ELicenceRepository(self.connection)

    @cached_property
    def holders(self) -> HolderRepository:
        return HolderRepository(self.connection)

    @cached_property
    def registries(self) -> RegistryRepository:
        return RegistryRepository(self.connection)

    @cached_property
    def lookups(self) -> LookupRepository:
        return LookupRepository(self.connection)

    @cached_property
    def case_shared_data(self) -> CaseSharedDataRepository:
        return CaseSharedDataRepository(self.connection)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.connection)

    @cached_property
    def login_codes(self) -> LoginCodeRepository:
        return LoginCodeRepository(self.connection)

    @cached_property
    def applications(self) -> OnlineApplicationRepository:
        return OnlineApplicationRepository(self.connection)

    @cached_property
    def application_files(self) -> ApplicationFileRepository:
        return ApplicationFileRepository(self.connection)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        return DeliveryRepository(self.connection)

    @cached_property
    def case_agents(self) -> CaseAgentRepository:
        return CaseAgentRepository(self.connection)

    @cached_property
    def identities(self) -> ApplicantIdentityRepository:
        return ApplicantIdentityRepository(self.connection)

    @cached_property
    def tickets(self) -> TicketRepository:
        return TicketRepository(self.connection)

    @cached_property
    def leader_stats(self) -> LeaderStatsRepository:
        return LeaderStatsRepository(self.connection)

    @cached_property
    def rollups(self) -> RollupRepository:
        return RollupRepository(self.connection)

    @cached_property
    def work_orders(self) -> WorkOrderRepository:
        return WorkOrderRepository(self.connection)

    @cached_property
    def consents(self) -> ConsentRepository:
        return ConsentRepository(self.connection)

    @cached_property
    def point_stats(self) -> PointStatsRepository:
        return PointStatsRepository(self.connection)

    @cached_property
    def bookings(self) -> BookingRepository:
        return BookingRepository(self.connection)

    @cached_property
    def material_files(self) -> MaterialFileRepository:
        return MaterialFileRepository(self.connection)

    @cached_property
    def credit(self) -> CreditRepository:
        return CreditRepository(self.connection)

    @cached_property
    def shipped(self) -> ShippedRepository:
        return ShippedRepository(self.connection)

    @cached_property
    def calendar(self) -> CalendarRepository:
        return CalendarRepository(self.connection, self._stamps)

    @cached_property
    def _stamps(self) -> ReferenceStamps:
        return ReferenceStamps(self.connection)

    @cached_property
    def clocks(self) -> ClockRepository:
        return ClockRepository(self.connection)

    @cached_property
    def warnings(self) -> WarningRepository:
        return WarningRepository(self.connection)

    @cached_property
    def savings(self) -> SavingsRepository:
        return SavingsRepository(self.connection)

    @cached_property
    def incidents(self) -> IncidentRepository:
        return IncidentRepository(self.connection)

    @cached_property
    def reads(self) -> ReadModel:
        return ReadModel(self.connection)

    @cached_property
    def saved_filters(self) -> SavedFilterRepository:
        return SavedFilterRepository(self.connection)

    def _redis_counters(self) -> RedisLoginFailures | None:
        """This transaction's counters in Redis, if it used them."""
        used = self.__dict__.get("login_failures")
        return used if isinstance(used, RedisLoginFailures) else None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        if not self._write:
            raise RuntimeError("a read-only unit of work has nothing to commit")
        if "events" in self.__dict__:
            self.events.flush()
        self.connection.commit()  # on PostgreSQL the writes still queued go with it (pipeline.py)
        self._committed = True
        callbacks, self._after_commit = self._after_commit, []
        if (counters := self._redis_counters()) is not None:
            counters.committed()
        for callback in callbacks:
            callback()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        conn = self._conn
        self._conn = None
        if conn is None:
            return
        try:
            if not self._committed:
                conn.rollback()
        finally:
            if not self._committed and (counters := self._redis_counters()) is not None:
                counters.rolled_back()
            try:
                if self._autocommit_reads and not conn.invalidated:
                    read_without_transaction(conn, False)
            finally:
                conn.close()

