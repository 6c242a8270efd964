"""Administrators edit the catalogue: a dictionary entry (form field, material, e-licence type) or
a bundle's definition. Each edit is validated before it is stored, may not break any bundle or
the bundle's deployed flow, and goes to the audit trail with what it was before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.domain.catalogue_rules import bundle_definition_problems
from engine.domain.decisions import number_format_problem
from engine.domain.errors import InvalidInput, NotFound
from engine.domain.model import WINDOW, Actor
from engine.domain.notifications import PLACEHOLDER, PLACEHOLDERS, NotificationKind
from engine.domain.registries import KINDS
from engine.domain.service_points import service_point_problems
from engine.domain.work_orders import WorkOrderKind, rule_of
from engine.services.audit import record_audit
from engine.services.catalogue import dictionary_kind
from engine.services.catalogue_messages import bundle_problems_zh, forms_message_zh
from engine.services.context import ServiceContext
from engine.services.progress import flow_of
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from forms.checklist import build_checklist
from forms.unified import build_unified_form

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True)
class PutCatalogueEntry:
    kind: str
    key: str
    definition: dict[str, Any]
    actor: Actor


@dataclass(frozen=True)
class PutBundleDefinition:
    code: str
    definition: dict[str, Any]
    actor: Actor


def _definition_problems(definition: dict[str, Any], dictionaries: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """What is wrong with a bundle definition against these dictionaries, including whether its
    unified form and checklist can be built."""
    found = bundle_definition_problems(definition, dictionaries["field"], dictionaries["material"],
                                       dictionaries["licence"])
    if not found:
        try:
            build_unified_form(definition["items"], dictionaries["field"])
            build_checklist(definition["items"], dictionaries["material"])
        except ValueError as err:
            found["items"] = [forms_message_zh(err)]
    return found


def _dictionaries(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    return {k: uow.catalogue.entries(k) for k in ("field", "material", "licence", "notification", "service_point",
                                                  "work_order")}


def _bundles_still_build(uow: UnitOfWork, dictionaries: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {f"{row.code}.{path}": messages for row in uow.flows.bundles()
            for path, messages in bundle_problems_zh(_definition_problems(row.definition, dictionaries),
                                                     row.definition, row.name).items()}


def put_catalogue_entry(cmd: PutCatalogueEntry, ctx: ServiceContext) -> dict[str, Any]:
    kind = dictionary_kind(cmd.kind)
    if not _KEY.match(cmd.key):
        raise InvalidInput("keys are snake_case", "编码须以小写字母开头，只含小写字母、数字和下划线，2 至 64 个字符",
                           {"key": ["编码须以小写字母开头，只含小写字母、数字和下划线"]})

    def work(uow: UnitOfWork) -> dict[str, Any]:
        dictionaries = _dictionaries(uow)
        before = dictionaries[kind].get(cmd.key)
        dictionaries[kind][cmd.key] = cmd.definition
        errors = (_point_problems(uow, cmd.key, cmd.definition, dictionaries["service_point"])
                  if kind == "service_point" else _entry_problems(kind, cmd.key, cmd.definition, dictionaries))
        errors.update({f"bundles.{k}": v for k, v in _bundles_still_build(uow, dictionaries).items()})
        if errors:
            raise InvalidInput("the entry is invalid or would break a bundle", "目录条目有误，或会使某个一件事无法使用",
                               errors)
        now = ctx.clock()
        uow.catalogue.replace(kind, dictionaries[kind], now)
        record_audit(uow, "CatalogueEntryChanged", cmd.actor, f"{kind}:{cmd.key}",
                     {"before": before, "after": cmd.definition}, now)
        return cmd.definition

    return in_transaction(ctx, work)


def _entry_problems(kind: str, key: str, definition: dict[str, Any],
                    dictionaries: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    probe = [{"code": "probe", "fields": [key] if kind == "field" else [],
              "materials": [{"key": key, "kind": "key"}] if kind == "material" else []}]
    try:
        if kind == "field":
            build_unified_form(probe, dictionaries["field"])
        elif kind == "material":
            build_checklist(probe, dictionaries["material"])
            if definition.get("elicence") is not None and definition["elicence"] not in dictionaries["licence"]:
                return {"elicence": [f"证照类型 {definition['elicence']} 不在电子证照目录中"]}
            if definition.get("registry") is not None and definition["registry"] not in KINDS:
                return {"registry": [f"共享数据类别 {definition['registry']} 不存在（可用：{'、'.join(KINDS)}）"]}
        elif kind == "notification":
            return notification_problems(key, definition)
        elif kind == "work_order":
            return work_order_problems(key, definition)
        else:
            if not isinstance(definition.get("name"), str) or not definition["name"].strip():
                return {"name": ["必填"]}
            if definition.get("holder") not in ("person", "enterprise"):
                return {"holder": ["须为 person（个人）或 enterprise（企业）"]}
            unknown = [a for a in definition.get("attributes", []) if a not in dictionaries["field"]]
            if unknown:
                return {"attributes": [f"字段 {'、'.join(map(str, unknown))} 不在字段目录中"]}
            number_format = number_format_problem(definition.get("number_format"))
            if number_format is not None:
                return {"number_format": [number_format]}
    except ValueError as err:
        return {"definition": [forms_message_zh(err)]}
    return {}


def _point_problems(uow: UnitOfWork, key: str, definition: dict[str, Any],
                    points: dict[str, Any]) -> dict[str, list[str]]:
    """The point itself, and every point below it still one level under its parent."""
    bundles = uow.flows.bundles()
    codes = {row.code for row in bundles}
    departments = {str(k) for row in bundles for k in row.definition.get("departments") or {}} - {WINDOW}
    errors = service_point_problems(key, definition, points, codes, departments)
    for code, other in points.items():
        if code != key and isinstance(other, dict) and other.get("parent") == key:
            below = service_point_problems(code, other, points, codes, departments)
            errors.update({f"points.{code}.parent": below["parent"]} if "parent" in below else {})
    return errors


def work_order_problems(key: str, definition: dict[str, Any]) -> dict[str, list[str]]:
    """A kind of work order's clocks: one of the kinds the engine knows, a name, the limits in order."""
    if key not in set(WorkOrderKind):
        return {"key": [f"工单类型须为 {'、'.join(WorkOrderKind)} 之一"]}
    if not isinstance(definition.get("name"), str) or not definition["name"].strip():
        return {"name": ["必填"]}
    return rule_of(definition).problems()


