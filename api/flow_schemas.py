"""Wire schemas of the flow administration endpoints (``api/flows.py``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import VERSION_NUMBER, FlowVersionSchema

DECISION = validate.OneOf(["approve", "reject", "correct"])


class UploadQuerySchema(Schema):
    bundle = fields.String(validate=validate.Length(min=1, max=64),
                           metadata={"description": "一件事编码；上传原始 XML（application/xml）时必填"})


class UploadJsonSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    xml = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "BPMN 2.0 XML"})
    definition = fields.Dict(metadata={
        "description": "可选：随流程一并上传的一件事定义（增减事项、部门加入），部署该版本时生效；"
                       "格式见 bpmn/catalogue/FORMAT.md"})


UPLOAD_BODY_DOC = {
    "required": True,
    "description": "BPMN XML as the body (bundle code in the query), or JSON with the bundle code and the XML",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "text/xml": {"schema": {"type": "string"}},
        "application/json": {"schema": {"type": "object", "required": ["bundle", "xml"],
                                         "properties": {"bundle": {"type": "string"}, "xml": {"type": "string"}}}},
    },
}


class FlowProblemSchema(Schema):
    element_id = fields.String(allow_none=True)
    rule = fields.String(metadata={"description": "stable rule code, e.g. condition-refused"})
    severity = fields.String(metadata={"description": "error（阻止部署）or warning"})
    message_zh = fields.String()
    message_en = fields.String()
    line = fields.Integer(allow_none=True)


class FlowReportSchema(Schema):
    ok = fields.Boolean()
    process_id = fields.String(allow_none=True)
    process_name = fields.String(allow_none=True)
    error_count = fields.Integer()
    warning_count = fields.Integer()
    problems = fields.List(fields.Nested(FlowProblemSchema))


class UploadAnswerSchema(Schema):
    created = fields.Boolean(metadata={"description": "false: the same file was already this version"})
    bundle = fields.String()
    version = fields.Nested(FlowVersionSchema)
    report = fields.Nested(FlowReportSchema)


class VersionsSchema(Schema):
    bundle = fields.String()
    deployed_version = fields.Integer(allow_none=True)
    versions = fields.List(fields.Nested(FlowVersionSchema))


class DeployAnswerSchema(Schema):
    bundle = fields.String()
    version = fields.Nested(FlowVersionSchema)
    previous = fields.Integer(allow_none=True, metadata={"description": "the version new cases started on before"})
    changed = fields.Boolean()


class DiffArgsSchema(Schema):
    from_ = fields.Integer(data_key="from", validate=VERSION_NUMBER,
                           metadata={"description": "默认：已部署版本"})
    to = fields.Integer(validate=VERSION_NUMBER, metadata={"description": "默认：最新版本"})


class ElementChangeSchema(Schema):
    element_id = fields.String()
    aspects = fields.List(fields.String())
    before = fields.Dict()
    after = fields.Dict()


class DiffElementSchema(Schema):
    type = fields.String(metadata={"description": "BPMN 元素类型，如 userTask、exclusiveGateway、sequenceFlow"})
    name = fields.String(allow_none=True, metadata={"description": "元素名称（未命名时为空）"})
    lane = fields.String(allow_none=True, metadata={"description": "所在泳道（部门编码）"})
    kind = fields.String(allow_none=True, metadata={"description": "任务类别：intake / approval / correction / pickup"})
    item = fields.String(allow_none=True, metadata={"description": "任务所属事项编码"})
    source = fields.String(allow_none=True, metadata={"description": "连线的起点元素"})
    target = fields.String(allow_none=True, metadata={"description": "连线的终点元素"})


class DiffSchema(Schema):
    bundle = fields.String()
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.List(fields.Nested(ElementChangeSchema))
    elements = fields.Dict(keys=fields.String(), values=fields.Nested(DiffElementSchema), metadata={
        "description": "上列元素（及其中连线的两端）的名称、类型、泳道：供界面以名称而非编号显示"})


class DryRunArgsSchema(Schema):
    decisions = fields.Dict(keys=fields.String(), values=fields.String(validate=DECISION), load_default=dict,
                            metadata={"description": "事项编码 → approve（默认）/ reject / correct（补正一次后准予）"})


class DryRunStepSchema(Schema):
    task = fields.String()
    title = fields.String()
    lane = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    item = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)


class DryRunSchema(Schema):
    bundle = fields.String()
    version = fields.Integer()
    finished = fields.Boolean()
    steps = fields.List(fields.Nested(DryRunStepSchema))
    lanes = fields.List(fields.String())
    waiting = fields.List(fields.String())
    stopped = fields.String(allow_none=True, metadata={"description": "failed / stalled / too-long"})
    error = fields.String(allow_none=True, metadata={"description": "what failed or why the run was too long"})
    error_zh = fields.String(allow_none=True, metadata={"description": "同上，中文"})
    failed_step = fields.String(allow_none=True, metadata={"description": "失败的自动步骤的 BPMN id"})


class MigrationArgsSchema(Schema):
    to = fields.Integer(validate=VERSION_NUMBER, metadata={"description": "目标版本；默认：已部署版本"})


class MigrateSchema(Schema):
    to = fields.Integer(validate=VERSION_NUMBER, metadata={"description": "目标版本；默认：已部署版本"})
    cases = fields.List(fields.String(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=10_000),
                        metadata={"description": "办件编号；默认：所有可迁移的在办办件"})


class CaseMoveSchema(Schema):
    case = fields.String()
    status = fields.String()
    from_version = fields.Integer()
    can_move = fields.Boolean()
    blockers = fields.List(fields.String(), metadata={"description": "已办理或在办、但目标版本修改或删除的元素"})
    missing_tasks = fields.List(fields.String())
    reason_zh = fields.String()


class MigrationReportSchema(Schema):
    bundle = fields.String()
    to = fields.Integer()
    cases = fields.List(fields.Nested(CaseMoveSchema))


class MigrationResultSchema(Schema):
    bundle = fields.String()
    to = fields.Integer()
    moved = fields.List(fields.Nested(CaseMoveSchema))
    refused = fields.List(fields.Nested(CaseMoveSchema))
