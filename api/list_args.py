"""The query arguments of the long lists: the case list (search by number, name, ID, phone or day,
status, bundle, department, service point and level) and the inbox (state, claim, colour, pause,
service point), their pages and orders."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.services.case_search import CASE_SORTS, LIST_CAP
from engine.services.inbox import TASK_SORTS


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _offset_within_cap(self, data: dict[str, Any], **_: Any) -> None:
        # A numbered page reads and skips every row before it: deep pages go by the ``next`` mark.
        if (data.get("page", 1) - 1) * data.get("per_page", 50) >= LIST_CAP:
            raise ValidationError(f"按页码只能翻到前 {LIST_CAP} 条，更多请缩小查询条件"
                                  "或按上一页返回的翻页标记（after）继续", "page")


_DAY_INVALID = "日期格式应为 年-月-日，例如 2026-09-24"
_DAY_RANGE = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31),
                            error="日期须在 2000-01-01 至 2999-12-31 之间")

_ORDER = validate.OneOf(["asc", "desc"], error="排序方向只能是 升序（asc）或降序（desc）")


class CaseListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["in_review", "awaiting_pickup", "closed", "terminated"]))
    bundle = fields.String(validate=validate.Length(max=64))
    q = fields.String(validate=validate.Length(max=100, error="查询内容不能超过 100 个字符"), metadata={
        "description": "办件编号（前缀）、申请人姓名或名称（部分）、证件号码或统一社会信用代码（完整）、电话（完整）"
                       "或受理日期（YYYY-MM-DD）；效能监督人员只能按办件编号或日期查询"})
    accepted_from = fields.Date(data_key="from", validate=_DAY_RANGE, error_messages={"invalid": _DAY_INVALID},
                                metadata={"description": "受理日期起（含），YYYY-MM-DD，北京时间"})
    accepted_to = fields.Date(data_key="to", validate=_DAY_RANGE, error_messages={"invalid": _DAY_INVALID},
                              metadata={"description": "受理日期止（含），YYYY-MM-DD，北京时间"})
    department = fields.String(validate=validate.Length(max=32, error="部门代码不能超过 32 个字符"), metadata={
        "description": "含该部门事项的办件；审批部门只能查询本部门"})
    service_point = fields.String(validate=validate.Length(min=1, max=32), metadata={
        "description": "在该服务点（含其下级服务点）受理的办件"})
    level = fields.String(validate=validate.OneOf(["city", "county", "township", "village"]), metadata={
        "description": "在该层级服务点受理的办件：city 市级 / county 县（区）级 / township 乡镇（街道） / "
                       "village 村（社区）"})
    sort = fields.String(load_default="accepted_at", validate=validate.OneOf(
        CASE_SORTS, error="排序字段只能是 受理时间（accepted_at）、办件编号（number）、一件事（bundle）、状态（status）"
                          "或到期日（due）"), metadata={"description": "排序字段：" + "、".join(CASE_SORTS)})
    order = fields.String(load_default="desc", validate=_ORDER, metadata={"description": "asc 升序 / desc 降序"})
    after = fields.String(validate=validate.Length(min=1, max=400, error="翻页标记不能超过 400 个字符"), metadata={
        "description": "上一页返回的 next：从其后一条开始（任何深度都与第一页一样快）；"
                       "与 page 同时给出时以 after 为准"})

    @validates_schema
    def _range_in_order(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("accepted_from"), data.get("accepted_to")
        if start is not None and end is not None and start > end:
            raise ValidationError("结束日期不能早于开始日期", "to")


class TaskListArgsSchema(PageArgsSchema):
    department = fields.String(validate=validate.Length(max=32))
    state = fields.String(load_default="open",
                          validate=validate.OneOf(["open", "ready", "claimed", "completed", "cancelled"]))
    case = fields.String(validate=validate.Length(max=40))
    assignee = fields.String(validate=validate.Length(max=100))
    colour = fields.String(validate=validate.OneOf(["green", "yellow", "red"]),
                           metadata={"description": "时限颜色：green 正常 / yellow 黄牌 / red 红牌（超期）"})
    bundle = fields.String(validate=validate.Length(max=64, error="一件事代码不能超过 64 个字符"))
    claim = fields.String(load_default="all", validate=validate.OneOf(
        ["all", "mine", "unclaimed"], error="认领情况只能是 全部（all）、我认领的（mine）或未认领（unclaimed）"),
        metadata={"description": "all 全部 / mine 我认领的 / unclaimed 未认领"})
    paused = fields.Boolean(error_messages={"invalid": "是否暂停计时只能是 true 或 false"},
                            metadata={"description": "true 只看特别程序中（暂停计时）的任务 / false 只看其余任务"})
    service_point = fields.String(validate=validate.Length(min=1, max=32),
                                  metadata={"description": "只看在该服务点受理或出件的办件的任务"})
    sort = fields.String(load_default="arrived", validate=validate.OneOf(
        TASK_SORTS, error="排序字段只能是 到达时间（arrived）、到期日（due）、受理时间（accepted）、一件事（bundle）"
                          "或办件编号（case）"), metadata={"description": "排序字段：" + "、".join(TASK_SORTS)})
    order = fields.String(load_default="asc", validate=_ORDER, metadata={"description": "asc 升序 / desc 降序"})
