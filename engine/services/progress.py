"""Keeping the stored case in step with its workflow: the workflow blob, the open-task projection,
the item table, the case status and the events, all in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.case import Case
from engine.domain.errors import Conflict, NotFound
from engine.domain.model import SYSTEM, WINDOW, Actor, CaseStatus, TaskKind, TaskState
from engine.domain.records import CaseRecord, TaskRecord
from engine.services.clocks import start_task_clocks
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.incident_log import record_incidents
from engine.services.savings import record_case_savings
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.case_workflow import SERIALIZER_VERSION, CaseWorkflow, WorkflowError, WorkflowTask
from engine.workflow.specs import FlowSpec


def flow_of(ctx: ServiceContext, uow: UnitOfWork, version_id: int) -> FlowSpec:
    return ctx.specs.get(version_id, lambda: uow.flows.xml(version_id))


def load_workflow(ctx: ServiceContext, uow: UnitOfWork, case: CaseRecord) -> CaseWorkflow:
    """The case's workflow as stored; call with the case row locked."""
    cached = ctx.workflows.take(case.id, case.version)
    if cached is not None:
        return cached
    stored = uow.states.get(case.id)
    if stored is None:
        raise NotFound(f"case {case.number} has no workflow state", f"办件 {case.number} 缺少流程状态")
    version, state = stored
    if version != SERIALIZER_VERSION:
        raise Conflict(
            f"case {case.number} was stored by serializer {version}; this server reads {SERIALIZER_VERSION}",
            f"办件 {case.number} 的流程状态格式（{version}）与本服务器不符，请联系管理员",
        )
    return CaseWorkflow.load(flow_of(ctx, uow, case.flow_version_id), state, ctx.script_engine)


def sync_tasks(ctx: ServiceContext, uow: UnitOfWork, case: CaseRecord, wf: CaseWorkflow,
               now: datetime, open_before: dict[str, str] | None = None,
               ) -> tuple[list[WorkflowTask], list[TaskRecord]]:
    """Open a projection row for every task the workflow now waits on; cancel rows it dropped.
    ``open_before`` (task id -> name) spares the query when the caller knows the open tasks,
    which it does when it moved the workflow on in this transaction: the projection and the
    workflow are always written together. Answers the tasks the workflow waits on, and the rows
    opened now."""
    waiting = {t.id: t for t in wf.waiting_tasks()}
    if open_before is None:
        open_before = {r.id: r.name for r in uow.tasks.open_for_case(case.id)}
    dropped = [task_id for task_id in open_before if task_id not in waiting]
    if dropped:
        uow.tasks.cancel(*dropped)
    for task_id in dropped:
        record_event(uow, case, "TaskCancelled", SYSTEM, now, {"task": open_before[task_id]}, task_id)
    opened = []
    for task_id, task in waiting.items():
        if task_id in open_before:
            continue
        row = TaskRecord(
            id=task_id, case_id=case.id, case_number=case.number, bundle_code=case.bundle_code,
            department=case.routing.get(task.lane, task.lane) if task.lane else WINDOW,
            kind=task.kind or TaskKind.APPROVAL, name=task.name,
            title=task.title, state=TaskState.READY, created_at=now, item_code=task.item,
        )
        opened.append(row)
        record_event(uow, case, "TaskOpened", SYSTEM, now,
                     {"task": row.name, "title": row.title, "department": row.department,
                      "item": row.item_code, "kind": row.kind}, task_id)
    if opened:
        start_task_clocks(uow, ctx, case, opened, now)
        uow.tasks.add(*opened)
    return list(waiting.values()), opened


def persist_events(uow: UnitOfWork, case: Case) -> None:
    """Append the events the aggregate's transitions recorded, in their order, to the case's log."""
    for event in case.take_events():
        record_event(uow, case.record, event.type, event.actor, event.at, event.data, event.task_id)


def save_progress(ctx: ServiceContext, uow: UnitOfWork, case: Case | CaseRecord, wf: CaseWorkflow,
                  now: datetime, actor: Actor, new_case: bool = False,
                  open_before: dict[str, str] | None = None) -> list[TaskRecord]:
    """Write the workflow back and move the case status on; the case row's version guards it all.
    ``case``: the aggregate a completion changed, or the record of a case whose workflow moved by
    itself (a timer, an incident retried, a migration). ``open_before``: the tasks that were open
    before the workflow moved (see ``sync_tasks``). Answers the tasks this change opened. A step
    the workflow halted at (a script, a condition or a timer that failed, ``CaseWorkflow.halt``)
    opens an incident on the case; the change itself is kept, and the case's timers wait for the
    next change (the ticker would only fail again)."""
    aggregate = case if isinstance(case, Case) else Case(case)
    persist_events(uow, aggregate)  # what the change recorded comes before what the workflow opened
    case = aggregate.record
    state = wf.dump_or_halt()  # before the projection: a value that cannot be stored halts its step
    halted = wf.take_halted()
    waiting, opened = sync_tasks(ctx, uow, case, wf, now, {} if new_case else open_before)
    if aggregate.move_on(wf.is_finished(), any(t.kind == TaskKind.PICKUP for t in waiting), actor, now):
        persist_events(uow, aggregate)
        if case.status == CaseStatus.CLOSED:
            record_case_savings(uow, ctx, case)  # in the closing transaction: reports never recompute
    record_incidents(uow, case, halted, actor, now)
    case.next_timer_at = None if halted else wf.next_timer_at()
    uow.events.flush()  # on PostgreSQL they go with the case's UPDATE, in one round trip
    if new_case:
        uow.states.add(case.id, SERIALIZER_VERSION, state, now)
        uow.cases.save(case)
    else:
        uow.cases.save(case, (SERIALIZER_VERSION, state, now))
    if not CaseStatus(case.status).is_finished:  # a finished case never moves again: keep no live workflow
        case_id, version = case.id, case.version
        uow.after_commit(lambda: ctx.workflows.put(case_id, version, wf))
    return opened


def complete_in_workflow(wf: CaseWorkflow, task_id: str, update: dict[str, Any]) -> dict[str, str]:
    """Complete the task and move the workflow on; answers the other tasks that were open before
    (task id -> name), for ``save_progress``. An automatic step that fails after the task halts the
    workflow there (``CaseWorkflow.halt``): the completion stands, and ``save_progress`` opens an
    incident. A failure of the task itself (its data refused) is a conflict."""
    open_before = {t.id: t.name for t in wf.waiting_tasks() if t.id != task_id}
    try:
        wf.complete(task_id, update)
    except KeyError:
        raise Conflict(
            f"task {task_id} is not waiting in the case's workflow",
            "该任务在流程中已不处于待办状态",
        ) from None
    except WorkflowError as err:
        if wf.task_completed(task_id):
            wf.halt(err)
        else:
            raise Conflict(f"the flow could not continue: {err}", f"流程无法继续：{err}") from err
    return open_before
