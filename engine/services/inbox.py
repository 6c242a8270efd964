"""The inbox (待办): a department's tasks, filtered and sorted by the database, within what the viewer
may see (a reviewer or head: their department's; a supervisor: all)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.domain.access import Principal, ensure_task_visible
from engine.domain.errors import case_not_found
from engine.domain.records import TaskRecord
from engine.persistence.inbox import SORTS, InboxCriteria
from engine.persistence.queries import Page
from engine.services.context import ServiceContext

TASK_SORTS = SORTS


class Claim(StrEnum):
    """Whose tasks: everyone's, the viewer's own claims, or those nobody has claimed."""

    ALL = "all"
    MINE = "mine"
    UNCLAIMED = "unclaimed"


@dataclass(frozen=True)
class ListInbox:
    viewer: Principal
    states: tuple[str, ...] = ("ready", "claimed")
    department: str | None = None
    """Asking for a department the viewer may not see is 403 (the departments are public)."""
    case_ref: str | None = None
    """One case's tasks; a case that does not exist and one the viewer may not see both answer 404."""
    assignee: str | None = None
    colour: str | None = None
    """The tasks whose clock has that colour (red: overdue)."""
    bundle_code: str | None = None
    claim: Claim = Claim.ALL
    paused: bool | None = None
    service_point: str | None = None
    """Only the work of cases accepted or handed over at that service point."""
    sort: str = "arrived"
    """One of ``TASK_SORTS``."""
    descending: bool = False
    page: int = 1
    per_page: int = 50


def _criteria(cmd: ListInbox) -> InboxCriteria:
    states = cmd.states
    if cmd.claim is Claim.UNCLAIMED:
        states = tuple(s for s in states if s == "ready")
    return InboxCriteria(states=states, departments=cmd.viewer.task_departments(), department=cmd.department,
                         case_ref=cmd.case_ref or None,
                         assignee=cmd.viewer.login if cmd.claim is Claim.MINE else cmd.assignee,
                         colour=cmd.colour, bundle_code=cmd.bundle_code, paused=cmd.paused,
                         service_point=cmd.service_point)


def list_inbox(cmd: ListInbox, ctx: ServiceContext) -> Page[TaskRecord]:
    """The viewer's inbox as ``cmd`` filters and sorts it, oldest first unless asked otherwise."""
    if cmd.department is not None:
        ensure_task_visible(cmd.viewer, cmd.department)
    with ctx.uow(False) as uow:
        found = uow.reads.list_inbox(_criteria(cmd), cmd.page, cmd.per_page, cmd.sort, cmd.descending)
        # The case is looked up within the same statement; only an empty answer asks whether it exists
        # and whether the viewer may see it (a task of the viewer's own shows that they may).
        if cmd.case_ref and not found.items:
            case_id = uow.cases.id_of(cmd.case_ref)
            if case_id is None or not cmd.viewer.sees_case({i.department for i in uow.items.for_case(case_id)}):
                raise case_not_found(cmd.case_ref)
        return found
