"""会商: the departments of a case, and the window that accepted it, write comments to each other on
the case; a supervisor reads them. Who may not see the case does not learn that it exists (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.access import Principal, Role
from engine.domain.catalogue import bundle_from_dict
from engine.domain.comments import (
    COMMENT_ADDED,
    Comment,
    comment_data,
    comment_text,
    comments_in,
    mentioned_departments,
    replied_comment,
)
from engine.domain.errors import Conflict, Forbidden, case_not_found
from engine.domain.model import WINDOW, Actor, Bundle, CaseStatus
from engine.domain.records import CaseRecord
from engine.persistence.comment_reads import Mentions
from engine.services.case_detail import read_case_detail
from engine.services.cases import find_case
from engine.services.context import ServiceContext
from engine.services.events import record_event
from engine.services.transactions import Applied, RequestKey, idempotent, in_transaction
from engine.services.unit_of_work import UnitOfWork

WINDOW_NAME = "综合窗口"


@dataclass(frozen=True)
class CaseComments:
    case: CaseRecord
    departments: dict[str, str]
    """Who may be asked to read a comment: the window and the case's departments, code -> name."""
    comments: list[Comment]
    may_write: bool
    personal_data: bool
    """Whether the viewer may read personal numbers written in the comments unmasked."""


@dataclass(frozen=True)
class AddComment:
    case_ref: str
    text: str
    actor: Actor
    viewer: Principal
    """Who writes, as authenticated: the department that decides whether they may, the name the
    comment is signed with."""
    reply_to: int | None = None
    mention: Any = None
    """A department code or a list of them, checked against the case's departments."""
    request_key: RequestKey | None = None


def _departments(bundle: Bundle, item_departments: set[str]) -> dict[str, str]:
    named = {WINDOW: WINDOW_NAME}
    named.update((code, bundle.department_name(code)) for code in sorted(item_departments))
    return named


def _may_write(viewer: Principal, item_departments: set[str]) -> bool:
    """The window (it accepted the case) and the reviewers and heads of a department with an item
    in it; a supervisor reads only."""
    if Role.CLERK in viewer.roles:
        return True
    return viewer.works_in_department and viewer.department in item_departments


def list_comments(ctx: ServiceContext, ref: str, viewer: Principal) -> CaseComments:
    """The case's comments, as ``viewer`` may see the case (404 otherwise), closed cases too."""
    with ctx.uow(False) as uow:
        detail = read_case_detail(uow, find_case(uow, ref), viewer, ref)
    item_departments = {i.department for i in detail.items}
    return CaseComments(detail.case, _departments(detail.bundle, item_departments), comments_in(detail.events),
                        _may_write(viewer, item_departments) and not CaseStatus(detail.case.status).is_finished,
                        detail.personal_data)


def add_comment(cmd: AddComment, ctx: ServiceContext) -> Applied:
    """Append the comment to the case's event chain. Answers ``resource_id`` "<case id>:<comment id>"."""
    text = comment_text(cmd.text)

    def work(uow: UnitOfWork) -> Applied:
        now = ctx.clock()

        def apply() -> Applied:
            case = find_case(uow, cmd.case_ref, lock=True)
            item_departments = {i.department for i in uow.items.for_case(case.id)}
            if not cmd.viewer.sees_case(item_departments, case.agent):
                raise case_not_found(cmd.case_ref)
            if not _may_write(cmd.viewer, item_departments):
                raise Forbidden(f"{cmd.viewer.login} may read the comments of case {case.number}, not write",
                                "您只能查看会商意见，不能发表（仅办件涉及的部门和综合窗口可以发表）")
            if CaseStatus(case.status).is_finished:
                raise Conflict(f"case {case.number} is {case.status}: no more comments",
                               f"办件 {case.number} 已办结或终止，不能再发表会商意见")
            row = uow.flows.bundle(case.bundle_code)
            assert row is not None
            departments = _departments(bundle_from_dict(row.definition), item_departments)
            mentions = mentioned_departments(cmd.mention, departments)
            reply_to = replied_comment(cmd.reply_to, comments_in(uow.events.for_case(case.id)))
            record_event(uow, case, COMMENT_ADDED, cmd.actor, now,
                         comment_data(text, reply_to, mentions, cmd.viewer.name))
            uow.cases.save(case)
            return Applied("comment", f"{case.id}:{case.event_seq}", 201)

        return idempotent(uow, cmd.request_key, "comment", apply, now)

    return in_transaction(ctx, work)


def get_comment(ctx: ServiceContext, resource_id: str, viewer: Principal) -> tuple[CaseComments, Comment]:
    """The comment ``add_comment`` answered (or an Idempotency-Key replayed), with its case."""
    case_id, _, seq = resource_id.partition(":")
    comments = list_comments(ctx, case_id, viewer)
    return comments, next(c for c in comments.comments if c.id == int(seq))


def list_mentions(ctx: ServiceContext, viewer: Principal) -> list[Mentions]:
    """The running cases whose comments ask the viewer's department (the window, for a clerk) to read them."""
    department = WINDOW if Role.CLERK in viewer.roles else viewer.department if viewer.works_in_department else None
    if department is None:
        return []
    with ctx.uow(False) as uow:
        return uow.reads.mentions_in_running_cases(department)
