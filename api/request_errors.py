"""Request-shape errors in Chinese. marshmallow and webargs check a request's shape in English
("Missing data for required field."); the people at the workbench read the ``errors`` and
``message_zh`` of a 422, so each message is put into Chinese, field by field, and ``message_zh``
names the first fields to blame. ``message`` stays English, for machines and logs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# marshmallow's and webargs's default messages (marshmallow.fields / validate, webargs.core).
_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), say) for pattern, say in (
        (r"^Missing data for required field\.$", lambda m: "此项必填"),
        (r"^Field may not be null\.$", lambda m: "此项不能为空"),
        (r"^Unknown field\.$", lambda m: "不认识的字段"),
        (r"^Not a valid integer\.$", lambda m: "须为整数"),
        (r"^Not a valid number\.$", lambda m: "须为数字"),
        (r"^Not a valid string\.$", lambda m: "须为文字"),
        (r"^Not a valid boolean\.$", lambda m: "须为是（true）或否（false）"),
        (r"^Not a valid list\.$", lambda m: "须为列表"),
        (r"^Not a valid mapping type\.$", lambda m: "须为对象（键值对）"),
        (r"^Not a valid date\.$", lambda m: "须为日期，格式 年-月-日，如 2026-12-04"),
        (r"^Not a valid datetime\.$", lambda m: "须为日期时间，格式如 2026-12-04T09:30:00+08:00"),
        (r"^Not a valid time\.$", lambda m: "须为时间，格式如 09:30"),
        (r"^Not a valid (?:UUID|email address|URL)\.$", lambda m: "格式不正确"),
        (r"^Not a valid tuple\.$", lambda m: "须为列表"),
        (r"^Invalid input type\.$", lambda m: "类型不正确"),
        (r"^Invalid value\.$", lambda m: "取值不正确"),
        (r"^Invalid input\.$", lambda m: "内容不正确"),
        (r"^Invalid JSON body\.$", lambda m: "请求内容不是有效的 JSON"),
        (r"^Number too large\.$", lambda m: "数值过大"),
        (r"^Special numeric values \(nan or infinity\) are not permitted\.$", lambda m: "不能是 NaN 或无穷大"),
        (r"^String does not match expected pattern\.$", lambda m: "格式不正确"),
        (r"^Length must be between 1 and (\d+)\.$", lambda m: f"不能为空，且不超过 {m[1]} 个字符"),
        (r"^Length must be between (\d+) and (\d+)\.$", lambda m: f"长度须为 {m[1]} 至 {m[2]} 个字符"),
        (r"^Length must be (\d+)\.$", lambda m: f"长度须为 {m[1]} 个字符"),
        (r"^Shorter than minimum length 1\.$", lambda m: "不能为空"),
        (r"^Shorter than minimum length (\d+)\.$", lambda m: f"至少 {m[1]} 个字符"),
        (r"^Longer than maximum length (\d+)\.$", lambda m: f"不得超过 {m[1]} 个字符"),
        (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
         lambda m: f"须在 {m[1]} 至 {m[2]} 之间"),
        (r"^Must be greater than or equal to (\S+)\.$", lambda m: f"不得小于 {m[1]}"),
        (r"^Must be less than or equal to (\S+)\.$", lambda m: f"不得大于 {m[1]}"),
        (r"^Must be greater than (\S+)\.$", lambda m: f"须大于 {m[1]}"),
        (r"^Must be less than (\S+)\.$", lambda m: f"须小于 {m[1]}"),
        (r"^Must be one of: (.*)\.$", lambda m: f"须为以下之一：{'、'.join(m[1].split(', '))}"),
        (r"^Must be equal to (.*)\.$", lambda m: f"须为 {m[1]}"),
    ))

FIELD_NAMES_ZH: dict[str, str] = {
    "login": "登录名", "password": "密码", "name": "名称", "department": "部门", "roles": "角色", "active": "启用",
    "bundle": "一件事", "applicant": "申请人", "agent": "经办人", "form": "表单", "materials": "材料",
    "channel": "受理渠道", "delivery": "送达方式", "rating": "评价", "rating_comment": "评价意见",
    "recipient_name": "收件人", "supplied": "补交的材料", "decision": "审批决定", "licence_number": "证照编号",
    "reason": "理由", "days": "天数", "assignee": "办理人", "procedure": "特别程序", "page": "页码",
    "per_page": "每页条数", "state": "状态", "status": "状态", "case": "办件", "cases": "办件", "colour": "时限颜色",
    "from": "起始日期", "to": "截止日期", "q": "查询内容", "sort": "排序", "definition": "定义", "xml": "流程文件",
    "kind": "类型", "text": "内容", "after": "起始序号", "limit": "条数", "year": "年度", "day": "日期",
    "id_number": "身份证号码", "phone": "联系电话", "address": "地址", "entity_name": "企业名称",
    "credit_code": "统一社会信用代码", "relation": "与子女关系", "comment": "意见", "reply_to": "所回复的意见",
    "with_definition": "一件事定义", "version": "版本", "number": "编号", "code": "编码", "key": "编码",
    "item": "事项", "task": "任务", "title": "标题", "source": "来源", "order": "顺序", "target": "目标",
    "paused": "是否暂停计时", "message": "内容", "description": "诉求内容", "case_number": "办件编号",
    "external_number": "12345 工单编号", "category": "分类", "reply": "答复", "callback": "回访情况",
    "satisfied": "是否认可", "note": "说明", "escalated": "是否督办", "service_point": "服务点", "level": "层级",
    "handover_point": "领取结果的服务点", "place": "受理地点", "mandate": "授权方式", "ticket": "叫号",
    "point": "服务点", "number_prefix": "办件编号前缀", "result": "核查结论", "inspected_on": "核查日期",
    "findings": "核查情况", "items": "事项", "tolerance_days": "容缺补正期限",
    "size": "统计周期", "type": "类型", "token": "令牌", "subject": "申请主体",
    "_schema": "请求内容", "_json": "请求内容", "_body": "请求内容", "_request": "请求内容", "_query": "查询参数",
    "_path": "地址", "_form": "表单内容", "_headers": "请求头",
}

_SHOWN_IN_SUMMARY = 3


def message_zh(text: str) -> str:
    """One message in Chinese: a library's English message translated, any other kept (the API's
    own checks already answer in Chinese)."""
    for pattern, say in _MESSAGES:
        found = pattern.match(text)
        if found:
            return say(found)
    return text if re.search(r"[\u4e00-\u9fff]", text) else "填写有误"


def errors_zh(errors: Any) -> Any:
    """The same nesting as ``errors`` (fields, list positions), every message in Chinese."""
    if isinstance(errors, Mapping):
        return {str(key): errors_zh(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [errors_zh(value) for value in errors]
    return message_zh(str(errors))


def _field_name(path: list[str]) -> str:
    """A path of keys in words: ``applicant.phone`` is 申请人的联系电话, ``materials.3`` the 4th of
    材料; a key the API does not know is one the caller typed, quoted as it is."""
    words: list[str] = []
    for key in path:
        if key.isdigit():
            words.append(f"第 {int(key) + 1} 项")
        else:
            words.append(FIELD_NAMES_ZH.get(key, f"“{key[:40]}”"))
    return "的".join(words)


def _leaves(errors: Any, path: list[str]) -> list[tuple[list[str], str]]:
    if isinstance(errors, Mapping):
        return [leaf for key, value in errors.items() for leaf in _leaves(value, [*path, str(key)])]
    if isinstance(errors, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in errors):
            return [(path, "；".join(str(v) for v in errors))] if errors else []
        return [leaf for value in errors for leaf in _leaves(value, path)]
    return [(path, str(errors))]


def summary_zh(errors_in_zh: Any, lead: str = "请求内容有误") -> str:
    """``message_zh`` of a 422: the lead and the first fields to blame with what is wrong, e.g.
    "请求内容有误：登录名：此项必填；密码：此项必填"."""
    leaves = _leaves(errors_in_zh, [])
    if not leaves:
        return lead
    shown = [f"{_field_name(path) or '请求内容'}：{text}" for path, text in leaves[:_SHOWN_IN_SUMMARY]]
    more = f"（另有 {len(leaves) - _SHOWN_IN_SUMMARY} 处）" if len(leaves) > _SHOWN_IN_SUMMARY else ""
    return f"{lead}：{'；'.join(shown)}{more}"
