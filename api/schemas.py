"""Wire schemas: what the API accepts and answers. Field names are English; values the clerk
reads (names, titles, messages) are Chinese."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.domain.decisions import (
    Approve,
    HandOver,
    Reject,
    RequestCorrection,
    SupplyCorrection,
    TaskAnswer,
)
from engine.domain.inspections import RecordInspection
from engine.domain.model import Delivery
from engine.domain.records import ID_MAX
from engine.domain.shared_data import AUTHORIZATION_METHODS

_short = validate.Length(max=200)
_long = validate.Length(max=2000)
VERSION_NUMBER = validate.Range(min=1, max=ID_MAX)

class ApplicantSchema(Schema):
    """The applicant block; which members a bundle asks for follows its subject (GET
    /api/bundles/{code}/guide, ``subject.applicant_fields``) and is checked by the case's intake."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=50),
                         metadata={"description": "申请人姓名（个人本人、父/母、企业经办人或投资人）"})
    id_number = fields.String(required=True, validate=validate.Length(max=18),
                              metadata={"description": "申请人居民身份证号码（GB 11643）"})
    phone = fields.String(required=True, validate=validate.Length(max=20))
    relation = fields.String(validate=validate.Length(max=10),
                             metadata={"description": "家庭事项：申请人与子女的关系（母亲、父亲、其他监护人）"})
    entity_name = fields.String(validate=_short,
                                metadata={"description": "企业名称；设立中的企业为申报的名称（字号）"})
    name_reservation = fields.String(validate=validate.Length(max=50),
                                     metadata={"description": "设立中的企业：名称自主申报/预先核准文号（如有）"})
    credit_code = fields.String(validate=validate.Length(max=18), metadata={
        "description": "已设立企业的统一社会信用代码（设立中的企业没有：由本件营业执照赋予）"})
    address = fields.String(validate=_short, metadata={"description": "联系地址、企业住所或拟设经营场所地址"})


class StartCaseSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant = fields.Nested(ApplicantSchema, required=True)
    channel = fields.String(load_default="window", validate=validate.OneOf(["window", "online"]))
    form = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict,
                       metadata={"description": "一表申请：统一表单各字段的值（见 GET /api/bundles/{code}/form）；"
                                                "已预填的字段可不再提交"})
    materials = fields.Dict(
        keys=fields.String(validate=validate.Length(max=64)),
        values=fields.String(validate=validate.OneOf(
            ["submitted", "elicence", "shared", "commitment", "tolerated"])),
        load_default=dict,
        metadata={"description": "一套材料：每项材料的情况 submitted 已提交 / elicence 电子证照 / "
                                 "shared 共享数据核验 / commitment 告知承诺 / tolerated 容缺"})
    authorization = fields.String(load_default="window", validate=validate.OneOf(sorted(AUTHORIZATION_METHODS)),
                                  metadata={"description": "申请人授权查询其共享数据的方式：window 窗口告知并同意 / "
                                                           "signed 签署授权书 / online 在线授权"})
    draft = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": ("窗口为本次受理取的编号（与 GET /api/bundles/{code}/form 的 draft 相同）："
                        "其间的共享数据调用留痕归入本办件")})
    booking = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "由预约开始的受理：预约的编号"})
    ticket = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                            metadata={"description": "叫号受理：窗口叫到的号（取号单的编号）"})
    handover_point = fields.String(validate=validate.Length(min=1, max=32), metadata={
        "description": "异地代收：领取结果的服务点编码（默认为受理的服务点）"})
    place = fields.String(load_default="hall", validate=validate.OneOf(["hall", "home"]), metadata={
        "description": "受理地点：hall 大厅 / home 上门办理"})
    mandate = fields.String(validate=validate.OneOf(["letter", "online"]), metadata={
        "description": "帮办代办员代为申请时申请人的授权方式：letter 授权委托书 / online 申请人在线授权"})
    choose = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                         values=fields.String(validate=validate.Length(min=1, max=60)), load_default=dict,
                         metadata={"description": "同类登记记录有多条时（如名下多处不动产）窗口选定的一条："
                                                  "范围（见表单的 records_to_choose）→ 记录编号"})


