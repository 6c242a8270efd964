"""Site inspections (现场核查): a department inspects the site before it decides an item that has an
``inspection`` in its bundle definition (the food production permit's production site, a heating
connection's premises). The inspection counts toward the item's limit (行政许可法 art. 45 pauses
only hearings, tests, expert reviews and the like). Its result is recorded on the item; an item
whose latest inspection failed is not approved: the department refuses it or asks for a
correction (整改), after which the site is inspected again. Where the item's definition says so
(``waived_when``), the intake waives the inspection — Xinxiang's renewals whose holder commits in
writing that the production conditions are unchanged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from engine.domain.clocks import shanghai_day
from engine.domain.errors import InvalidInput
from engine.domain.model import Actor

FINDINGS_MAX = 2000


class InspectionResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


RESULT_ZH = {InspectionResult.PASSED: "合格", InspectionResult.FAILED: "不合格"}

WAIVED, REQUIRED = "waived", "required"
"""What the intake sets in the workflow's ``site_checks`` per inspected item."""


@dataclass(frozen=True)
class RecordInspection:
    """The inspector's record: the result, the day of the visit (default: today) and what was
    found (required when the site fails)."""

    result: str | None = None
    inspected_on: date | None = None
    findings: str = ""


def inspection_record(command: RecordInspection, accepted_at: datetime, actor: Actor, now: datetime) -> dict[str, Any]:
    """The inspection as the item keeps it; refused when the result is missing, the day is before the
    case was accepted or after today, or a failed site is not described."""
    errors: dict[str, list[str]] = {}
    if command.result not in tuple(InspectionResult):
        errors["result"] = ["请选择核查结论：passed（合格）或 failed（不合格）"]
    today = shanghai_day(now)
    day = command.inspected_on or today
    if day > today:
        errors["inspected_on"] = ["核查日期不能晚于今天"]
    elif day < shanghai_day(accepted_at):
        errors["inspected_on"] = [f"核查日期不能早于受理日期 {shanghai_day(accepted_at).isoformat()}"]
    findings = command.findings.strip()
    if len(findings) > FINDINGS_MAX:
        errors["findings"] = [f"核查情况不能超过 {FINDINGS_MAX} 字"]
    elif command.result == InspectionResult.FAILED and len(findings) < 2:
        errors["findings"] = ["核查不合格须写明发现的问题"]
    if errors:
        raise InvalidInput("the inspection record is incomplete or invalid",
                           "现场核查记录不完整或有误，请按字段提示修改", errors)
    return {"result": str(command.result), "inspected_on": day.isoformat(), "findings": findings,
            "by": actor.user, "at": now.isoformat()}


def failed_inspection(inspection: Mapping[str, Any] | None) -> InvalidInput | None:
    """Why an item cannot be approved after its latest inspection, if it failed."""
    if not inspection or inspection.get("result") != InspectionResult.FAILED:
        return None
    return InvalidInput(
        "the site failed its inspection; reject the item or ask for a correction",
        f"现场核查不合格（{inspection.get('inspected_on')}），不能准予许可；请作出不予许可决定，或要求补正（整改）后重新核查",
        {"decision": ["现场核查不合格，不能准予"]})


def site_checks(items: Sequence[Mapping[str, Any]], form: Mapping[str, Any],
                materials: Mapping[str, str]) -> dict[str, str]:
    """Per item with an inspection, whether the intake waives it: its ``waived_when`` holds — the
    form field has one of the values and, if a material is named, that material was submitted (a
    written commitment)."""
    checks: dict[str, str] = {}
    for item in items:
        inspection = item.get("inspection")
        if not isinstance(inspection, Mapping):
            continue
        rule = inspection.get("waived_when")
        waived = isinstance(rule, Mapping) and form.get(str(rule.get("field"))) in (rule.get("values") or ()) and (
            not rule.get("material") or materials.get(str(rule["material"])) == "submitted")
        checks[str(item["code"])] = WAIVED if waived else REQUIRED
    return checks


def inspection_problems(path: str, item: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with an item's ``inspection`` in a bundle definition."""
    inspection = item.get("inspection")
    if inspection is None:
        return {}
    where = f"{path}.inspection"
    if not isinstance(inspection, Mapping) or not isinstance(inspection.get("name"), str) \
            or not inspection["name"].strip():
        return {where: ["须为对象，并写明核查名称（name），如“现场核查”"]}
    rule = inspection.get("waived_when")
    if rule is None:
        return {}
    if not isinstance(rule, Mapping):
        return {f"{where}.waived_when": ["须为对象：field（表单字段）、values（取值）、material（可选，须提交的材料）"]}
    found: dict[str, list[str]] = {}
    field = rule.get("field")
    options = (fields.get(str(field)) or {}).get("options") or ()
    if field not in (item.get("fields") or ()):
        found[f"{where}.waived_when.field"] = [f"字段 {field} 须是本事项表单中的字段"]
    values = rule.get("values")
    if not isinstance(values, list) or not values or any(v not in options for v in values):
        found[f"{where}.waived_when.values"] = [f"须为字段 {field} 的选项之一或几项（{'、'.join(map(str, options))}）"]
    material = rule.get("material")
    if material is not None and material not in {m.get("key") for m in item.get("materials") or ()
                                                  if isinstance(m, Mapping)}:
        found[f"{where}.waived_when.material"] = [f"材料 {material} 须是本事项的材料"]
    return found
