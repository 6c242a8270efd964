"""A case as the API shows it: status, items, tasks and timeline, read in the caller's transaction
(a read of its own for GET, the changing transaction itself for the window's POSTs)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.access import Principal
from engine.domain.catalogue import bundle_from_dict
from engine.domain.errors import NotFound, case_not_found
from engine.domain.model import Bundle
from engine.domain.records import CaseItemRecord, CaseRecord, EventRecord, TaskRecord
from engine.services.intake_points import with_unit_names
from engine.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CaseDetail:
    case: CaseRecord
    bundle: Bundle
    items: list[CaseItemRecord]
    tasks: list[TaskRecord]
    events: list[EventRecord]
    personal_data: bool = False
    """Whether the viewer may see the applicant's full identifiers."""
    names: dict[str, str] | None = None
    """People's display names by login: whoever accepted the case, acted in its timeline, decided an
    item, holds or completed a task; ``None`` when not read (see ``people_of``)."""


def people_of(case: CaseRecord, items: list[CaseItemRecord], tasks: list[TaskRecord],
              events: list[EventRecord]) -> set[str]:
    """The logins a case names: who accepted it, acted in it, decided an item, holds or did a task."""
    logins = {case.accepted_by, *(e.actor_user for e in events), *(i.decided_by for i in items),
              *(t.assignee for t in tasks), *(t.completed_by for t in tasks)}
    return {login for login in logins if login and login != "system"}


def own_case_detail(uow: UnitOfWork, case: CaseRecord) -> CaseDetail:
    """The case as its own applicant may read it, once the caller has checked it is theirs: every
    personal datum in it is theirs; staff's names are not read."""
    items = uow.items.for_case(case.id)
    row = uow.flows.bundle(case.bundle_code)
    assert row is not None
    bundle = bundle_from_dict(row.definition)
    order = {item.code: n for n, item in enumerate(bundle.items)}
    items.sort(key=lambda i: order.get(i.item_code, 99))
    return CaseDetail(case, bundle, items, uow.tasks.of_case(case.id), uow.events.for_case(case.id), True)


def read_case_detail(uow: UnitOfWork, case: CaseRecord, viewer: Principal,
                     ref: str | None = None, with_names: bool = True) -> CaseDetail:
    """The case as ``viewer`` may see it; to a department that has no item in it, the case ``ref``
    (as the caller named it; the case number by default) does not exist (404). ``with_names``: read
    people's names too (a changing transaction does not: on PostgreSQL the read would send its
    deferred writes in a round trip of their own; the answer reads them after the commit)."""
    items = uow.items.for_case(case.id)
    departments = {i.department for i in items}
    if not viewer.sees_case(departments, case.agent):
        raise case_not_found(case.number if ref is None else ref)
    row = uow.flows.bundle(case.bundle_code)
    assert row is not None
    bundle = with_unit_names(uow, bundle_from_dict(row.definition), case)
    order = {item.code: n for n, item in enumerate(bundle.items)}
    items.sort(key=lambda i: order.get(i.item_code, 99))
    # Both include this transaction's own changes; a case created or closed in it is not read again.
    events, tasks = uow.events.for_case(case.id), uow.tasks.of_case(case.id)
    names = uow.users.names(people_of(case, items, tasks, events)) if with_names else None
    return CaseDetail(case, bundle, items, tasks, events, viewer.sees_personal_data(departments, case.agent), names)


def detail_after_change(uow: UnitOfWork, case: CaseRecord, viewer: Principal | None) -> CaseDetail | None:
    """The changed case for the answer, read before the change commits, which spares the answer
    a transaction of its own; ``None`` when no one asked or the viewer may not see it (the answer
    then reads it, and refuses, the usual way)."""
    if viewer is None:
        return None
    try:
        return read_case_detail(uow, case, viewer, with_names=False)
    except NotFound:
        return None