def notification_problems(key: str, definition: dict[str, Any]) -> dict[str, list[str]]:
    """A notice template: one of the kinds the engine sends, a label and a text, placeholders only of
    those the engine fills."""
    if key not in set(NotificationKind):
        return {"key": [f"通知类型须为 {'、'.join(NotificationKind)} 之一"]}
    for name in ("label", "text"):
        if not isinstance(definition.get(name), str) or not definition[name].strip():
            return {name: ["必填"]}
    for name in ("subject", "sms_template"):
        if not isinstance(definition.get(name, ""), str):
            return {name: ["须为文字"]}
    unknown = sorted({p for name in ("text", "subject") for p in PLACEHOLDER.findall(str(definition.get(name, "")))}
                     - set(PLACEHOLDERS))
    if unknown:
        named = "、".join("{" + u + "}" for u in unknown)
        return {"text": [f"未知的占位符 {named}（可用：{'、'.join(PLACEHOLDERS)}）"]}
    return {}


def definition_problems(uow: UnitOfWork, definition: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a bundle definition against the stored catalogue (keys, limits, cycles);
    whether its items match a flow is for the caller to check."""
    return _definition_problems(definition, _dictionaries(uow))


def put_bundle_definition(cmd: PutBundleDefinition, ctx: ServiceContext) -> dict[str, Any]:
    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.flows.bundle(cmd.code)
        if row is None:
            raise NotFound(f"no bundle {cmd.code!r}", f"没有编码为 {cmd.code} 的一件事")
        errors = _definition_problems(cmd.definition, _dictionaries(uow))
        if cmd.definition.get("code") != cmd.code:
            errors.setdefault("code", []).append(f"须为 {cmd.code}：编码不能修改")
        if not errors and row.deployed_version_id is not None:
            flow = flow_of(ctx, uow, row.deployed_version_id)
            in_flow = {t.item for t in flow.user_tasks if t.kind == "approval"}
            listed = {str(i["code"]) for i in cmd.definition["items"]}
            if in_flow != listed:
                errors["items"] = [f"事项须与已部署流程的审批任务一致（流程中：{'、'.join(sorted(map(str, in_flow)))}）"
                                   "；增减事项请上传新的流程版本"]
        if errors:
            raise InvalidInput("the bundle definition is invalid", "一件事定义有误，请按字段提示修改",
                               bundle_problems_zh(errors, cmd.definition))
        now = ctx.clock()
        before = row.definition
        row.name, row.definition = str(cmd.definition["name"]), cmd.definition
        uow.flows.save_bundle(row)
        changed = sorted(k for k in set(before) | set(cmd.definition) if before.get(k) != cmd.definition.get(k))
        record_audit(uow, "BundleDefinitionChanged", cmd.actor, f"bundle:{cmd.code}", {"changed": changed}, now)
        return cmd.definition

    return in_transaction(ctx, work)
