"""What a bundle definition must satisfy before it is stored: every key it names exists, every
department is declared, dependencies form no cycle, and the figures are numbers where numbers go.
Answers problems by field path, in Chinese, for the administrator who edits it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.domain.inspections import inspection_problems

KINDS = ("key", "secondary")
SUBJECT_KINDS = ("person", "family_event", "enterprise", "new_enterprise")
"""Whom a bundle is about (forms.subjects.SubjectKind)."""


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
    if definition.get("subject", "person") not in SUBJECT_KINDS:
        add("subject", f"须为 {'、'.join(SUBJECT_KINDS)} 之一（个人、家庭事项、已设立的企业、设立中的企业）")
    if not problems and _has_cycle({str(i["code"]): list(i.get("requires", [])) for i in items}):
        add("items", "事项之间的前置关系不能成环")
    if not problems:
        _output_problems(items, materials, add)
    return problems


def _output_problems(items: list[Any], materials: Mapping[str, Any], add: Any) -> None:
    """Outputs are not inputs: a material an item of the bundle issues is never asked for at
    intake; an item that needs it names it in ``uses`` and has its issuer among its prerequisites,
    so that the flow decides the issuer first and the case hands the result on (联动)."""
    issuer: dict[str, str] = {}
    for n, item in enumerate(items):
        for key in item.get("issues", []):
            if key not in materials:
                add(f"items[{n}].issues", f"材料 {key} 不在材料目录中")
            elif key in issuer:
                add(f"items[{n}].issues", f"材料 {key} 已由事项 {issuer[key]} 出具，一种材料只能由一个事项出具")
            else:
                issuer[key] = str(item["code"])
    requires = {str(i["code"]): [str(r) for r in i.get("requires", [])] for i in items}
    for n, item in enumerate(items):
        for m, material in enumerate(item.get("materials", [])):
            key = material.get("key") if isinstance(material, Mapping) else None
            if key in issuer:
                name = materials.get(key, {}).get("name", key)
                add(f"items[{n}].materials[{m}]",
                    f"材料“{name}”（{key}）由本一件事的事项 {issuer[key]} 出具，不能要求申请人在受理时提交；"
                    f"事项 {item['code']} 需要时请列入 uses，并以 {issuer[key]} 为前置事项")
        before = _prerequisites(str(item["code"]), requires)
        for key in item.get("uses", []):
            if key not in issuer:
                add(f"items[{n}].uses", f"材料 {key} 不由本一件事的任何事项出具，应作为受理材料列入 materials")
            elif issuer[key] not in before:
                add(f"items[{n}].uses",
                    f"材料 {key} 由事项 {issuer[key]} 出具，须将其列为事项 {item['code']} 的前置事项")


def _prerequisites(code: str, requires: Mapping[str, list[str]]) -> set[str]:
    """Every item decided before ``code``: its prerequisites and theirs."""
    found: set[str] = set()
    waiting = list(requires.get(code, []))
    while waiting:
        current = waiting.pop()
        if current not in found:
            found.add(current)
            waiting.extend(requires.get(current, []))
    return found


def _item_problems(path: str, item: Mapping[str, Any], codes: set[Any], departments: Mapping[str, Any],
                   fields: Mapping[str, Any], materials: Mapping[str, Any], licences: Mapping[str, Any],
                   add: Any) -> None:
    if not isinstance(item.get("name"), str) or not item["name"].strip():
        add(f"{path}.name", "必填")
    if item.get("department") not in departments:
        add(f"{path}.department", f"部门 {item.get('department')} 未在 departments 中列出")
    for key in ("statutory_days", "promised_days", "separate_days"):
        if not _days(item.get(key)):
            add(f"{path}.{key}", "须为 0 至 3650 的整数工作日，或留空")
    if item.get("statutory_days") is None and item.get("promised_days") is None:
        add(f"{path}.promised_days", "每个审批事项都须有时限：法定时限或承诺时限至少填写一项（工作日）")
    for key in ("issues", "uses"):
        if not isinstance(item.get(key, []), list) or not all(isinstance(m, str) for m in item.get(key, [])):
            add(f"{path}.{key}", "须为材料编码的列表")
    grants_to = item.get("grants_to")
    if grants_to is not None and (grants_to not in fields or grants_to not in item.get("fields", [])):
        add(f"{path}.grants_to", f"字段 {grants_to} 须是本事项表单中的字段（标识证照所属的人）")
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
    for where, messages in inspection_problems(path, item, fields).items():
        for message in messages:
            add(where, message)
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
