"""The ticker's pass over the report roll-ups (``engine/persistence/day_rollups.py``): each day, once it
has been over for an hour, is summed into the roll-up tables, so that reports and the supervision board
read a row per day for the past and the case tables only for the days since."""

from __future__ import annotations

from engine.persistence.day_rollups import sealable_through
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork


def seal_report_days(ctx: ServiceContext) -> dict[str, int]:
    """Seal every day up to the last one that may be sealed now; per roll-up, the rows written."""
    through = sealable_through(ctx.clock())

    def work(uow: UnitOfWork) -> dict[str, int]:
        return uow.rollups.seal(through)

    return in_transaction(ctx, work)


def reseal_report_days(ctx: ServiceContext) -> dict[str, int]:
    """Sum every day again from the case tables (after writing into the past: ``onething generate``)."""
    through = sealable_through(ctx.clock())

    def work(uow: UnitOfWork) -> dict[str, int]:
        return uow.rollups.reseal(through)

    return in_transaction(ctx, work)
