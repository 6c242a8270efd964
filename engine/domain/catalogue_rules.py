"""What a bundle definition must satisfy before it is stored: every key it names exists, every
department is declared, dependencies form no cycle, and the figures are numbers where numbers go.
Answers problems by field path, in Chinese, for the administrator who edits it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KINDS = ("key", "secondary")


def _days(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 3650)


def bundle_definition_problems(
    definition: Mapping[str, Any], fields: Mapping[str, Any], materials: Mapping[str, Any],
    licences: Mapping[str, Any],
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        problems.setdefault(path, []).append(message)

    for key in ("code", "name", "number_prefix", "process_id"):
        if not isinstance(definition.get(key), str) or not definition[key].strip():
            add(key, "必填，且须为文字")
    departments = definition.get("departments")
    if not isinstance(departments, Mapping) or not departments:
        add("departments", "须列出部门编码及名称")
        departments = {}
    if not _days(definition.get("tolerance_days")):
        add("tolerance_days", "须为 0 至 3650 的整数工作日，或留空")
    items = definition.get("items")
    if not isinstance(items, list) or not items:
        add("items", "至少需要一个事项")
        return problems
    codes = [i.get("code") for i in items if isinstance(i, Mapping)]
    if len(codes) != len(items) or len(set(codes)) != len(codes):
        add("items", "事项编码须唯一")
    for n, item in enumerate(items):
        if isinstance(item, Mapping):
            _item_problems(f"items[{n}]", item, set(codes), departments, fields, materials, licences, add)
    if not problems and _has_cycle({str(i["code"]): list(i.get("requires", [])) for i in items}):
        add("items", "事项之间的前置关系不能成环")
    return problems


def _item_problems(path: str, item: Mapping[str, Any], codes: set[Any], departments: Mapping[str, Any],
                   fields: Mapping[str, Any], materials: Mapping[str, Any], licences: Mapping[str, Any],
                   add: Any) -> None:
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        add(f"{path}.name", "必填")
    if item.get("department") not in departments:
        add(f"{path}.department", f"部门 {item.get('department')} 未在 departments 中列出")
    for key in ("statutory_days", "promised_days"):
        if not _days(item.get(key)):
            add(f"{path}.{key}", "须为 0 至 3650 的整数工作日，或留空")
    for m, material in enumerate(item.get("materials", [])):
        if not isinstance(material, Mapping) or material.get("key") not in materials:
            add(f"{path}.materials[{m}]", f"材料 {material.get('key') if isinstance(material, Mapping) else material} "
                                          "不在材料目录中")
        elif material.get("kind", "key") not in KINDS:
            add(f"{path}.materials[{m}].kind", "须为 key（主要）或 secondary（次要）")
    for f, key in enumerate(item.get("fields", [])):
        if key not in fields:
            add(f"{path}.fields[{f}]", f"字段 {key} 不在字段目录中")
    for r in item.get("requires", []):
        if r not in codes or r == item.get("code"):
            add(f"{path}.requires", f"前置事项 {r} 不是本一件事的其他事项")
    if item.get("grants") is not None and item.get("grants") not in licences:
        add(f"{path}.grants", f"证照类型 {item.get('grants')} 不在电子证照目录中")
    for p, procedure in enumerate(item.get("special_procedures", [])):
        if not isinstance(procedure, Mapping) or not isinstance(procedure.get("name"), str) \
                or not isinstance(procedure.get("pauses_clock", False), bool):
            add(f"{path}.special_procedures[{p}]", "须有名称（name）和是否中止计时（pauses_clock）")


def _has_cycle(requires: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(code: str) -> bool:
        if state.get(code) == 1:
            return True
        if state.get(code) == 2:
            return False
        state[code] = 1
        if any(visit(r) for r in requires.get(code, []) if r in requires):
            return True
        state[code] = 2
        return False

    return any(visit(c) for c in requires)
