"""Use cases of the department reviewers and the window on single tasks: claim, release (unclaim)
and complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.domain.case import Case, ItemRules
from engine.domain.clocks import SHANGHAI
from engine.domain.decisions import Approve, RequestCorrection, TaskAnswer
from engine.domain.errors import Conflict, InvalidInput, task_not_found
from engine.domain.model import Actor, CaseStatus, TaskKind, TaskState
from engine.domain.policy import ensure_department
from engine.domain.records import CaseItemRecord, CaseRecord, TaskRecord
from engine.services.clocks import stop_task_clock
from engine.services.context import ServiceContext
from engine.services.elicences import granted_licence, issue_elicences
from engine.services.events import record_event
from engine.services.linkage import settle_opened_approvals
from engine.services.progress import complete_in_workflow, load_workflow, persist_events, save_progress
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ClaimTask:
    task_id: str
    actor: Actor
    request_key: RequestKey | None = None


@dataclass(frozen=True)
class CompleteTask:
    task_id: str
    answer: TaskAnswer | None
    """The decision or record the task's kind takes (None: the request gave neither; refused as
    the task's kind says)."""
    actor: Actor
    request_key: RequestKey | None = None


@dataclass(frozen=True)
class UnclaimTask:
    task_id: str
    actor: Actor
    request_key: RequestKey | None = None


def locked_task(uow: UnitOfWork, task_id: str, actor: Actor, *,
                over_claims: bool = False) -> tuple[CaseRecord, TaskRecord, CaseItemRecord | None]:
    """The task, its case and its item (if any), with the case locked; every check is made
    after the lock. A task claimed by someone else is refused unless ``over_claims``: what a head
    of the department does over a reviewer's claim (an extension), once the caller has checked
    the permission for it."""
    found = uow.cases.lock_with_task(task_id)
    if found is None:
        raise task_not_found(task_id)
    case, task, item = found
    ensure_department(actor, task.department, task_id)
    if task.state == TaskState.COMPLETED:
        at = f" 于 {task.completed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if task.completed_at else ""
        raise Conflict(
            f"task {task.title} was already completed by {task.completed_by} at {task.completed_at}",
            f"任务“{task.title}”已由 {_person(uow, task.completed_by)}{at} 办结，不能重复办理",
        )
    if task.state == TaskState.CANCELLED or CaseStatus(case.status).is_finished:
        raise Conflict(f"task {task.title} is no longer open", f"任务“{task.title}”已不再待办")
    if task.state == TaskState.CLAIMED and task.assignee != actor.user and not over_claims:
        raise Conflict(f"task {task.title} is claimed by {task.assignee}",
                       f"任务“{task.title}”已由 {_person(uow, task.assignee)} 认领")
    return case, task, item


def _person(uow: UnitOfWork, login: str | None) -> str:
    """Someone named in a refusal, by name (the login of someone no longer a user); read only on
    the way to the refusal."""
    user = uow.users.by_login(login) if login and login != "system" else None
    return user.name if user else ("系统" if login == "system" else login or "—")


@dataclass(frozen=True)
class AssignTask:
    task_id: str
    assignee: str
    """The login of a reviewer or head of the task's department."""
    actor: Actor
    request_key: RequestKey | None = None


def assign_task(cmd: AssignTask, ctx: ServiceContext) -> Applied:
    """A department head hands an open task of the department to one of its reviewers (or takes
    it back from one)."""
    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            found = uow.cases.lock_with_task(cmd.task_id)
            if found is None:
                raise task_not_found(cmd.task_id)
            case, task, _ = found
            ensure_department(cmd.actor, task.department, cmd.task_id)
            if not TaskState(task.state).is_open:
                raise Conflict(f"task {task.title} is no longer open", f"任务“{task.title}”已不再待办")
            user = uow.users.by_login(cmd.assignee)
            if (user is None or not user.active or user.department != task.department
                    or not {"reviewer", "head"} & set(user.roles)):
                raise InvalidInput(
                    f"{cmd.assignee!r} is not an active reviewer of department {task.department}",
                    f"{cmd.assignee} 不是本部门在岗的审批人员或负责人",  # a head reassigns in their own department
                    {"assignee": ["须为本部门在岗的审批人员或负责人"]})
            previous = task.assignee
            previous_user = uow.users.by_login(previous) if previous else None
            task.state, task.assignee, task.claimed_at = TaskState.CLAIMED, user.login, now
            uow.tasks.save(task)
            # The people's names as they were at the time, for the timeline to say who gave it to whom.
            record_event(uow, case, "TaskAssigned", cmd.actor, now,
                         {"task": task.name, "from": previous, "to": user.login,
                          "from_name": previous_user.name if previous_user else None, "to_name": user.name},
                         task.id)
            uow.cases.save(case)
            return Applied("task", task.id, 200, task=task)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


