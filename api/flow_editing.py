"""What the flow modeler's properties panel asks the server while an administrator edits: the verdict on one
gateway condition or timer value, and the departments a lane may name."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.cases import ctx
from engine.services.flow_editing import CheckExpression, check_flow_expression, list_departments
from engine.workflow.expression_check import EXPRESSION_KINDS

blp = Blueprint("flow_editing", __name__, url_prefix="/api/flows",
                description="流程建模（系统管理员）：检查单个条件或计时器表达式，列出泳道可选的部门")

MAX_EXPRESSION = 10_000
"""Characters of one expression; the safe evaluator refuses longer source anyway."""


class CheckExpressionSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(EXPRESSION_KINDS), metadata={
        "description": "condition（网关出口连线的条件）、timeDate、timeDuration 或 timeCycle（计时器）"})
    expression = fields.String(required=True, validate=validate.Length(max=MAX_EXPRESSION), metadata={
        "description": "安全表达式语言书写的表达式，如 results['a']['decision'] == 'correct'"})


class ExpressionVerdictSchema(Schema):
    ok = fields.Boolean(metadata={"description": "true: the upload check accepts it"})
    error_zh = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    suggestion = fields.String(allow_none=True, metadata={"description": "a JUEL/EL condition's safe equivalent"})


class LaneDepartmentSchema(Schema):
    code = fields.String(metadata={"description": "the lane's name: the engine matches lanes by this code"})
    name = fields.String()


class LaneDepartmentsSchema(Schema):
    items = fields.List(fields.Nested(LaneDepartmentSchema))


@blp.route("/check-expression")
class FlowExpressionCheck(MethodView):
    @blp.arguments(CheckExpressionSchema())
    @blp.response(200, ExpressionVerdictSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check one condition or timer expression as the upload check would (nothing is evaluated or stored)"""
        return asdict(check_flow_expression(CheckExpression(body["kind"], body["expression"]), ctx()))


@blp.route("/departments")
class FlowDepartments(MethodView):
    @blp.response(200, LaneDepartmentsSchema)
    def get(self) -> dict[str, Any]:
        """The departments a lane may name, with their Chinese names"""
        return {"items": [asdict(d) for d in list_departments(ctx())]}
