"""The catalogue editor's errors in Chinese, each saying where and what: the forms library checks a
definition in English (it is a leaf library, its messages are for developers), and the paths of a
bundle definition (``items[0].materials[1]``) mean nothing to an administrator. The error keys stay
the machine paths; only the messages are for people."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_FIELD_PROPERTIES = {"label": "名称", "group": "分组", "required": "必填", "max_length": "最大长度",
                     "min": "最小值", "max": "最大值", "options": "选项", "prefill": "预填来源", "type": "类型"}

# The forms library's messages (forms/unified.py, forms/checklist.py, forms/subjects.py), each
# with what it means in Chinese; the quoted keys are codes the administrator typed.
_FORMS_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), say) for pattern, say in (
        (r"^field '([^']*)': unknown type .*$", lambda m: f"字段 {m[1]} 的类型不认识，请在“类型”中选择一种"),
        (r"^field '([^']*)': label and group must be non-empty strings$",
         lambda m: f"字段 {m[1]} 的名称和分组不能为空"),
        (r"^field '([^']*)': required must be true or false$", lambda m: f"字段 {m[1]} 的“必填”须为是或否"),
        (r"^field '([^']*)': max_length must be .*$",
         lambda m: f"字段 {m[1]} 的最大长度须为正整数，且只用于单行、多行文本字段"),
        (r"^field '([^']*)': min and max must be .*$",
         lambda m: f"字段 {m[1]} 的最小值、最大值须为数字（整数字段须为整数），且只用于数字字段"),
        (r"^field '([^']*)': min is greater than max$", lambda m: f"字段 {m[1]} 的最小值大于最大值"),
        (r"^field '([^']*)': options must be .*$", lambda m: f"字段 {m[1]} 是单选或多选，须至少有一个选项"),
        (r"^field '([^']*)': options are repeated$", lambda m: f"字段 {m[1]} 的选项有重复"),
        (r"^field '([^']*)': options apply to .*$", lambda m: f"字段 {m[1]} 不是单选或多选，不能填写选项"),
        (r"^field '([^']*)': prefill .*$",
         lambda m: f"字段 {m[1]} 的预填来源格式有误，应为 person.属性、enterprise.属性 或 licence.证照类型.属性"),
        (r"^material '([^']*)': name must be .*$", lambda m: f"材料 {m[1]} 的名称不能为空"),
        (r"^material '([^']*)': elicence must be .*$", lambda m: f"材料 {m[1]} 的电子证照类型须为证照类型编码"),
        (r"^material '([^']*)': commitment must be .*$", lambda m: f"材料 {m[1]} 的“可告知承诺替代”须为是或否"),
        (r"^an item has no code$", lambda m: "有事项没有编码"),
        (r"^item '([^']*)': fields must be .*$", lambda m: f"事项 {m[1]} 的表单字段须为字段编码的列表"),
        (r"^item '([^']*)': materials must be .*$", lambda m: f"事项 {m[1]} 的材料须为列表"),
        (r"^item '([^']*)': (\w+) must be a non-negative integer$",
         lambda m: f"事项 {m[1]} 的单独办理计数（{m[2]}）须为不小于 0 的整数"),
        (r"^item '([^']*)' asks for field '([^']*)', .*$", lambda m: f"事项 {m[1]} 要求的字段 {m[2]} 不在字段目录中"),
        (r"^item '([^']*)' asks for material '([^']*)', .*$",
         lambda m: f"事项 {m[1]} 要求的材料 {m[2]} 不在材料目录中"),
        (r"^item '([^']*)', material '([^']*)': kind must be .*$",
         lambda m: f"事项 {m[1]} 的材料 {m[2]} 须标明为要件（key）或辅助材料（secondary）"),
        (r"^subject must be one of .*$", lambda m: "申请主体须为个人、家庭事项、已设立的企业或设立中的企业之一"),
    ))

_ITEM_PATH = re.compile(r"^items\[(\d+)\](?:\.(\w+)(?:\[(\d+)\])?)?$")
_ITEM_PROPERTIES = {"name": "名称", "department": "承办部门", "statutory_days": "法定时限", "promised_days": "承诺时限",
                    "separate_days": "单独办理时限", "issues": "出具的材料", "uses": "联动取得的材料",
                    "grants_to": "证照所属字段", "materials": "材料", "fields": "表单字段", "requires": "前置事项"}
_BUNDLE_PROPERTIES = {"code": "编码", "name": "名称", "number_prefix": "办件编号前缀", "process_id": "流程编号",
                      "departments": "部门", "tolerance_days": "容缺补交期限", "items": "", "subject": "申请主体"}
"""Where a path points, by name; the items as a whole need no words (their messages name the item)."""


def forms_message_zh(err: ValueError) -> str:
    """The forms library's complaint about a definition, in Chinese."""
    text = str(err)
    for pattern, say in _FORMS_MESSAGES:
        found = pattern.match(text)
        if found:
            return say(found)
    return "定义无法使用，请检查各项内容"


def place_zh(path: str, definition: Mapping[str, Any]) -> str:
    """Where in a bundle definition ``path`` points, in words: ``items[0].materials[1]`` is the
    second material of the item named in items[0]."""
    found = _ITEM_PATH.match(path)
    if not found:
        return _BUNDLE_PROPERTIES.get(path, "定义")
    items = definition.get("items")
    n = int(found[1])
    item = items[n] if isinstance(items, list) and n < len(items) and isinstance(items[n], Mapping) else {}
    name = item.get("name") or item.get("code") or f"第 {n + 1} 项"
    where = f"事项“{name}”"
    if found[2]:
        where += f"的{_ITEM_PROPERTIES.get(found[2], '设置')}"
    if found[3]:
        where += f"第 {int(found[3]) + 1} 项"
    return where


def bundle_problems_zh(problems: Mapping[str, list[str]], definition: Mapping[str, Any],
                       bundle_name: str | None = None) -> dict[str, list[str]]:
    """Each message led by where it is (and in which bundle, when the edit was elsewhere)."""
    lead = f"一件事“{bundle_name}”" if bundle_name else ""

    def placed(path: str, message: str) -> str:
        where = "的".join(part for part in (lead, place_zh(path, definition)) if part)
        return f"{where}：{message}" if where else message

    return {path: [placed(path, message) for message in messages] for path, messages in problems.items()}
