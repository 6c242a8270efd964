"""Moving running cases onto another version of their bundle's flow, where that is safe.

A case may move when nothing it has done or is doing changes meaning: no element it completed or waits in was
changed or removed in the target version (the diff, ``migration_blockers``), and every task its stored
workflow names exists in the target's spec (SpiffWorkflow restores tasks by spec name). The report answers
this for every running case; the migration moves those that may, each in its own transaction under the case
lock, rechecked there, with a ``CaseMigrated`` event in the case's chain and in the audit chain. A case halted
at an incident may move even though the failing element changed (the fix); ``retry_incident`` then runs it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.domain.errors import InvalidInput
from engine.domain.flow_diff import FlowDiff, migration_blockers
from engine.domain.model import Actor, CaseStatus
from engine.domain.records import CaseRecord, FlowVersionRecord
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.flow_admin import ensure_deployable, find_bundle, find_version
from engine.services.progress import flow_of, save_progress
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.case_migration import StateUnreadable, missing_task_specs, rebind_workflow, stored_tasks
from engine.workflow.case_workflow import SERIALIZER_VERSION, WorkflowError
from engine.workflow.flow_diff import diff_flows
from engine.workflow.specs import FlowSpec


@dataclass(frozen=True)
class CaseMove:
    """Whether one running case can move to the target version, and why not."""

    case_id: int
    number: str
    status: str
    from_version: int
    can_move: bool
    blockers: list[str] = field(default_factory=list)
    """BPMN ids of elements the case completed or waits in that the target changed or removed."""
    missing_tasks: list[str] = field(default_factory=list)
    """Task specs of the stored workflow the target's spec lacks."""
    reason_zh: str = ""


@dataclass(frozen=True)
class MigrationReport:
    bundle_code: str
    to_version: int
    cases: list[CaseMove]


@dataclass(frozen=True)
class MigrateCases:
    bundle_code: str
    to_version: int | None
    """None: the deployed version."""
    case_numbers: Sequence[str] | None
    """None: every running case that can move."""
    actor: Actor


@dataclass(frozen=True)
class MigrationResult:
    bundle_code: str
    to_version: int
    moved: list[CaseMove]
    refused: list[CaseMove]


class _Diffs:
    """Diffs to the target, one per source version, computed once per request (versions are immutable)."""

    def __init__(self, target_xml: bytes) -> None:
        self.target_xml = target_xml
        self._found: dict[int, FlowDiff] = {}

    def of(self, uow: UnitOfWork, version_id: int) -> FlowDiff:
        if version_id not in self._found:
            self._found[version_id] = diff_flows(uow.flows.xml(version_id)[0], self.target_xml)
        return self._found[version_id]


def _target(uow: UnitOfWork, code: str, number: int | None) -> FlowVersionRecord:
    if number is not None:
        return find_version(uow, code, number)
    bundle = find_bundle(uow, code)
    deployed = uow.flows.version(bundle.deployed_version_id) if bundle.deployed_version_id else None
    if deployed is None:
        raise InvalidInput(f"bundle {code!r} has no deployed flow; name the version to move to",
                           "该一件事尚未部署流程，请指定目标版本", {"to": ["必填"]})
    return deployed


def _assess(uow: UnitOfWork, case: CaseRecord, numbers: dict[int, int], target: FlowSpec,
            diffs: _Diffs) -> CaseMove:
    def refused(reason: str, blockers: list[str] | None = None, missing: list[str] | None = None) -> CaseMove:
        return CaseMove(case.id, case.number, case.status, numbers.get(case.flow_version_id, 0), False,
                        blockers or [], missing or [], reason)

    stored = uow.states.get(case.id)
    if stored is None or stored[0] != SERIALIZER_VERSION:
        return refused("办件的流程状态缺失或格式不符，不能迁移")
    try:
        tasks = stored_tasks(stored[1])
    except StateUnreadable:
        return refused("办件的流程状态无法读取，不能迁移")
    # The element an open incident halted at is what the administrator fixes: changing it is the
    # point of the move, and the retry runs it again on the target version.
    halted_at = {i.element_id for i in uow.incidents.open_for_case(case.id)}
    blockers = migration_blockers(diffs.of(uow, case.flow_version_id), tasks.touched_elements() - halted_at)
    missing = missing_task_specs(tasks, target)
    if blockers:
        return refused(f"已办理或正在办理的环节在目标版本中被修改或删除：{'、'.join(blockers)}", blockers, missing)
    if missing:
        return refused(f"目标版本缺少办件流程中已有的任务：{'、'.join(missing)}", blockers, missing)
    return CaseMove(case.id, case.number, case.status, numbers.get(case.flow_version_id, 0), True)


