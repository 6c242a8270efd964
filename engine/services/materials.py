"""容缺受理 after acceptance: the window records the tolerated materials as the applicant supplies
them; a case whose tolerated materials are not all supplied by their due day is terminated."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.case import Case
from engine.domain.errors import InvalidInput
from engine.domain.model import Actor
from engine.domain.policy import ensure_window
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.progress import persist_events
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SupplyMaterials:
    case_ref: str
    supplied: list[str]
    actor: Actor
    request_key: RequestKey | None = None


def supply_materials(cmd: SupplyMaterials, ctx: ServiceContext) -> Applied:
    ensure_window(cmd.actor, "登记补交材料")
    if not cmd.supplied:
        raise InvalidInput("name the supplied materials", "请列出补交的材料", {"supplied": ["至少一项"]})

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case = Case(find_case(uow, cmd.case_ref, lock=True))
            case.supply_tolerated(cmd.supplied, cmd.actor, now)
            persist_events(uow, case)
            uow.cases.save(case.record)
            return Applied("case", str(case.record.id), 200)

        return idempotent(uow, cmd.request_key, "case", apply, now)

    return in_transaction(ctx, work)


def terminate_overdue_cases(ctx: ServiceContext) -> list[str]:
    """Terminate every running case whose tolerated materials are past due; each in its own
    transaction, with an event. Answers the case numbers."""
    now = ctx.clock()
    with ctx.uow(False) as uow:
        due = uow.cases.materials_overdue(now)
    terminated = []
    for case_id in due:
        def work(uow: UnitOfWork, case_id: int = case_id) -> str | None:
            record = uow.cases.lock(case_id)
            if record is None or not Case(record).materials_overdue(now):
                return None  # supplied or finished meanwhile
            case = Case(record, tasks=uow.tasks.open_for_case(record.id))
            for task in case.terminate_for_overdue_materials(now):
                uow.tasks.save(task)
            persist_events(uow, case)
            uow.cases.save(record)
            return record.number

        number = in_transaction(ctx, work)
        if number:
            terminated.append(number)
    return terminated
