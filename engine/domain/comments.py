"""会商: comments between the departments of a case, kept as ``CommentAdded`` events in the case's
hash chain, so that a comment, once written, can be neither changed nor removed unnoticed.

A comment's id is the sequence number of its event within the case: stable, unique in the case
and known to every reader of the timeline. A reply names the comment it answers by that id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.errors import InvalidInput
from engine.domain.records import EventRecord

COMMENT_ADDED = "CommentAdded"
MAX_TEXT = 1000
"""The longest comment, in characters after trimming."""


@dataclass(frozen=True)
class Comment:
    id: int
    text: str
    reply_to: int | None
    mentions: tuple[str, ...]
    """The departments asked to read it (their codes), in the order written."""
    author: str
    author_name: str
    department: str
    role: str
    at: datetime


def comment_of(event: EventRecord) -> Comment:
    data = event.data
    return Comment(id=event.seq, text=str(data.get("text", "")), reply_to=data.get("reply_to"),
                   mentions=tuple(data.get("mention") or ()), author=event.actor_user,
                   author_name=str(data.get("author_name") or event.actor_user),
                   department=event.actor_department, role=event.actor_role, at=event.occurred_at)


def comments_in(events: Iterable[EventRecord]) -> list[Comment]:
    """The case's comments, oldest first (as its events are ordered)."""
    return [comment_of(e) for e in events if e.type == COMMENT_ADDED]


def comment_text(raw: str) -> str:
    """The text as stored: trimmed, 1 to ``MAX_TEXT`` characters."""
    text = raw.strip()
    if not text:
        raise InvalidInput("the comment is empty", "会商意见不能为空", {"text": ["请填写会商意见"]})
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the comment has {len(text)} characters, more than {MAX_TEXT}",
                           f"会商意见不能超过 {MAX_TEXT} 个字符（现有 {len(text)} 个）",
                           {"text": [f"不能超过 {MAX_TEXT} 个字符"]})
    return text


def mentioned_departments(raw: Any, departments: dict[str, str]) -> list[str]:
    """The departments a comment asks to read it: one code or a list of codes, each one of the
    case's ``departments`` (code -> name); repeated codes count once."""
    if raw is None:
        return []
    codes = [raw] if isinstance(raw, str) else raw
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput("mention must be a department code or a list of them",
                           "提请会商的部门须为部门代码或部门代码列表", {"mention": ["须为部门代码或部门代码列表"]})
    unknown = [c for c in codes if c not in departments]
    if unknown:
        names = "、".join(departments.values())
        raise InvalidInput(f"not a department of this case: {', '.join(unknown)}",
                           f"提请会商的部门须为本办件涉及的部门（{names}）",
                           {"mention": [f"可选：{names}"]})
    return list(dict.fromkeys(codes))


def replied_comment(reply_to: int | None, comments: Collection[Comment]) -> int | None:
    """The comment a reply answers, which must be one of the case's."""
    if reply_to is None:
        return None
    if not any(c.id == reply_to for c in comments):
        raise InvalidInput(f"no comment {reply_to} in this case", f"要回复的会商意见（{reply_to}）在本办件中不存在",
                           {"reply_to": ["须为本办件中的一条会商意见"]})
    return reply_to


def comment_data(text: str, reply_to: int | None, mentions: list[str], author_name: str) -> dict[str, Any]:
    """The event's data. The author's name as it was when they wrote, for the timeline."""
    return {"text": text, "reply_to": reply_to, "mention": mentions, "author_name": author_name}
