"""Who may act on what. Issue 3 adds roles and login; the department rule is already law here:
nobody completes another department's task."""

from __future__ import annotations

from engine.domain.errors import Forbidden, task_not_found
from engine.domain.model import WINDOW, Actor


def ensure_window(actor: Actor, action_zh: str) -> None:
    if actor.department != WINDOW:
        raise Forbidden(
            f"only the comprehensive window may do this; you act for department {actor.department!r}",
            f"只有综合窗口人员可以{action_zh}（当前部门：{actor.department}）",
        )


def ensure_department(actor: Actor, department: str, task_id: str) -> None:
    """Nobody works another department's task: to them it answers as a task that does not exist (404),
    so that task ids cannot be probed. What a role may not do at all stays 403 (``api/access.py``)."""
    if actor.department != department:
        raise task_not_found(task_id)
