"""Tasks: a department's inbox, claim, complete."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.actor import current_actor, request_key
from api.cases import ctx
from api.presenters import task_view
from api.schemas import CompleteTaskSchema, TaskListArgsSchema, TaskPageSchema, TaskSchema
from engine.services import views
from engine.services.tasks import ClaimTask, CompleteTask, claim_task, complete_task

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="待办任务：收件箱、认领、办理")

_STATES = {"open": ("ready", "claimed")}


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskListArgsSchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """A department's inbox, oldest first, served from the task projection"""
        states = _STATES.get(args["state"], (args["state"],))
        page = views.list_tasks(ctx(), args.get("department"), states, args.get("case"), args.get("assignee"),
                                args["page"], args["per_page"])
        return {"items": [task_view(t) for t in page.items], "total": page.total, "page": page.page,
                "per_page": page.per_page}


@blp.route("/<string:task_id>")
class TaskById(MethodView):
    @blp.response(200, TaskSchema)
    def get(self, task_id: str) -> dict[str, Any]:
        """One task"""
        return task_view(views.get_task(ctx(), task_id))


@blp.route("/<string:task_id>/claim")
class TaskClaim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> tuple[dict[str, Any], int]:
        """Claim a task of your department"""
        applied = claim_task(ClaimTask(task_id, current_actor(), request_key()), ctx())
        return task_view(applied.task or views.get_task(ctx(), applied.resource_id)), applied.status_code


@blp.route("/<string:task_id>/complete")
class TaskComplete(MethodView):
    @blp.arguments(CompleteTaskSchema)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> tuple[dict[str, Any], int]:
        """Complete a task: a department's decision, or the window's record of supplied materials"""
        applied = complete_task(CompleteTask(task_id, body, current_actor(), request_key(body)), ctx())
        return task_view(applied.task or views.get_task(ctx(), applied.resource_id)), applied.status_code
