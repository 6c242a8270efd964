"""A case on its flow's diagram (办件流程图), for the case page's read-only bpmn-js viewer."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_principal
from api.cases import ctx
from engine.domain.case_diagram import ElementState, LaneState
from engine.services.case_diagram import CaseDiagram, get_case_diagram

blp = Blueprint("case_diagram", __name__, url_prefix="/api/cases",
                description="办件流程图：办件所用流程版本，各环节与各部门泳道的办理状态")


class DiagramElementSchema(Schema):
    id = fields.String(metadata={"description": "BPMN 元素 id"})
    name = fields.String(allow_none=True, metadata={"description": "流程图上的名称"})
    type = fields.String(metadata={"description": "BPMN 元素类型，如 userTask、parallelGateway"})
    department = fields.String(allow_none=True, metadata={"description": "所在泳道的部门代码"})
    state = fields.String(validate=validate.OneOf([s.value for s in ElementState]), metadata={
        "description": "completed 已完成 / active 办理中 / waiting 等待中（定时、汇合、特别程序）/ not_reached 未到达"})


class DiagramLaneSchema(Schema):
    id = fields.String(metadata={"description": "泳道的 BPMN 元素 id"})
    department = fields.String(metadata={"description": "部门代码"})
    department_name = fields.String()
    state = fields.String(validate=validate.OneOf([s.value for s in LaneState]), metadata={
        "description": "todo 待办 / in_progress 办理中 / paused 暂停 / correcting 补正中 / not_started 未开始 / "
                       "approved 已通过 / rejected 不予许可 / not_applicable 不适用 / idle 无待办 / "
                       "done 已办结 / terminated 已终止"})
    due = fields.Date(allow_none=True, metadata={"description": "最先到期的在办任务的办理期限"})
    colour = fields.String(allow_none=True, metadata={"description": "该期限今天的颜色：green / yellow / red"})


class CaseDiagramSchema(Schema):
    number = fields.String(metadata={"description": "办件编号"})
    bundle = fields.String(metadata={"description": "一件事编码"})
    version = fields.Integer(metadata={"description": "办件所用的流程版本号"})
    has_di = fields.Boolean(metadata={"description": "流程文件是否含图形信息（DI）；没有时无法绘制流程图"})
    xml = fields.String(metadata={"description": "该流程版本的 BPMN XML"})
    elements = fields.List(fields.Nested(DiagramElementSchema))
    lanes = fields.List(fields.Nested(DiagramLaneSchema))


def case_diagram_view(diagram: CaseDiagram) -> dict[str, Any]:
    return {
        "number": diagram.case.number, "bundle": diagram.case.bundle_code, "version": diagram.version,
        "has_di": diagram.has_di, "xml": diagram.xml,
        "elements": [{"id": e.id, "name": e.name, "type": e.type, "department": e.department, "state": state}
                     for e, state in diagram.elements],
        "lanes": [{"id": v.lane.id, "department": v.lane.department, "department_name": v.department_name,
                   "state": v.state, "due": v.due_on, "colour": v.colour} for v in diagram.lanes],
    }


@blp.route("/<string:ref>/diagram")
class CaseDiagramView(MethodView):
    @blp.response(200, CaseDiagramSchema)
    def get(self, ref: str) -> dict[str, Any]:
        """The case on its flow version's diagram: each element completed, active, waiting or not reached, each
        department's state and deadline colour on its lane (who may read the case; 404 to other departments)"""
        return case_diagram_view(get_case_diagram(ctx(), ref, current_principal()))
