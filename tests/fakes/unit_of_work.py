"""``FakeUnitOfWork``: the services' unit of work over in-memory tables (``tables.FakeDatabase``)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from engine.domain.audit import DEV_AUDIT_KEY
from tests.fakes.account_repositories import (
    FakeAuditRepository,
    FakeLoginFailureRepository,
    FakeSavedFilterRepository,
    FakeTokenRepository,
    FakeUserRepository,
)
from tests.fakes.applicant_repositories import (
    FakeApplicantIdentityRepository,
    FakeApplicationFileRepository,
    FakeCaseAgentRepository,
    FakeDeliveryRepository,
)
from tests.fakes.case_repositories import (
    FakeCaseItemRepository,
    FakeCaseRepository,
    FakeCounterRepository,
    FakeEventRepository,
    FakeIdempotencyRepository,
    FakeTaskRepository,
    FakeWorkflowStateRepository,
)
from tests.fakes.clock_repositories import (
    FakeClockRepository,
    FakeIncidentRepository,
    FakeSavingsRepository,
    FakeWarningRepository,
)
from tests.fakes.document_repositories import (
    FakeLoginCodeRepository,
    FakeMaterialFileRepository,
    FakeOnlineApplicationRepository,
    FakeOutboxRepository,
)
from tests.fakes.hall_repositories import FakeBookingRepository, FakeTicketRepository, FakeWorkOrderRepository
from tests.fakes.read_queries import FakeReadQueries, FakeRollupRepository
from tests.fakes.reference_repositories import (
    FakeCalendarRepository,
    FakeCatalogueRepository,
    FakeCreditRepository,
    FakeELicenceRepository,
    FakeFlowRepository,
    FakeHolderRepository,
    FakeShippedRepository,
)
from tests.fakes.registry_repositories import (
    FakeCaseSharedDataRepository,
    FakeLookupRepository,
    FakeRegistryRepository,
)
from tests.fakes.tables import FakeDatabase, Tables


class FakeUnitOfWork:
    """``with uow: … uow.commit()``: the block works on a copy of the committed tables, which a
    commit puts back and leaving without one drops; ``after_commit`` callbacks run after a commit
    only. A read-only unit of work refuses to commit, as the real one does."""

    def __init__(self, db: FakeDatabase, write: bool = True, audit_key: bytes = DEV_AUDIT_KEY.encode()) -> None:
        self.db = db
        self.write = write
        self.audit_key = audit_key
        self.committed = False
        self._after_commit: list[Callable[[], None]] = []
        self._begin(Tables())

    def _begin(self, tables: Tables) -> None:
        self.tables = tables
        self.states = FakeWorkflowStateRepository(tables)
        self.cases = FakeCaseRepository(tables, self.db, self.states)
        self.tasks = FakeTaskRepository(tables)
        self.items = FakeCaseItemRepository(tables)
        self.events = FakeEventRepository(tables)
        self.idempotency = FakeIdempotencyRepository(tables)
        self.counters = FakeCounterRepository(tables)
        self.users = FakeUserRepository(tables)
        self.tokens = FakeTokenRepository(tables)
        self.login_failures = FakeLoginFailureRepository(tables)
        self.audit = FakeAuditRepository(tables)
        self.saved_filters = FakeSavedFilterRepository(tables)
        self.flows = FakeFlowRepository(tables)
        self.catalogue = FakeCatalogueRepository(tables)
        self.elicences = FakeELicenceRepository(tables)
        self.holders = FakeHolderRepository(tables)
        self.credit = FakeCreditRepository(tables)
        self.registries = FakeRegistryRepository(tables)
        self.lookups = FakeLookupRepository(tables)
        self.case_shared_data = FakeCaseSharedDataRepository(tables)
        self.shipped = FakeShippedRepository(tables)
        self.material_files = FakeMaterialFileRepository(tables)
        self.outbox = FakeOutboxRepository(tables)
        self.login_codes = FakeLoginCodeRepository(tables)
        self.applications = FakeOnlineApplicationRepository(tables)
        self.application_files = FakeApplicationFileRepository(tables)
        self.deliveries = FakeDeliveryRepository(tables)
        self.case_agents = FakeCaseAgentRepository(tables)
        self.identities = FakeApplicantIdentityRepository(tables)
        self.tickets = FakeTicketRepository(tables)
        self.bookings = FakeBookingRepository(tables)
        self.work_orders = FakeWorkOrderRepository(tables)
        self.calendar = FakeCalendarRepository(tables)
        self.clocks = FakeClockRepository(tables)
        self.warnings = FakeWarningRepository(tables)
        self.savings = FakeSavingsRepository(tables)
        self.incidents = FakeIncidentRepository(tables)
        self.reads = FakeReadQueries(tables)
        self.rollups = FakeRollupRepository()

    def __enter__(self) -> FakeUnitOfWork:
        self._begin(self.db.committed.copy())
        self.committed = False
        self._after_commit = []
        return self

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a read-only unit of work has nothing to commit")
        self.db.committed = self.tables.copy()
        self.db.commits += 1
        self.committed = True
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._after_commit = []
        self._begin(Tables())  # whatever was not committed is gone