def migration_report(ctx: ServiceContext, code: str, to_version: int | None) -> MigrationReport:
    """For each running case of the bundle not on the target version: can it move, and if not, why."""
    with ctx.uow(False) as uow:
        find_bundle(uow, code)
        target = _target(uow, code, to_version)
        numbers = {v.id: v.version for v in uow.flows.versions(code)}
        target_flow = flow_of(ctx, uow, target.id)
        diffs = _Diffs(uow.flows.xml(target.id)[0])
        moves = []
        for case_id in uow.cases.running_ids(code):
            case = uow.cases.get(case_id)
            if case is not None and case.flow_version_id != target.id:
                moves.append(_assess(uow, case, numbers, target_flow, diffs))
    return MigrationReport(code, target.version, moves)


def migrate_cases(cmd: MigrateCases, ctx: ServiceContext) -> MigrationResult:
    """Move every running case that can (or those named) to the target version, each in its own transaction."""
    with ctx.uow(False) as uow:
        bundle = find_bundle(uow, cmd.bundle_code)
        target = _target(uow, cmd.bundle_code, cmd.to_version)
        target_flow = ensure_deployable(ctx, uow, bundle, target)
        numbers = {v.id: v.version for v in uow.flows.versions(cmd.bundle_code)}
        diffs = _Diffs(uow.flows.xml(target.id)[0])
        running = {c.number: c.id for c in map(uow.cases.get, uow.cases.running_ids(cmd.bundle_code)) if c}
    if cmd.case_numbers is None:
        chosen = list(running.values())
    else:
        unknown = [n for n in cmd.case_numbers if n not in running]
        if unknown:
            raise InvalidInput(f"not running cases of {cmd.bundle_code}: {', '.join(unknown)}",
                               "以下办件不是该一件事正在办理的办件",
                               {"cases": [f"{n} 不是该一件事正在办理的办件" for n in unknown]})
        chosen = [running[n] for n in dict.fromkeys(cmd.case_numbers)]
    moved: list[CaseMove] = []
    refused: list[CaseMove] = []
    for case_id in chosen:
        move = in_transaction(ctx, functools.partial(
            _migrate_one, ctx, case_id=case_id, target=target, target_flow=target_flow, numbers=numbers,
            diffs=diffs, actor=cmd.actor))
        if move is not None:
            (moved if move.can_move else refused).append(move)
    return MigrationResult(cmd.bundle_code, target.version, moved, refused)


def _migrate_one(ctx: ServiceContext, uow: UnitOfWork, *, case_id: int, target: FlowVersionRecord,
                 target_flow: FlowSpec, numbers: dict[int, int], diffs: _Diffs, actor: Actor) -> CaseMove | None:
    case = uow.cases.lock(case_id)
    if case is None or CaseStatus(case.status).is_finished or case.flow_version_id == target.id:
        return None  # finished or moved meanwhile: nothing to do
    move = _assess(uow, case, numbers, target_flow, diffs)
    if not move.can_move:
        return move
    stored = uow.states.get(case.id)
    assert stored is not None  # _assess refused a case without one
    ctx.workflows.take(case.id, case.version)  # the live object runs on the old spec: never hand it out again
    try:
        wf = rebind_workflow(stored[1], target_flow, ctx.script_engine)
    except WorkflowError as err:
        return CaseMove(case.id, case.number, case.status, move.from_version, False,
                        reason_zh=f"办件流程无法在目标版本上恢复：{err}")
    now = ctx.clock()
    data = {"bundle": case.bundle_code, "from_version": move.from_version, "to_version": target.version,
            "to_version_id": target.id}
    case.flow_version_id = target.id
    record_event(uow, case, "CaseMigrated", actor, now, data)
    record_audit(uow, "CaseMigrated", actor, f"case:{case.number}", data, now)
    save_progress(ctx, uow, case, wf, now, actor, open_before={t.id: t.name for t in wf.waiting_tasks()})
    return move
