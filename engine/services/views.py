"""Read use cases: what the API shows about cases, tasks and bundles."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.access import Principal, ensure_task_visible
from engine.domain.catalogue import bundle_from_dict
from engine.domain.errors import case_not_found, task_not_found
from engine.domain.model import Bundle
from engine.domain.records import (
    BundleRecord,
    FlowVersionRecord,
    TaskRecord,
)
from engine.persistence import queries
from engine.persistence.queries import Page
from engine.services.case_detail import CaseDetail, read_case_detail
from engine.services.cases import find_case
from engine.services.context import ServiceContext


@dataclass(frozen=True)
class BundleView:
    record: BundleRecord
    bundle: Bundle
    versions: list[FlowVersionRecord]


def get_case(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseDetail:
    """A case as ``viewer`` may see it; to a department that has no item in it, it does not exist (404)."""
    with ctx.uow(False) as uow:
        return read_case_detail(uow, find_case(uow, ref), viewer, ref)


def get_task(ctx: ServiceContext, task_id: str, viewer: Principal) -> TaskRecord:
    with ctx.uow(False) as uow:
        task = uow.tasks.get(task_id)
    seen = viewer.task_departments()
    if task is None or (seen is not None and task.department not in seen):
        raise task_not_found(task_id)  # another department's task: as if it did not exist
    return task


def list_tasks(ctx: ServiceContext, viewer: Principal, department: str | None, states: tuple[str, ...],
               case_ref: str | None, assignee: str | None, page: int, per_page: int,
               colour: str | None = None) -> Page[TaskRecord]:
    """An inbox: only the departments whose tasks ``viewer`` may see; asking for another is 403 (the
    departments are public). ``case_ref``: one case's tasks; a case that does not exist and one the
    viewer may not see both answer 404. ``colour`` keeps the tasks whose clock has that colour (red: overdue)."""
    if department is not None:
        ensure_task_visible(viewer, department)
    with ctx.uow(False) as uow:
        found = queries.list_tasks(uow.connection, department, states, viewer.task_departments(), None,
                                   assignee, page, per_page, colour, case_ref or None)
        # The case is looked up within the same statement; only an empty answer asks whether it exists
        # and whether the viewer may see it (a task of the viewer's own shows that they may).
        if case_ref and not found.items:
            case_id = uow.cases.id_of(case_ref)
            if case_id is None or not viewer.sees_case({i.department for i in uow.items.for_case(case_id)}):
                raise case_not_found(case_ref)
        return found


def people_names(ctx: ServiceContext, logins: set[str]) -> dict[str, str]:
    """Display names by login, for showing people by name where records hold their logins."""
    wanted = {login for login in logins if login and login != "system"}
    if not wanted:
        return {}
    with ctx.uow(False) as uow:
        return uow.users.names(wanted)


def list_bundles(ctx: ServiceContext) -> list[BundleView]:
    with ctx.uow(False) as uow:
        return [BundleView(row, bundle_from_dict(row.definition), uow.flows.versions(row.code))
                for row in uow.flows.bundles()]


def deployed_bundle_count(ctx: ServiceContext) -> int:
    """The health check: one cheap statement that proves the database answers."""
    with ctx.uow(False) as uow:
        return uow.flows.deployed_count()
