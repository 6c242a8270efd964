"""联动审批: what one item of a case means for the items that wait for it. An item whose prerequisite
was refused (or is itself not applicable) is not decided: it ends as not applicable, with the reason,
and its department is given nothing to do. An item that opens receives the outputs of its
prerequisites inside the case (the business licence for the food permit), recorded in the case's
events, instead of asking the applicant for them.

The prerequisites' decisions and licence numbers are read from the opened task's own data (each
department writes ``results[item]``, which flows on to the items after it), so that linking reads
nothing from the database: on PostgreSQL a read after the change's first write costs a round trip."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine.domain.case import Case
from engine.domain.model import SYSTEM, Bundle, TaskKind
from engine.domain.records import CaseRecord
from engine.services.catalogue_cache import BundleCatalogue
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.progress import complete_in_workflow, persist_events
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.case_workflow import CaseWorkflow, WorkflowTask

NOT_DECIDED = ("reject", "not_applicable")
"""A prerequisite decided so never grants what the items after it need."""


def refused_prerequisite(bundle: Bundle, results: Mapping[str, Any], code: str) -> str | None:
    """The first prerequisite of item ``code`` whose result (``results[item]["decision"]``) was a
    refusal or not applicable, if any."""
    item = bundle.item(code)
    for required in item.requires if item is not None else ():
        result = results.get(required)
        if isinstance(result, Mapping) and result.get("decision") in NOT_DECIDED:
            return required
    return None


def _results(wf: CaseWorkflow, task: WorkflowTask) -> Mapping[str, Any]:
    results = wf.task_data(task.id).get("results")
    return results if isinstance(results, Mapping) else {}


def settle_opened_approvals(uow: UnitOfWork, ctx: ServiceContext, case: CaseRecord, wf: CaseWorkflow,
                            now: datetime, open_before: dict[str, str]) -> None:
    """Call after the workflow moved on and the decision's item was saved, before the open tasks
    are projected: approvals that just opened either end as not applicable (repeatedly, down the
    chain of prerequisites) or receive the outputs of their prerequisites."""
    if not any(t.kind == TaskKind.APPROVAL and t.id not in open_before for t in wf.waiting_tasks()):
        return
    row = uow.flows.bundle(case.bundle_code)  # read ahead of the writes (tasks._read_ahead)
    if row is None:
        return
    catalogue = ctx.catalogues.get(uow, row.definition)
    bundle = catalogue.bundle
    while True:
        opened = [t for t in wf.waiting_tasks() if t.kind == TaskKind.APPROVAL and t.item and t.id not in open_before]
        blocked = next(((t, p) for t in opened
                        if (p := refused_prerequisite(bundle, _results(wf, t), t.item or "")) is not None), None)
        if blocked is None:
            break
        task, prerequisite = blocked
        _end_as_not_applicable(uow, case, wf, task, prerequisite, bundle, now)
    _link_outputs(uow, case, wf, catalogue, now, open_before)


def _end_as_not_applicable(uow: UnitOfWork, case: CaseRecord, wf: CaseWorkflow, task: WorkflowTask,
                           prerequisite: str, bundle: Bundle, now: datetime) -> None:
    before = bundle.item(prerequisite)
    refused = _results(wf, task).get(prerequisite, {}).get("decision") == "reject"
    aggregate = Case(case, [i for i in uow.items.for_case(case.id) if i.item_code == task.item])
    result = aggregate.refuse_for_prerequisite(task.item or "", prerequisite,
                                               before.name if before is not None else prerequisite, refused, now)
    complete_in_workflow(wf, task.id, result)
    for item in aggregate.take_changed_items():
        uow.items.save(item)
    persist_events(uow, aggregate)


def _link_outputs(uow: UnitOfWork, case: CaseRecord, wf: CaseWorkflow, catalogue: BundleCatalogue,
                  now: datetime, open_before: dict[str, str]) -> None:
    """Each approval opened for the first time (not back from a correction) gets what its
    prerequisites issued (联动)."""
    bundle = catalogue.bundle
    issuer = {key: item for item in bundle.items for key in item.issues}
    for task in wf.waiting_tasks():
        item = bundle.item(task.item or "")
        if task.kind != TaskKind.APPROVAL or task.id in open_before or item is None or not item.uses:
            continue
        data = wf.task_data(task.id)
        corrections = data.get("corrections")
        if isinstance(corrections, Mapping) and item.code in corrections:
            continue
        results = _results(wf, task)
        linked = []
        for key in item.uses:
            source = issuer.get(key)
            result = results.get(source.code) if source is not None else None
            linked.append({"material": key, "name": str(catalogue.materials.get(key, {}).get("name", key)),
                           "from_item": source.code if source is not None else None,
                           "licence_number": result.get("licence_number") if isinstance(result, Mapping) else None})
        record_event(uow, case, "OutputsLinked", SYSTEM, now, {"item": item.code, "materials": linked}, task.id)