def claim_task(cmd: ClaimTask, ctx: ServiceContext) -> Applied:
    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case, task, _ = locked_task(uow, cmd.task_id, cmd.actor)
            if task.state == TaskState.READY:
                task.state, task.assignee, task.claimed_at = TaskState.CLAIMED, cmd.actor.user, now
                uow.tasks.save(task)
                record_event(uow, case, "TaskClaimed", cmd.actor, now, {"task": task.name}, task.id)
                uow.cases.save(case)
            return Applied("task", task.id, 200, task=task)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


def unclaim_task(cmd: UnclaimTask, ctx: ServiceContext) -> Applied:
    """放弃认领: the reviewer who claimed a task releases it to the department's inbox. Only the
    claimant may; a task nobody claimed, or someone else did, is a conflict."""
    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case, task, _ = locked_task(uow, cmd.task_id, cmd.actor)
            if task.state != TaskState.CLAIMED:
                raise Conflict(f"task {task.title} is not claimed by {cmd.actor.user}",
                               f"任务“{task.title}”未由您认领，无需放弃认领")
            task.state, task.assignee, task.claimed_at = TaskState.READY, None, None
            uow.tasks.save(task)
            record_event(uow, case, "TaskReleased", cmd.actor, now, {"task": task.name}, task.id)
            uow.cases.save(case)
            return Applied("task", task.id, 200, task=task)

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


def complete_task(cmd: CompleteTask, ctx: ServiceContext) -> Applied:
    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case, task, item = locked_task(uow, cmd.task_id, cmd.actor)
            opened = complete_open_task(uow, ctx, case, task, cmd.answer, cmd.actor, now, item)
            return Applied("task", task.id, 200, task=task, opened=tuple(opened))

        return idempotent(uow, cmd.request_key, "task", apply, now)

    return in_transaction(ctx, work)


def _item_materials(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord,
                    item_code: str) -> dict[str, str]:
    """The item's materials in the catalogue, key -> name: what a correction may name."""
    row = uow.flows.bundle(case.bundle_code)
    if row is None:
        return {}
    catalogue = ctx.catalogues.get(uow, row.definition)
    item = next((i for i in catalogue.bundle.items if i.code == item_code), None)
    if item is None:
        return {}
    return {m.key: str(catalogue.materials.get(m.key, {}).get("name", m.key)) for m in item.materials}


def _item_rules(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, task: TaskRecord,
                item: CaseItemRecord, answer: TaskAnswer | None) -> ItemRules:
    """What the answer needs of the catalogue, looked up only then: the item's materials for a
    correction asked or supplied, the licence it grants for an approval."""
    if task.kind == TaskKind.CORRECTION or isinstance(answer, RequestCorrection):
        return ItemRules(materials=_item_materials(uow, ctx, case, item.item_code))
    if isinstance(answer, Approve):
        return ItemRules(grant=granted_licence(uow, ctx.catalogues, case.bundle_code, item.item_code))
    return ItemRules()


def complete_open_task(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, task: TaskRecord,
                       answer: TaskAnswer | None, actor: Actor, now: datetime,
                       item: CaseItemRecord | None = None, *, by_applicant: bool = False) -> list[TaskRecord]:
    """Complete the task on the case (``Case.complete_task`` checks the answer for the task's
    kind), run it in the workflow, and record it everywhere. ``item``: the task's item as read
    with the lock (``locked_task``); the pickup reads every item. ``by_applicant``: the applicant
    does the window's part online (supplies a correction, takes e-licences), the caller having
    checked that the case is theirs. Answers the tasks the completion opened."""
    if not by_applicant:
        ensure_department(actor, task.department, task.id)
    items = uow.items.for_case(case.id) if task.kind == TaskKind.PICKUP else [item] if item is not None else []
    aggregate = Case(case, items, [task])
    rules = _item_rules(uow, ctx, case, task, item, answer) if item is not None else ItemRules()
    done = aggregate.complete_task(task.id, answer, actor, now, rules)

    wf = load_workflow(ctx, uow, case)
    open_before = complete_in_workflow(wf, task.id, done.workflow_data)

    if done.ended_pause:
        uow.clocks.end_pause(task.id, actor.user, now)
    stop_task_clock(uow, ctx, case, task, now)  # a late decision is carded red on the board
    uow.tasks.save(task)
    for changed in aggregate.take_changed_items():
        uow.items.save(changed)
    persist_events(uow, aggregate)
    if task.kind != TaskKind.PICKUP:
        settle_opened_approvals(uow, ctx, case, wf, now, open_before)
    if task.kind == TaskKind.PICKUP:
        row = uow.flows.bundle(case.bundle_code)
        assert row is not None
        catalogue = ctx.catalogues.get(uow, row.definition)
        issue_elicences(uow, case, catalogue.bundle, items, catalogue.licences, actor, now)
    return save_progress(ctx, uow, aggregate, wf, now, actor, open_before=open_before)
