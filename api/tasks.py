"""Tasks: a department's inbox, claim and release, complete, and a head's reassignment."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.access import current_actor, current_principal
from api.cases import ctx
from api.idempotency import request_key
from api.list_args import TaskListArgsSchema
from api.presented import presented
from api.presenters import task_view
from api.schemas import (
    AssignTaskSchema,
    CompletedTaskSchema,
    CompleteTaskSchema,
    ExtendTaskSchema,
    PauseTaskSchema,
    TaskPageSchema,
    TaskSchema,
    task_answer,
)
from engine.services import views
from engine.services.clock_actions import ExtendTask, PauseTask, ResumeTask, extend_task, pause_task, resume_task
from engine.services.inbox import Claim, ListInbox, list_inbox
from engine.services.tasks import (
    AssignTask,
    ClaimTask,
    CompleteTask,
    UnclaimTask,
    assign_task,
    claim_task,
    complete_task,
    unclaim_task,
)
from engine.services.transactions import Applied

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="待办任务：收件箱、认领、办理、改派")

_STATES = {"open": ("ready", "claimed")}


def _answer(applied: Applied, named: bool = False) -> tuple[dict[str, Any], int]:
    """``named``: with the assignee's name (a read more, for the reassignment the page reports)."""
    task = applied.task or views.get_task(ctx(), applied.resource_id, current_principal())
    names = views.people_names(ctx(), {task.assignee or ""}) if named else None
    return task_view(task, ctx(), names), applied.status_code


_COMPLETED = CompletedTaskSchema()


def _completed(applied: Applied) -> Response:
    """The task, and the tasks its completion opened that the reviewer may see (their department's
    next step, e.g. the food permit once the business licence is decided), spared an inbox read."""
    answer, status = _answer(applied)
    seen = current_principal().task_departments()
    answer["opened_tasks"] = [task_view(t, ctx()) for t in applied.opened if seen is None or t.department in seen]
    return presented(_COMPLETED, answer, status)


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskListArgsSchema(), location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """An inbox from the task projection: your department's tasks (a supervisor's: all), filtered by
        bundle, claim, colour and pause, sorted by ``sort`` and ``order`` (oldest first by default)"""
        page = list_inbox(ListInbox(
            current_principal(), states=_STATES.get(args["state"], (args["state"],)), department=args.get("department"),
            case_ref=args.get("case"), assignee=args.get("assignee"), colour=args.get("colour"),
            bundle_code=args.get("bundle"), claim=Claim(args["claim"]), paused=args.get("paused"),
            service_point=args.get("service_point"), sort=args["sort"],
            descending=args["order"] == "desc", page=args["page"], per_page=args["per_page"]), ctx())
        names = views.people_names(ctx(), {p for t in page.items for p in (t.assignee, t.completed_by) if p})
        return {"items": [task_view(t, ctx(), names) for t in page.items], "total": page.total,
                "total_exact": page.total_exact, "page": page.page,
                "per_page": page.per_page}


@blp.route("/<string:task_id>")
class TaskById(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id: str) -> dict[str, Any]:
        """One task of your department"""
        task = views.get_task(ctx(), task_id, current_principal())
        return task_view(task, ctx(), views.people_names(ctx(), {task.assignee or "", task.completed_by or ""}))


@blp.route("/<string:task_id>/claim")
class TaskClaim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> tuple[dict[str, Any], int]:
        """Claim a task of your department"""
        return _answer(claim_task(ClaimTask(task_id, current_actor(), request_key()), ctx()))


@blp.route("/<string:task_id>/unclaim")
class TaskUnclaim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> tuple[dict[str, Any], int]:
        """Release a task you claimed back to your department's inbox (放弃认领); 409 if you did not claim it"""
        return _answer(unclaim_task(UnclaimTask(task_id, current_actor(), request_key()), ctx()))


@blp.route("/<string:task_id>/complete")
class TaskComplete(MethodView):
    @blp.arguments(CompleteTaskSchema())
    @blp.response(200, CompletedTaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Response:
        """Complete a task: a department's decision, or the window's record of supplied materials"""
        return _completed(complete_task(CompleteTask(task_id, task_answer(body), current_actor(), request_key(body)),
                                        ctx()))


@blp.route("/<string:task_id>/assign")
class TaskAssign(MethodView):
    @blp.arguments(AssignTaskSchema())
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> tuple[dict[str, Any], int]:
        """A department head assigns an open task to a reviewer of the department (改派)"""
        return _answer(assign_task(AssignTask(task_id, body["assignee"], current_actor(), request_key(body)), ctx()),
                       named=True)


@blp.route("/<string:task_id>/pause")
class TaskPause(MethodView):
    @blp.arguments(PauseTaskSchema())
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> tuple[dict[str, Any], int]:
        """Start a special procedure (听证, 检验, 检测, 检疫, 鉴定, 专家评审 …): the approval's clock stops"""
        return _answer(pause_task(PauseTask(task_id, body["procedure"], body["reason"], current_actor(),
                                            request_key(body)), ctx()))


@blp.route("/<string:task_id>/resume")
class TaskResume(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> tuple[dict[str, Any], int]:
        """The special procedure ended: the clock runs again, its due day moved by the paused working days"""
        return _answer(resume_task(ResumeTask(task_id, current_actor(), request_key()), ctx()))


@blp.route("/<string:task_id>/extend")
class TaskExtend(MethodView):
    @blp.arguments(ExtendTaskSchema())
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> tuple[dict[str, Any], int]:
        """A department head extends the approval's limit (延期) by working days, with the reason"""
        return _answer(extend_task(ExtendTask(task_id, body["days"], body["reason"], current_actor(),
                                              request_key(body)), ctx()))
