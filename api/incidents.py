"""Incidents (administrators): automatic steps that failed at run time, and their retry.

An incident shows where a case's flow halted and the error, never the case's form data."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor
from api.cases import ctx
from engine.domain.incidents import IncidentRecord
from engine.services.incidents import RetryIncident, get_incident, list_incidents, retry_incident
from forms.masking import PRESENTED

blp = Blueprint("incidents", __name__, url_prefix="/api/incidents",
                description="流程异常（系统管理员）：自动步骤运行失败的办件，修正流程、迁移办件后重试")


class IncidentArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(["open", "resolved"]),
                           metadata={"description": "open 未处理 / resolved 已处理；不填为全部"})
    bundle = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "一件事编码"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class IncidentSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    bundle_code = fields.String()
    flow_version_id = fields.Integer()
    element_id = fields.String(allow_none=True, metadata={"description": "出错的 BPMN 元素 id"})
    element_name = fields.String(allow_none=True)
    error_type = fields.String(metadata={"description": "expression, budget, unstorable-data, timer, loop, other"})
    message = fields.String()
    message_zh = fields.String()
    status = fields.String()
    opened_at = fields.DateTime()
    opened_by = fields.String()
    attempts = fields.Integer(metadata={"description": "重试次数"})
    last_attempt_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class IncidentListSchema(Schema):
    incidents = fields.List(fields.Nested(IncidentSchema))


class RetryAnswerSchema(Schema):
    resolved = fields.Boolean(metadata={"description": "重试成功、异常已处理；false 时异常仍未处理，见新的错误"})
    incident = fields.Nested(IncidentSchema)
    opened = fields.List(fields.Nested(IncidentSchema),
                         metadata={"description": "重试的步骤通过后，后续步骤又出错而新开的异常"})


def _incident(record: IncidentRecord) -> dict[str, Any]:
    """An error message may quote a value of the case's data: personal numbers in it are masked, as for
    every role that does not handle the case."""
    view = {name: getattr(record, name) for name in IncidentSchema().fields}
    view["message"], view["message_zh"] = PRESENTED.value(record.message), PRESENTED.value(record.message_zh)
    return view


@blp.route("")
class Incidents(MethodView):
    @blp.arguments(IncidentArgsSchema(), location="query")
    @blp.response(200, IncidentListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Incidents, newest first, filtered by status and bundle"""
        found = list_incidents(ctx(), args.get("status"), args.get("bundle"), args["limit"])
        return {"incidents": [_incident(i) for i in found]}


@blp.route("/<id:incident_id>")
class IncidentById(MethodView):
    @blp.response(200, IncidentSchema)
    def get(self, incident_id: int) -> dict[str, Any]:
        """One incident"""
        return _incident(get_incident(ctx(), incident_id))


@blp.route("/<id:incident_id>/retry")
class IncidentRetry(MethodView):
    @blp.response(200, RetryAnswerSchema)
    def post(self, incident_id: int) -> dict[str, Any]:
        """Run the failed step again on the case's current flow version (move the case onto a fixed version
        first: POST /api/flows/{code}/migration). 200 either way: ``resolved`` says whether it passed"""
        outcome = retry_incident(RetryIncident(incident_id, current_actor()), ctx())
        return {"resolved": outcome.resolved, "incident": _incident(outcome.incident),
                "opened": [_incident(i) for i in outcome.opened]}
