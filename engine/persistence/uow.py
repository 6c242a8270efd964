"""The unit of work: one connection, one transaction, and the repositories that share it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from engine.persistence.accounts import AuditRepository, LoginFailureRepository, TokenRepository, UserRepository
from engine.persistence.catalogue_store import (
    CatalogueRepository,
    CreditRepository,
    ELicenceRepository,
    HolderRepository,
    ShippedRepository,
)
from engine.persistence.clock_store import CalendarRepository, ClockRepository, WarningRepository
from engine.persistence.database import writer
from engine.persistence.repositories import (
    CaseItemRepository,
    CaseRepository,
    CounterRepository,
    EventRepository,
    FlowRepository,
    IdempotencyRepository,
    TaskRepository,
    WorkflowStateRepository,
)
from engine.persistence.savings_store import SavingsRepository


class SqlAlchemyUnitOfWork:
    """``with uow: … uow.commit()``. Leaving the block without commit rolls everything back."""

    def __init__(self, engine: Engine, write: bool = True) -> None:
        self._engine = writer(engine) if write else engine
        self._conn: Connection | None = None
        self._committed = False

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        conn = self._engine.connect()
        conn.begin()
        self._conn = conn
        self._committed = False
        self._after_commit: list[Callable[[], None]] = []
        self.cases = CaseRepository(conn)
        self.states = WorkflowStateRepository(conn)
        self.tasks = TaskRepository(conn)
        self.items = CaseItemRepository(conn)
        self.events = EventRepository(conn)
        self.flows = FlowRepository(conn)
        self.idempotency = IdempotencyRepository(conn)
        self.counters = CounterRepository(conn)
        self.users = UserRepository(conn)
        self.tokens = TokenRepository(conn)
        self.login_failures = LoginFailureRepository(conn)
        self.audit = AuditRepository(conn)
        self.catalogue = CatalogueRepository(conn)
        self.elicences = ELicenceRepository(conn)
        self.holders = HolderRepository(conn)
        self.credit = CreditRepository(conn)
        self.shipped = ShippedRepository(conn)
        self.calendar = CalendarRepository(conn)
        self.clocks = ClockRepository(conn)
        self.warnings = WarningRepository(conn)
        self.savings = SavingsRepository(conn)
        return self

    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "unit of work used outside its with-block"
        return self._conn

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        self.events.flush()
        self.connection.commit()
        self._committed = True
        callbacks, self._after_commit = self._after_commit, []
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
            conn.close()


def is_transient(err: BaseException) -> bool:
    """Errors after which the same transaction, run again, may succeed: lock waits and timeouts,
    deadlocks, serialization failures, and a unique key taken by a concurrent request."""
    if isinstance(err, IntegrityError):
        return True
    if isinstance(err, OperationalError):
        return True
    if isinstance(err, DBAPIError):
        code = getattr(getattr(err, "orig", None), "sqlstate", None)
        return code in ("40001", "40P01", "55P03")
    return False
