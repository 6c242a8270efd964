"""Who may act on what. Issue 3 adds roles and login; the department rule is already law here:
nobody completes another department's task."""

from __future__ import annotations

from engine.domain.errors import Forbidden
from engine.domain.model import WINDOW, Actor


def ensure_window(actor: Actor, action_zh: str) -> None:
    if actor.department != WINDOW:
        raise Forbidden(
            f"only the comprehensive window may do this; you act for department {actor.department!r}",
            f"只有综合窗口人员可以{action_zh}（当前部门：{actor.department}）",
        )


def ensure_department(actor: Actor, department: str) -> None:
    if actor.department != department:
        raise Forbidden(
            f"this task belongs to department {department!r}; you act for {actor.department!r}",
            f"该任务属于部门 {department}，您所在部门为 {actor.department}，无权办理",
        )
