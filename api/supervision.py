"""The supervisors' warning queue (红黄牌) and the working-day calendar administrators keep."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.access import current_actor, current_principal
from api.cases import ctx
from engine.domain.errors import InvalidInput
from engine.services.calendar_admin import PutOverride, calendar_of_year, confirm_year, delete_override, put_override
from engine.services.case_search import LIST_CAP
from engine.services.replica import ReplicaStatus, replica_status
from engine.services.supervision import acknowledge_warning, department_performance, list_warnings

blp = Blueprint("supervision", __name__, url_prefix="/api/supervision", description="效能监督：红黄牌预警")
calendar_blp = Blueprint("calendar", __name__, url_prefix="/api/calendar",
                         description="工作日历：法定节假日、调休上班日与人工调整")


class WarningArgsSchema(Schema):
    department = fields.String(metadata={"description": "部门代码"})
    colour = fields.String(validate=validate.OneOf(["green", "yellow", "red"]),
                           metadata={"description": "yellow 黄牌 / red 红牌 / green 恢复正常"})
    open = fields.Boolean(load_default=False, metadata={"description": "只看未处理的"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _offset_within_cap(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("page", 1) - 1) * data.get("per_page", 50) >= LIST_CAP:
            raise ValidationError(f"按页码只能翻到前 {LIST_CAP} 条，请按部门、颜色或未处理筛选", "page")


class OverrideSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["holiday", "workday"]),
                         metadata={"description": "holiday 放假 / workday 上班"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "依据，如通知文号"})


class OpenByColourSchema(Schema):
    green = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()
    no_limit = fields.Integer(metadata={"description": "无时限的在办审批"})
    total = fields.Integer()


class DepartmentRowSchema(Schema):
    department = fields.String(metadata={"description": "部门代码"})
    name = fields.String()
    open = fields.Nested(OpenByColourSchema, metadata={"description": "在办审批，按时限颜色"})
    paused = fields.Integer(metadata={"description": "暂停计时的审批"})
    completed = fields.Integer()
    on_time = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按时办结率；尚无已完成的审批时为空"})


class ReplicaStatusSchema(Schema):
    configured = fields.Boolean(required=True, metadata={"description": "是否配置了只读副本（ONETHING_REPLICA_URL）"})
    reachable = fields.Boolean(metadata={"description": "只读副本是否应答；否时报表、查询改读主库"})
    lag_seconds = fields.Float(allow_none=True, metadata={
        "description": "只读副本落后主库的秒数：已回放主库写入的全部日志时为 0；为空：尚未回放过任何事务"})
    behind_bytes = fields.Integer(metadata={"description": "主库已写入、只读副本尚未回放的日志字节数"})
    replay_paused = fields.Boolean(metadata={"description": "只读副本已暂停回放"})
    reason = fields.String(metadata={"description": "只读副本不可用的原因"})


class DepartmentBoardSchema(Schema):
    items = fields.List(fields.Nested(DepartmentRowSchema))
    replica = fields.Nested(ReplicaStatusSchema, metadata={
        "description": "报表、办件查询和效能监督所读的只读副本及其延迟"})


def _replica(status: ReplicaStatus) -> dict[str, Any]:
    if not status.configured:
        return {"configured": False}
    if not status.reachable:
        return {"configured": True, "reachable": False, "reason": status.reason or ""}
    return {"configured": True, "reachable": True, "lag_seconds": status.lag_seconds,
            "behind_bytes": status.behind_bytes, "replay_paused": status.replay_paused}


def _warning(row: Any) -> dict[str, Any]:
    view = asdict(row)
    for key in ("due_on", "raised_at", "acknowledged_at"):
        view[key] = view[key].isoformat() if view[key] is not None else None
    return view


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", f"日期格式有误：{text}（应为 YYYY-MM-DD）",
                           {"day": ["YYYY-MM-DD"]}) from None


@blp.route("/warnings")
class Warnings(MethodView):
    @blp.arguments(WarningArgsSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Warnings, newest first: each change of a task's or a case's colour, filtered by department and colour"""
        found = list_warnings(ctx(), current_principal(), args.get("department"), args.get("colour"),
                              args["open"], args["page"], args["per_page"])
        return {"items": [_warning(r) for r in found.items], "total": found.total, "total_exact": found.total_exact,
                "page": args["page"], "per_page": args["per_page"]}


@blp.route("/departments")
class Departments(MethodView):
    @blp.response(200, DepartmentBoardSchema)
    def get(self) -> dict[str, Any]:
        """Each department's open approvals by clock colour, and the share of its completed approvals
        finished by their due day (按时办结率); and the read replica these figures come from, with its lag"""
        rows = department_performance(ctx(), current_principal())
        return {"items": [{
            "department": r.department, "name": r.name,
            "open": {"green": r.open_green, "yellow": r.open_yellow, "red": r.open_red,
                     "no_limit": r.open_no_limit, "total": r.open_total},
            "paused": r.paused, "completed": r.completed, "on_time": r.on_time,
            "on_time_rate": round(r.on_time_rate, 4) if r.on_time_rate is not None else None,
        } for r in rows], "replica": _replica(replica_status(ctx().replica))}


@blp.route("/warnings/<id:warning_id>/acknowledge")
class WarningAcknowledge(MethodView):
    @blp.response(200)
    def post(self, warning_id: int) -> dict[str, Any]:
        """Mark a warning as seen to"""
        return _warning(acknowledge_warning(warning_id, current_principal(), current_actor(), ctx()))


@calendar_blp.route("/<int:year>")
class CalendarYear(MethodView):
    @calendar_blp.response(200)
    def get(self, year: int) -> dict[str, Any]:
        """A year as the clocks count it: weekday days off, working weekends, overrides, confirmation"""
        return calendar_of_year(ctx(), year)


@calendar_blp.route("/<int:year>/confirm")
class CalendarConfirm(MethodView):
    @calendar_blp.response(200)
    def post(self, year: int) -> dict[str, Any]:
        """Confirm a year without official data: its deadlines stop being flagged as estimates"""
        return confirm_year(year, current_actor(), ctx())


@calendar_blp.route("/overrides/<string:day>")
class CalendarOverride(MethodView):
    @calendar_blp.arguments(OverrideSchema())
    @calendar_blp.response(200)
    def put(self, body: dict[str, Any], day: str) -> dict[str, Any]:
        """Declare a day a holiday or a working day; running clocks' due days are recomputed"""
        return put_override(PutOverride(_day(day), body["kind"], body["reason"], current_actor()), ctx())

    @calendar_blp.response(200)
    def delete(self, day: str) -> dict[str, Any]:
        """Remove an override: the package's data decide the day again"""
        return delete_override(_day(day), current_actor(), ctx())
