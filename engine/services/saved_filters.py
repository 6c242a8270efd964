"""Saved filters (常用查询): each person lists, saves and deletes only their own, for the case list
and the inbox. Another person's filter is answered as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.access import Principal
from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.saved_filters import MAX_PER_PAGE, PAGE_NAMES, SavedFilter, filter_problems
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SaveFilter:
    owner: Principal
    page: str
    """``cases`` or ``inbox`` (``PAGE_PARAMETERS``)."""
    name: str
    query: dict[str, str]


def list_saved_filters(ctx: ServiceContext, owner: Principal, page: str) -> list[SavedFilter]:
    with ctx.uow(False) as uow:
        return uow.saved_filters.filters_of(owner.user_id, page)


def save_filter(cmd: SaveFilter, ctx: ServiceContext) -> SavedFilter:
    """Keeps a new named filter: 422 for a name or condition that does not fit, 409 for a name the
    owner already uses on that page or a page that already holds ``MAX_PER_PAGE``."""
    name = cmd.name.strip()
    problems = filter_problems(name, cmd.query, cmd.page)
    if problems:
        raise InvalidInput("the filter does not fit", "常用查询填写有误，请按提示修改", problems)

    def save(uow: UnitOfWork) -> SavedFilter:
        store, user_id = uow.saved_filters, cmd.owner.user_id
        store.lock_owner(user_id)
        if store.is_named(user_id, cmd.page, name):
            raise Conflict(f"you already have a filter named {name!r}", f"已有名为“{name}”的常用查询，请换一个名称",
                           {"name": ["名称已被使用"]})
        if store.count_of(user_id, cmd.page) >= MAX_PER_PAGE:
            raise Conflict(f"at most {MAX_PER_PAGE} filters per page",
                           f"{PAGE_NAMES[cmd.page]}最多保存 {MAX_PER_PAGE} 个常用查询，请先删除不用的")
        return store.add(user_id, cmd.page, name, cmd.query, ctx.clock())

    return in_transaction(ctx, save)


def delete_saved_filter(ctx: ServiceContext, owner: Principal, filter_id: int) -> None:
    """Deletes the owner's filter; one that does not exist or is someone else's answers 404 alike."""

    def delete(uow: UnitOfWork) -> None:
        if not uow.saved_filters.remove_own(owner.user_id, filter_id):
            raise NotFound(f"no saved filter {filter_id}", "没有这个常用查询")

    in_transaction(ctx, delete)