class CompleteTaskSchema(Schema):
    decision = fields.String(validate=validate.OneOf(["approve", "reject", "correct"]),
                             metadata={"description": "审批任务：approve 准予 / reject 不予许可 / correct 补正"})
    reason = fields.String(validate=_long, metadata={"description": "不予许可或补正的理由"})
    materials = fields.List(fields.String(validate=_short), validate=validate.Length(max=50),
                            metadata={"description": "补正：需补正的全部材料"})
    notes = fields.Dict(keys=fields.String(validate=_short), values=fields.String(validate=validate.Length(max=500)),
                        metadata={"description": "补正：逐项材料说明问题所在（材料编码或名称 → 说明）"})
    licence_number = fields.String(validate=validate.Length(max=64), metadata={
        "description": "准予：证照编号（核发证照的事项必填，按证照类型的 number_format 校验；"
                       "营业执照为统一社会信用代码）"})
    supplied = fields.List(fields.String(validate=_short), validate=validate.Length(max=50),
                           metadata={"description": "补正材料任务：申请人已提交的材料"})
    comment = fields.String(validate=_long)
    result = fields.String(validate=validate.OneOf(["passed", "failed"]),
                           metadata={"description": "现场核查任务：passed 合格 / failed 不合格"})
    inspected_on = fields.Date(metadata={"description": "现场核查任务：核查日期（默认今天）"})
    findings = fields.String(validate=validate.Length(max=2000),
                             metadata={"description": "现场核查任务：核查情况，不合格时必填"})

    @validates_schema
    def _one_answer(self, data: dict[str, Any], **_: Any) -> None:
        answers = [key for key in ("decision", "supplied", "result") if key in data]
        if len(answers) > 1:
            raise ValidationError("审批任务填写 decision，补正材料任务填写 supplied，现场核查任务填写 result，"
                                  "不能同时提交", answers[-1])


def task_answer(body: dict[str, Any]) -> TaskAnswer | None:
    """The typed answer a validated ``CompleteTaskSchema`` body gives: a department's decision, or
    the materials the window records for a correction; None when it gives neither (the task's
    kind then says what was missing)."""
    decision = body.get("decision")
    if decision == "approve":
        return Approve(body.get("licence_number", ""), body.get("comment", ""))
    if decision == "reject":
        return Reject(body.get("reason", ""))
    if decision == "correct":
        return RequestCorrection(tuple(body.get("materials", ())), body.get("reason", ""), body.get("notes"))
    if "supplied" in body:
        return SupplyCorrection(tuple(body["supplied"]), body.get("comment", ""))
    if "result" in body:
        return RecordInspection(body["result"], body.get("inspected_on"), body.get("findings", ""))
    return None


class SupplyMaterialsSchema(Schema):
    supplied = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                           validate=validate.Length(min=1, max=50),
                           metadata={"description": "申请人补交的容缺材料（材料编码）"})


class AssignTaskSchema(Schema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "改派给本部门的审批人员（登录名）"})


