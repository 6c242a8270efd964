"""The rules of a comment (部门会商) without a database: its text, the departments it asks, the
comment it answers, and how comments are read back from a case's events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.domain.comments import (
    COMMENT_ADDED,
    comment_data,
    comment_text,
    comments_in,
    mentioned_departments,
    replied_comment,
)
from engine.domain.errors import InvalidInput
from engine.domain.records import EventRecord

DEPARTMENTS = {"window": "综合窗口", "scjg": "市场监督管理局", "xf": "消防救援机构"}
AT = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def event(seq: int, kind: str, data: dict[str, object], user: str = "li.scjg") -> EventRecord:
    return EventRecord(case_id=1, type=kind, actor_user=user, actor_department="scjg", actor_role="reviewer",
                       occurred_at=AT, data=data, seq=seq)


def test_the_text_is_trimmed_and_between_1_and_1000_characters() -> None:
    assert comment_text("  请确认\n") == "请确认"
    assert comment_text("字" * 1000) == "字" * 1000
    with pytest.raises(InvalidInput) as empty:
        comment_text(" \n\t ")
    assert empty.value.message_zh == "会商意见不能为空"
    with pytest.raises(InvalidInput) as long:
        comment_text("字" * 1001)
    assert long.value.message_zh == "会商意见不能超过 1000 个字符（现有 1001 个）"


def test_mentions_are_the_case_departments_once_each_in_order() -> None:
    assert mentioned_departments(None, DEPARTMENTS) == []
    assert mentioned_departments("xf", DEPARTMENTS) == ["xf"]
    assert mentioned_departments(["xf", "window", "xf"], DEPARTMENTS) == ["xf", "window"]
    for wrong in ("gaj", ["xf", "gaj"]):
        with pytest.raises(InvalidInput) as unknown:
            mentioned_departments(wrong, DEPARTMENTS)
        assert "综合窗口、市场监督管理局、消防救援机构" in unknown.value.message_zh
    for shape in (3, {"xf": 1}, ["xf", None]):
        with pytest.raises(InvalidInput):
            mentioned_departments(shape, DEPARTMENTS)


def test_comments_are_read_from_their_events_and_a_reply_names_one_of_them() -> None:
    events = [event(1, "CaseAccepted", {}), event(2, COMMENT_ADDED, comment_data("请确认", None, ["xf"], "李市监")),
              event(3, "TaskClaimed", {"task": "x"}),
              event(4, COMMENT_ADDED, comment_data("已确认", 2, [], "赵消防"), user="zhao.xf")]
    first, reply = comments_in(events)
    assert (first.id, first.text, first.mentions, first.author_name, first.reply_to) == \
        (2, "请确认", ("xf",), "李市监", None)
    assert (reply.id, reply.reply_to, reply.author) == (4, 2, "zhao.xf")
    assert replied_comment(None, [first, reply]) is None
    assert replied_comment(2, [first, reply]) == 2
    for not_a_comment in (1, 3, 99):
        with pytest.raises(InvalidInput):
            replied_comment(not_a_comment, [first, reply])
