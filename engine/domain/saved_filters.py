"""Saved filters (常用查询): a person's own named conditions for the case list or the inbox.

A filter is the page's query parameters as the page would send them, so that applying one is
opening the page with them. Only the parameters each page understands are kept, as text; the
page's own endpoint checks their values when the filter is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PAGE_PARAMETERS: dict[str, frozenset[str]] = {
    "cases": frozenset({"q", "status", "bundle", "department", "from", "to", "sort", "order"}),
    "inbox": frozenset({"bundle", "claim", "colour", "paused", "sort", "order"}),
}
"""The pages that keep saved filters, and the query parameters a filter of each may hold."""
PAGE_NAMES = {"cases": "办件查询", "inbox": "部门待办"}
NAME_MAX = 40
VALUE_MAX = 100
MAX_PER_PAGE = 20
"""How many filters a person keeps for one page: a short list to pick from, not an archive."""


@dataclass(frozen=True)
class SavedFilter:
    id: int
    user_id: int
    page: str
    name: str
    query: dict[str, str]
    created_at: datetime


def filter_problems(name: str, query: dict[str, str], page: str) -> dict[str, list[str]]:
    """What is wrong with a filter to be saved, by field, in Chinese (empty when nothing is)."""
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = ["请填写名称"]
    elif len(name.strip()) > NAME_MAX:
        problems["name"] = [f"名称不能超过 {NAME_MAX} 个字符"]
    allowed = PAGE_PARAMETERS[page]
    unknown = sorted(key for key in query if key not in allowed)
    if unknown:
        problems["query"] = [f"{PAGE_NAMES[page]}没有这些查询条件：{'、'.join(unknown)}"]
    elif any(len(value) > VALUE_MAX for value in query.values()):
        problems["query"] = [f"每个查询条件不能超过 {VALUE_MAX} 个字符"]
    return problems
