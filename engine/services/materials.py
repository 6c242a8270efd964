"""容缺受理 after acceptance: the window records the tolerated materials as the applicant supplies
them; a case whose tolerated materials are not all supplied by their due day is terminated."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.errors import Conflict, InvalidInput
from engine.domain.model import SYSTEM, Actor, CaseStatus, TaskState
from engine.domain.policy import ensure_window
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import MaterialStatus


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
            case = find_case(uow, cmd.case_ref, lock=True)
            if CaseStatus(case.status).is_finished:
                raise Conflict(f"case {case.number} is {case.status}", f"办件 {case.number} 已办结或终止")
            outstanding = {k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED}
            wrong = [k for k in cmd.supplied if k not in outstanding]
            if wrong:
                raise InvalidInput(
                    f"not outstanding for this case: {', '.join(wrong)}",
                    f"以下材料不是本办件待补交的容缺材料：{'、'.join(wrong)}",
                    {"supplied": [f"待补交：{'、'.join(sorted(outstanding)) or '无'}"]})
            case.materials = {**case.materials, **dict.fromkeys(cmd.supplied, str(MaterialStatus.SUBMITTED))}
            left = sorted(outstanding - set(cmd.supplied))
            if not left:
                case.materials_due = None
            record_event(uow, case, "MaterialsSupplied", cmd.actor, now,
                         {"supplied": sorted(set(cmd.supplied)), "outstanding": left})
            uow.cases.save(case)
            return Applied("case", str(case.id), 200)

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
            case = uow.cases.lock(case_id)
            if case is None or CaseStatus(case.status).is_finished or not case.materials_due \
                    or case.materials_due >= now:
                return None  # supplied or finished meanwhile
            missing = sorted(k for k, v in case.materials.items() if v == MaterialStatus.TOLERATED)
            for task in uow.tasks.open_for_case(case.id):
                task.state = TaskState.CANCELLED
                uow.tasks.save(task)
                record_event(uow, case, "TaskCancelled", SYSTEM, now, {"task": task.name}, task.id)
            before, case.status, case.closed_at = case.status, CaseStatus.TERMINATED, now
            record_event(uow, case, "CaseTerminated", SYSTEM, now, {
                "from": before, "reason": "容缺材料逾期未补齐", "missing": missing,
                "due": case.materials_due.isoformat()})
            uow.cases.save(case)
            return case.number

        number = in_transaction(ctx, work)
        if number:
            terminated.append(number)
    return terminated
