"""联动审批: what one item of a case means for the items that wait for it. An item whose prerequisite
was refused (or is itself not applicable) is not decided: it ends as not applicable, with the reason,
and its department is given nothing to do. An item that opens receives the outputs of its
prerequisites inside the case (the business licence for the food permit), recorded in the case's
events, instead of asking the applicant for them."""

from __future__ import annotations

from datetime import datetime

from engine.domain.model import SYSTEM, Bundle, ItemStatus, TaskKind
from engine.domain.records import CaseItemRecord, CaseRecord
from engine.persistence.uow import SqlAlchemyUnitOfWork
from engine.services.catalogue_cache import BundleCatalogue
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.progress import complete_in_workflow
from engine.workflow.case_workflow import CaseWorkflow

NOT_DECIDED = (ItemStatus.REJECTED, ItemStatus.NOT_APPLICABLE)
"""A prerequisite in one of these states never grants what the items after it need."""


def refused_prerequisite(bundle: Bundle, items: dict[str, CaseItemRecord], code: str) -> CaseItemRecord | None:
    """The first prerequisite of item ``code`` that was refused or is not applicable, if any."""
    item = bundle.item(code)
    for required in item.requires if item is not None else ():
        record = items.get(required)
        if record is not None and record.status in NOT_DECIDED:
            return record
    return None


def settle_opened_approvals(uow: SqlAlchemyUnitOfWork, ctx: ServiceContext, case: CaseRecord, wf: CaseWorkflow,
                            now: datetime, open_before: dict[str, str]) -> None:
    """Call after the workflow moved on and the decision's item was saved, before the open tasks
    are projected: approvals that just opened either end as not applicable (repeatedly, down the
    chain of prerequisites) or receive the outputs of their prerequisites."""
    if not any(t.kind == TaskKind.APPROVAL and t.id not in open_before for t in wf.waiting_tasks()):
        return  # nothing opened: no read (on PostgreSQL each read after a write is a round trip)
    row = uow.flows.bundle(case.bundle_code)
    if row is None:
        return
    catalogue = ctx.catalogues.get(uow, row.definition)
    bundle = catalogue.bundle
    while True:
        items = {i.item_code: i for i in uow.items.for_case(case.id)}
        blocked = next(((t, p) for t in wf.waiting_tasks() if t.kind == TaskKind.APPROVAL and t.item
                        and t.id not in open_before
                        and (p := refused_prerequisite(bundle, items, t.item)) is not None), None)
        if blocked is None:
            break
        task, prerequisite = blocked
        assert task.item is not None
        _end_as_not_applicable(uow, case, wf, task.id, items[task.item], prerequisite, bundle, now)
    _link_outputs(uow, case, wf, catalogue, now, open_before)


def _end_as_not_applicable(uow: SqlAlchemyUnitOfWork, case: CaseRecord, wf: CaseWorkflow, task_id: str,
                           record: CaseItemRecord, prerequisite: CaseItemRecord, bundle: Bundle,
                           now: datetime) -> None:
    before = bundle.item(prerequisite.item_code)
    name = before.name if before is not None else prerequisite.item_code
    why = "不予许可" if prerequisite.status == ItemStatus.REJECTED else "不适用"
    reason = f"前置事项“{name}”{why}，本事项不再办理"
    complete_in_workflow(wf, task_id, {"results": {record.item_code: {
        "decision": "not_applicable", "reason": reason, "decided_by": SYSTEM.user, "decided_at": now.isoformat()}}})
    record.status, record.decision, record.reason = ItemStatus.NOT_APPLICABLE, "not_applicable", reason
    record.decided_by, record.decided_at = SYSTEM.user, now
    uow.items.save(record)
    record_event(uow, case, "ItemNotApplicable", SYSTEM, now,
                 {"item": record.item_code, "prerequisite": prerequisite.item_code, "reason": reason})


def _link_outputs(uow: SqlAlchemyUnitOfWork, case: CaseRecord, wf: CaseWorkflow, catalogue: BundleCatalogue,
                  now: datetime, open_before: dict[str, str]) -> None:
    """Each approval opened for the first time gets what its prerequisites issued (联动)."""
    bundle = catalogue.bundle
    issuer = {key: item for item in bundle.items for key in item.issues}
    items = {i.item_code: i for i in uow.items.for_case(case.id)}
    for task in wf.waiting_tasks():
        item = bundle.item(task.item or "")
        record = items.get(task.item or "")
        if (task.kind != TaskKind.APPROVAL or task.id in open_before or item is None or not item.uses
                or record is None or record.corrections):
            continue
        linked = []
        for key in item.uses:
            source = issuer.get(key)
            source_record = items.get(source.code) if source is not None else None
            linked.append({"material": key, "name": str(catalogue.materials.get(key, {}).get("name", key)),
                           "from_item": source.code if source is not None else None,
                           "licence_number": source_record.licence_number if source_record is not None else None})
        record_event(uow, case, "OutputsLinked", SYSTEM, now, {"item": item.code, "materials": linked}, task.id)
