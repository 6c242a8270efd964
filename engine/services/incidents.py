"""Administrators' use cases on incidents: list them, read one, and retry the step it halted at.

The fix itself uses what exists: upload and deploy a corrected flow version, move the case onto it
(``flow_migration.migrate_cases``, which lets the halted element change), then retry here."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.incidents import IncidentRecord, IncidentStatus
from engine.domain.model import Actor, CaseStatus
from engine.services.audit import record_audit
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.incident_log import record_incidents
from engine.services.linkage import settle_opened_approvals
from engine.services.progress import load_workflow, save_progress
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.case_workflow import UnknownTask, WorkflowError

MAX_LISTED = 500


def list_incidents(ctx: ServiceContext, status: str | None = None, bundle_code: str | None = None,
                   limit: int = 100) -> list[IncidentRecord]:
    """Incidents, newest first, of one status (open, resolved) and bundle if given."""
    if status is not None and status not in {s.value for s in IncidentStatus}:
        raise InvalidInput(f"status must be one of {', '.join(IncidentStatus)}", "状态只能是 open 或 resolved",
                           {"status": ["open 或 resolved"]})
    with ctx.uow(False) as uow:
        return uow.incidents.listed(status, bundle_code, max(1, min(limit, MAX_LISTED)))


def get_incident(ctx: ServiceContext, incident_id: int) -> IncidentRecord:
    with ctx.uow(False) as uow:
        return _found(uow, incident_id)


def _found(uow: UnitOfWork, incident_id: int, lock: bool = False) -> IncidentRecord:
    incident = uow.incidents.get(incident_id, lock)
    if incident is None:
        raise NotFound(f"no incident {incident_id}", f"没有编号为 {incident_id} 的异常")
    return incident


@dataclass(frozen=True)
class RetryIncident:
    incident_id: int
    actor: Actor


@dataclass(frozen=True)
class RetryOutcome:
    incident: IncidentRecord
    """As the retry left it: resolved, or still open with the error of this attempt."""
    opened: tuple[IncidentRecord, ...] = ()
    """Incidents opened by steps after the retried one that failed in turn."""

    @property
    def resolved(self) -> bool:
        return not self.incident.is_open


def retry_incident(cmd: RetryIncident, ctx: ServiceContext) -> RetryOutcome:
    """Run the halted step again on the case's current flow version and let the case move on. On
    success the incident is resolved; if the step fails again it stays open with the new error and
    the case is left as it was (its workflow is not written)."""
    def work(uow: UnitOfWork) -> RetryOutcome:
        now = ctx.clock()
        case = uow.cases.lock(_found(uow, cmd.incident_id).case_id)
        incident = _found(uow, cmd.incident_id, lock=True)  # read again under the case lock
        if case is None:
            raise NotFound(f"the case of incident {incident.id} is gone", "该异常所属的办件不存在")
        if not incident.is_open:
            raise Conflict(f"incident {incident.id} was already resolved by {incident.resolved_by}",
                           f"异常 {incident.id} 已由 {incident.resolved_by} 处理完毕")
        if CaseStatus(case.status).is_finished:
            raise Conflict(f"case {case.number} is finished; there is nothing to retry",
                           f"办件 {case.number} 已办结或终止，无需重试")
        wf = load_workflow(ctx, uow, case)
        open_before = {t.id: t.name for t in wf.waiting_tasks()}
        try:
            try:
                wf.retry(incident.task_id)
            except UnknownTask:  # the step's task is gone (the flow moved on): just move on
                wf.retry(None)
        except WorkflowError as err:
            step = wf.halt(err)
            wf.take_halted()
            if step.task_id in (incident.task_id, None) or step.element_id == incident.element_id:
                incident.failed_again(step, now)
                uow.incidents.save(incident)
                record_event(uow, case, "IncidentRetryFailed", cmd.actor, now, incident.event_data(),
                             incident.task_id)
                record_audit(uow, "IncidentRetryFailed", cmd.actor, f"case:{case.number}",
                             {"incident": incident.id, "element_id": incident.element_id}, now)
                uow.cases.save(case)  # the events only: the workflow stays as it was stored
                return RetryOutcome(incident)
            wf.halt(err)  # the retried step passed; a later one failed: that is a new incident
        settle_opened_approvals(uow, ctx, case, wf, now, open_before)
        incident.resolve(cmd.actor.user, now)
        uow.incidents.save(incident)
        record_event(uow, case, "IncidentResolved", cmd.actor, now,
                     {"incident": incident.id, "element_id": incident.element_id,
                      "flow_version_id": case.flow_version_id}, incident.task_id)
        record_audit(uow, "IncidentResolved", cmd.actor, f"case:{case.number}",
                     {"incident": incident.id, "element_id": incident.element_id}, now)
        halted = wf.take_halted()
        opened = record_incidents(uow, case, halted, cmd.actor, now)
        save_progress(ctx, uow, case, wf, now, cmd.actor, open_before=open_before)
        return RetryOutcome(incident, tuple(opened))

    return in_transaction(ctx, work)