class PauseTaskSchema(Schema):
    procedure = fields.String(required=True, metadata={
        "description": "特别程序：hearing 听证、tender 招标、auction 拍卖、inspection 检验、testing 检测、"
                       "quarantine 检疫、appraisal 鉴定、expert_review 专家评审"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={"description": "事由"})


class ExtendTaskSchema(Schema):
    days = fields.Integer(required=True, metadata={"description": "延长的工作日（1–30）"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={"description": "理由"})


class PickupSchema(Schema):
    delivery = fields.String(load_default="window", validate=validate.OneOf(["window", "mail", "online"]))
    recipient_name = fields.String(validate=validate.Length(max=50))
    comment = fields.String(validate=_long)
    rating = fields.Integer(strict=True, metadata={
        "description": "好差评：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意（申请人可不评）"})
    rating_comment = fields.String(validate=_long, metadata={"description": "评价意见；差评（1、2）必填"})
    tracking_number = fields.String(validate=validate.Length(max=40), metadata={"description": "邮寄：快递单号"})


def hand_over(body: dict[str, Any]) -> HandOver:
    """The typed hand-over a validated ``PickupSchema`` body gives (its ``comment`` is not kept)."""
    return HandOver(Delivery(body["delivery"]), body.get("recipient_name", ""), body.get("rating"),
                    body.get("rating_comment", ""), body.get("tracking_number", ""))


class ActorSchema(Schema):
    user = fields.String(metadata={"description": "登录名"})
    name = fields.String(allow_none=True, metadata={"description": "姓名（登录名已不是用户时为空）"})
    department = fields.String()
    role = fields.String()
    address = fields.String(allow_none=True, metadata={"description": "客户端地址"})


class EventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    who = fields.Nested(ActorSchema)
    at = fields.DateTime()
    task_id = fields.String(allow_none=True)
    data = fields.Dict()


class OpenIncidentSchema(Schema):
    incident = fields.Integer(metadata={"description": "异常编号（GET /api/incidents/{id}，管理员）"})
    element_id = fields.String(allow_none=True, metadata={"description": "出错的 BPMN 元素 id"})
    element_name = fields.String(allow_none=True)
    error_type = fields.String()
    message = fields.String()
    message_zh = fields.String()
    opened_at = fields.DateTime()


class ClockSchema(Schema):
    limit_days = fields.Integer(metadata={"description": "时限（工作日）：承诺时限，无则法定时限"})
    due_on = fields.String(metadata={"description": "到期日（北京时间）"})
    statutory_days = fields.Integer(metadata={"description": "法定时限（工作日）"})
    statutory_due_on = fields.String(metadata={"description": "法定到期日"})
    remaining_days = fields.Integer(metadata={"description": "剩余工作日；到期日当天为 0，超期为负"})
    colour = fields.String(metadata={"description": "green 正常 / yellow 黄牌预警 / red 红牌超时"})
    paused = fields.Boolean(metadata={"description": "特别程序中，暂停计时"})
    unconfirmed_years = fields.List(fields.Integer(), metadata={
        "description": "到期日所涉年份尚无官方节假日安排、管理员也未确认：到期日为估算"})


class TaskSchema(Schema):
    id = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    bundle = fields.String()
    department = fields.String()
    item = fields.String(allow_none=True)
    kind = fields.String()
    name = fields.String()
    title = fields.String()
    state = fields.String()
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "认领人登录名"})
    completed_by = fields.String(allow_none=True)
    assignee_name = fields.String(allow_none=True, metadata={"description": "认领人姓名"})
    completed_by_name = fields.String(allow_none=True, metadata={"description": "办理人姓名"})
    decision = fields.String(allow_none=True)
    clock = fields.Nested(ClockSchema, allow_none=True, metadata={"description": "审批时限（仅待办的审批任务）"})


class CompletedTaskSchema(TaskSchema):
    opened_tasks = fields.List(fields.Nested(TaskSchema), metadata={
        "description": "本次办理后新开启、且您有权查看的任务（如营业执照审批后的食品经营许可审批）；"
                       "以同一 Idempotency-Key 重放时为空"})


class ItemProgressSchema(Schema):
    code = fields.String()
    name = fields.String()
    department = fields.String()
    department_name = fields.String()
    status = fields.String(metadata={"description": "in_review, correction_requested, approved, rejected or "
                                                    "not_applicable (a prerequisite was refused)"})
    decision = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    licence_number = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    corrections = fields.Integer()
    materials_requested = fields.List(fields.String())
    inspection = fields.Dict(allow_none=True, metadata={
        "description": "最近一次现场核查：result（passed 合格 / failed 不合格）、inspected_on、findings、by、at；"
                       "未核查为 null"})
    inspection_name = fields.String(allow_none=True,
                                    metadata={"description": "本事项的现场核查名称；无核查环节为 null"})


class DepartmentProgressSchema(Schema):
    code = fields.String()
    name = fields.String()
    items = fields.Integer()
    approved = fields.Integer()
    rejected = fields.Integer()
    not_applicable = fields.Integer(metadata={"description": "前置事项不予许可而不再办理的事项数"})
    pending = fields.Integer()


class ReceiptItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    department_name = fields.String()
    promised_days = fields.Integer(allow_none=True)


