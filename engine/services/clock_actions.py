"""What departments do to a task's clock: start and end a special procedure (which pauses it) and,
for a head, approve an extension (延期)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.domain.clocks import SpecialProcedure
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.model import Actor, TaskKind
from engine.domain.policy import ensure_department
from engine.domain.records import CaseRecord, TaskRecord
from engine.services.clocks import extend_limits, refresh_case_clocks
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.tasks import locked_task
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork

MAX_EXTENSION_DAYS = 30


def _clocked(uow: UnitOfWork, task_id: str, actor: Actor, *,
             over_claims: bool = False) -> tuple[CaseRecord, TaskRecord]:
    case, task, _ = locked_task(uow, task_id, actor, over_claims=over_claims)
    if task.kind != TaskKind.APPROVAL or task.limit_days is None:
        raise Conflict(f"task {task.title} has no working-day clock", f"任务“{task.title}”不计办理时限")
    return case, task


def _recompute(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, task: TaskRecord,
               now: datetime) -> dict[str, str | None]:
    """Bring the case's clocks up to date; answers the task's due day before and after, for its event."""
    before = task.due_on
    refresh_case_clocks(uow, ctx, case, now, ctx.calendars.get(uow))
    after = next((t.due_on for t in uow.tasks.open_for_case(case.id) if t.id == task.id), before)
    return {"due_before": before.isoformat() if before else None, "due_on": after.isoformat() if after else None}


def _text(value: str, field: str, message: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{field} is required", message, {field: ["必填"]})
    return value.strip()


@dataclass(frozen=True)
class PauseTask:
    task_id: str
    procedure: str
    reason: str
    actor: Actor
    request_key: RequestKey | None = None


def pause_task(cmd: PauseTask, ctx: ServiceContext) -> Applied:
    """A special procedure (听证, 检验, 检测, 检疫, 鉴定, 专家评审 …) starts: the clock stops until it ends.
    Nothing else pauses a clock."""
    try:
        procedure = SpecialProcedure(cmd.procedure)
    except ValueError:
        choices = "、".join(f"{p.value}（{p.label}）" for p in SpecialProcedure)
        raise InvalidInput(f"procedure must be one of {', '.join(p.value for p in SpecialProcedure)}",
                           "只有特别程序（听证、检验、检测、检疫、鉴定、专家评审等）可以暂停计时",
                           {"procedure": [f"可选：{choices}"]}) from None
    reason = _text(cmd.reason, "reason", "暂停计时须写明事由（将书面告知申请人）")

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case, task = _clocked(uow, cmd.task_id, cmd.actor)
            if task.paused_since is not None:
                raise Conflict(f"task {task.title} is already paused", f"任务“{task.title}”已在特别程序中，计时已暂停")
            uow.clocks.add_pause(task_id=task.id, case_id=case.id, procedure=procedure.value, reason=reason,
                                 started_at=now, started_by=cmd.actor.user)
            task.paused_since = now
            uow.tasks.save(task)
            record_event(uow, case, "ClockPaused", cmd.actor, now,
                         {"task": task.name, "procedure": procedure.value, "label": procedure.label,
                          "reason": reason}, task.id)
            refresh_case_clocks(uow, ctx, case, now, ctx.calendars.get(uow))
            uow.cases.save(case)
            return Applied("task", task.id, 200)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class ResumeTask:
    task_id: str
    actor: Actor
    request_key: RequestKey | None = None


def resume_task(cmd: ResumeTask, ctx: ServiceContext) -> Applied:
    """The special procedure ended: the clock runs again, its due day moved by the paused working days."""
    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case, task = _clocked(uow, cmd.task_id, cmd.actor)
            if task.paused_since is None:
                raise Conflict(f"task {task.title} is not paused", f"任务“{task.title}”未处于特别程序中")
            uow.clocks.end_pause(task.id, cmd.actor.user, now)
            task.paused_since = None
            uow.tasks.save(task)
            moved = _recompute(uow, ctx, case, task, now)
            record_event(uow, case, "ClockResumed", cmd.actor, now, {"task": task.name, **moved}, task.id)
            uow.cases.save(case)
            return Applied("task", task.id, 200)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


@dataclass(frozen=True)
class ExtendTask:
    task_id: str
    days: int
    reason: str
    actor: Actor
    request_key: RequestKey | None = None


def extend_task(cmd: ExtendTask, ctx: ServiceContext) -> Applied:
    """延期: the department head approves extra working days, with the reason the applicant is told.
    The task's limits grow by them, the promised and the statutory one, and so do its due days."""
    if not 1 <= cmd.days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_EXTENSION_DAYS}",
                           f"延长的工作日须在 1 至 {MAX_EXTENSION_DAYS} 之间", {"days": [f"1–{MAX_EXTENSION_DAYS}"]})
    reason = _text(cmd.reason, "reason", "延期须写明理由（将告知申请人）")

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            # The head extends whoever of the department has claimed the task: extending is the
            # head's decision (the permission the endpoint requires), not the claimant's work.
            case, task = _clocked(uow, cmd.task_id, cmd.actor, over_claims=True)
            ensure_department(cmd.actor, task.department, cmd.task_id)
            uow.clocks.add_extension(task_id=task.id, case_id=case.id, days=cmd.days, reason=reason,
                                     approved_by=cmd.actor.user, approved_at=now)
            extend_limits(task, cmd.days)
            uow.tasks.save(task)
            moved = _recompute(uow, ctx, case, task, now)
            record_event(uow, case, "DeadlineExtended", cmd.actor, now,
                         {"task": task.name, "days": cmd.days, "reason": reason, **moved}, task.id)
            uow.cases.save(case)
            return Applied("task", task.id, 200)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)

