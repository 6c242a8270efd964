"""Read use cases: what the API shows about cases, tasks and bundles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.domain.access import Principal
from engine.domain.catalogue import bundle_from_dict
from engine.domain.errors import task_not_found
from engine.domain.model import Bundle
from engine.domain.records import (
    BundleRecord,
    FlowVersionRecord,
    TaskRecord,
)
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


def people_names(ctx: ServiceContext, logins: set[str], known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Display names by login, for showing people by name where records hold their logins. ``known``:
    names the caller has already (the signed-in person's own), not read again; a case just accepted
    names only the clerk who accepted it, and its answer then reads nothing more."""
    wanted = {login for login in logins if login and login != "system"}
    names = {login: name for login, name in (known or {}).items() if login in wanted}
    if wanted <= names.keys():
        return names
    with ctx.uow(False) as uow:
        return {**uow.users.names(wanted - names.keys()), **names}


def list_bundles(ctx: ServiceContext) -> list[BundleView]:
    with ctx.uow(False) as uow:
        return [BundleView(row, bundle_from_dict(row.definition), uow.flows.versions(row.code))
                for row in uow.flows.bundles()]


def deployed_bundle_count(ctx: ServiceContext) -> int:
    """The health check: one cheap statement that proves the database answers."""
    with ctx.uow(False) as uow:
        return uow.flows.deployed_count()