class ReceiptSchema(Schema):
    case_number = fields.String()
    bundle_name = fields.String()
    applicant_name = fields.String()
    accepted_at = fields.DateTime()
    accepted_by = fields.String(metadata={"description": "受理人登录名"})
    accepted_by_name = fields.String(allow_none=True, metadata={"description": "受理人姓名"})
    channel = fields.String()
    promised_by = fields.String(allow_none=True, metadata={"description": "承诺办结日期"})
    items = fields.List(fields.Nested(ReceiptItemSchema))


class ResultsSchema(Schema):
    granted = fields.List(fields.Nested(ItemProgressSchema))
    refused = fields.List(fields.Nested(ItemProgressSchema))
    not_applicable = fields.List(fields.Nested(ItemProgressSchema), metadata={
        "description": "前置事项不予许可（或不适用）而不再办理的事项，各附原因，出件时一并告知"})


class CaseSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    bundle = fields.String()
    status = fields.String()
    applicant_name = fields.String()
    applicant_id_number = fields.String(metadata={"description": "masked: 4101**********1234"})
    accepted_at = fields.DateTime()
    accepted_by = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    accepted_point = fields.String(allow_none=True, metadata={"description": "受理的服务点编码"})
    handover_point = fields.String(allow_none=True, metadata={"description": "出件（领取结果）的服务点编码"})


class CaseDetailSchema(CaseSummarySchema):
    bundle_name = fields.String()
    channel = fields.String()
    intake_place = fields.String(metadata={"description": "hall 大厅受理 / home 上门办理"})
    agent = fields.String(allow_none=True, metadata={"description": "帮办代办员的登录名（由其代为申请时）"})
    agent_name = fields.String(allow_none=True)
    applicant = fields.Dict(metadata={"description": "申请人信息；无权查看个人信息的角色看到脱敏后的证件号和电话"})
    personal_data = fields.String(metadata={"description": "full 完整 / masked 已脱敏"})
    form = fields.Dict(metadata={"description": "受理时的统一表单"})
    materials = fields.Dict(metadata={"description": "材料情况"})
    prefilled = fields.List(fields.String(), metadata={"description": "由共享数据或电子证照预填的字段"})
    materials_due = fields.DateTime(allow_none=True, metadata={"description": "容缺材料补交期限"})
    items = fields.List(fields.Nested(ItemProgressSchema))
    departments = fields.List(fields.Nested(DepartmentProgressSchema))
    clock = fields.Nested(ClockSchema, allow_none=True, metadata={"description": "办件承诺时限（审批中）"})
    open_tasks = fields.List(fields.Nested(TaskSchema))
    tasks = fields.List(fields.Nested(TaskSchema))
    timeline = fields.List(fields.Nested(EventSchema))
    incidents = fields.List(fields.Nested(OpenIncidentSchema), metadata={
        "description": "未处理的流程异常：自动步骤运行失败，办件停在该步骤，待管理员修正流程后重试"})
    receipt = fields.Nested(ReceiptSchema)
    results = fields.Nested(ResultsSchema)
    people = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "办件中出现的人员姓名，按登录名：受理人、办理人、认领人、决定人"})


class PageSchema(Schema):
    total = fields.Integer(metadata={"description": "符合条件的条数；超过 10000 时为 10000，total_exact 为 false"})
    total_exact = fields.Boolean(metadata={"description": "total 是否为准确条数（false：多于 total）"})
    page = fields.Integer()
    per_page = fields.Integer()


class CasePageSchema(PageSchema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    next = fields.String(allow_none=True, metadata={
        "description": "下一页的翻页标记（作为 after 传入），没有下一页时为 null"})


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema))


class FlowVersionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    process_id = fields.String()
    sha256 = fields.String()
    source = fields.String()
    created_at = fields.DateTime()
    deployed_at = fields.DateTime(allow_none=True)
    current = fields.Boolean()
    with_definition = fields.Boolean(metadata={"description": "随此版本上传了一件事定义，部署时生效"})


class BundleItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    department = fields.String()
    department_name = fields.String()
    statutory_days = fields.Integer(allow_none=True)
    promised_days = fields.Integer(allow_none=True)


class BundleSchema(Schema):
    code = fields.String()
    name = fields.String()
    deployed_version = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(BundleItemSchema))
    versions = fields.List(fields.Nested(FlowVersionSchema))


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    deployed_bundles = fields.Integer()
