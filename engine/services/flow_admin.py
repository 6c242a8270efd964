"""Administrators edit flows: upload a BPMN file as a new version of a bundle's flow, list and read the
versions, compare two of them, run a simulated case through one, and deploy one for new cases.

Every file gets an answer: ``check_flow`` never raises, and what it refuses comes back as ``FlowRefused`` (a
422 with the structured problems). Versions are immutable: an upload of a file already stored answers that
version instead of adding another. Deploying only changes which version new cases start on; running cases
stay on theirs until an administrator moves them (``flow_migration``). Uploads and deployments are audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.domain.errors import Conflict, InvalidInput, NotFound
from engine.domain.flow_diff import FlowDiff
from engine.domain.flow_problems import FlowProblem, FlowRefused, FlowReport, FlowRule
from engine.domain.model import WINDOW, Actor, TaskKind
from engine.domain.records import BundleRecord, FlowVersionRecord
from engine.services.audit import record_audit
from engine.services.catalogue_admin import definition_problems
from engine.services.context import ServiceContext
from engine.services.progress import flow_of
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.dry_run import DECISIONS, DryRun, dry_run
from engine.workflow.flow_check import check_flow
from engine.workflow.flow_diff import FlowUnreadable, diff_flows
from engine.workflow.flow_xml import declared_utf8
from engine.workflow.specs import FlowParseError, FlowSpec, parse_flow

UPLOADED = "upload"
"""``flow_versions.source`` of a version an administrator uploaded (shipped ones say ``shipped``)."""


@dataclass(frozen=True)
class UploadFlow:
    bundle_code: str
    xml: bytes
    actor: Actor
    definition: dict[str, Any] | None = None
    """A new bundle definition that goes with the flow (a department joins, an item is dropped):
    the flow is checked against it, and deploying the version applies it."""


@dataclass(frozen=True)
class UploadedFlow:
    version: FlowVersionRecord
    report: FlowReport
    """What checking found: no errors (else the upload was refused), perhaps warnings."""
    created: bool
    """False when the same file was already a version of the bundle: that version is answered."""
    current: bool = False
    """Whether new cases start on this version (only ever true for a file already stored and deployed)."""


@dataclass(frozen=True)
class DeployFlow:
    bundle_code: str
    version: int
    actor: Actor


@dataclass(frozen=True)
class DeployedFlow:
    version: FlowVersionRecord
    previous: int | None
    """The version number new cases started on before, or None."""
    changed: bool


@dataclass(frozen=True)
class FlowVersions:
    bundle: BundleRecord
    versions: list[FlowVersionRecord]


def find_bundle(uow: UnitOfWork, code: str) -> BundleRecord:
    row = uow.flows.bundle(code)
    if row is None:
        raise NotFound(f"no bundle {code!r}", f"没有编码为 {code} 的一件事")
    return row


def find_version(uow: UnitOfWork, code: str, number: int) -> FlowVersionRecord:
    version = uow.flows.version_by_number(code, number)
    if version is None:
        raise NotFound(f"bundle {code!r} has no flow version {number}", f"一件事 {code} 没有第 {number} 版流程")
    return version


def known_departments(uow: UnitOfWork) -> frozenset[str]:
    """The department codes a lane may name: the window and every department of every bundle."""
    found = {WINDOW}
    for row in uow.flows.bundles():
        departments = row.definition.get("departments")
        if isinstance(departments, Mapping):
            found.update(str(code) for code in departments)
        for item in row.definition.get("items") or ():
            if isinstance(item, Mapping) and item.get("department"):
                found.add(str(item["department"]))
    return frozenset(found)


def check_for_bundle(ctx: ServiceContext, uow: UnitOfWork, bundle: BundleRecord, xml: bytes,
                     definition: Mapping[str, Any] | None = None) -> FlowReport:
    """``check_flow`` against the bundle's current definition (or the one uploaded with the flow), the
    known departments and the functions the engine's script engine adds to expressions."""
    definition = definition if definition is not None else bundle.definition
    departments = known_departments(uow) | {str(i.get("department")) for i in definition.get("items") or ()
                                            if isinstance(i, Mapping) and i.get("department")}
    return check_flow(xml, definition, departments, functions=tuple(ctx.script_engine.functions))


def _check_definition(uow: UnitOfWork, bundle: BundleRecord, definition: dict[str, Any]) -> None:
    errors = {f"definition.{k}": v for k, v in definition_problems(uow, definition).items()}
    if definition.get("code") != bundle.code:
        errors.setdefault("definition.code", []).append(f"须为 {bundle.code}：编码不能修改")
    if definition.get("process_id") != bundle.definition.get("process_id"):
        errors.setdefault("definition.process_id", []).append(
            f"须为 {bundle.definition.get('process_id')}：流程标识不能修改")
    if errors:
        raise InvalidInput("the bundle definition uploaded with the flow is invalid",
                           "随流程上传的一件事定义有误，请按字段提示修改", errors)


def ensure_deployable(ctx: ServiceContext, uow: UnitOfWork, bundle: BundleRecord,
                      version: FlowVersionRecord) -> FlowSpec:
    """The version's spec, once it has passed the checks against the bundle's definition as it is now (the
    definition may have changed since the version was stored)."""
    xml, _ = uow.flows.xml(version.id)
    if version.definition is not None:
        _check_definition(uow, bundle, version.definition)
    report = check_for_bundle(ctx, uow, bundle, xml, version.definition)
    if not report.ok:
        raise FlowRefused(report, f"flow version {version.version} no longer fits bundle {bundle.code}",
                          f"第 {version.version} 版流程与一件事 {bundle.name} 的当前定义不符，不能使用")
    return flow_of(ctx, uow, version.id)


def upload_flow(cmd: UploadFlow, ctx: ServiceContext) -> UploadedFlow:
    """Check the file and store it as the bundle's next flow version (not deployed)."""
    with ctx.uow(False) as uow:
        bundle = find_bundle(uow, cmd.bundle_code)
        if cmd.definition is not None:
            _check_definition(uow, bundle, cmd.definition)
        report = check_for_bundle(ctx, uow, bundle, cmd.xml, cmd.definition)
    if not report.ok:
        raise FlowRefused(report, f"the flow has {len(report.errors)} errors; nothing was stored",
                          f"流程文件有 {len(report.errors)} 处错误，未保存，请按问题列表修改后重新上传")
    process_id = report.process_id or str(bundle.definition["process_id"])
    xml = declared_utf8(cmd.xml)  # what was checked is what is parsed and stored
    flow = _parse(xml, process_id, report)
    digest = hashlib.sha256(xml).hexdigest()

    def work(uow: UnitOfWork) -> UploadedFlow:
        row = find_bundle(uow, cmd.bundle_code)
        versions = uow.flows.versions(cmd.bundle_code)
        same = next((v for v in versions if v.sha256 == digest and v.definition == cmd.definition), None)
        if same is not None:
            return UploadedFlow(same, report, False, same.id == row.deployed_version_id)
        now = ctx.clock()
        record = FlowVersionRecord(
            id=0, bundle_code=cmd.bundle_code, version=max((v.version for v in versions), default=0) + 1,
            process_id=process_id, sha256=digest, source=UPLOADED, created_at=now, deployed_at=None,
            definition=cmd.definition)
        record.id = uow.flows.add_version(record, xml.decode("utf-8"))
        record_audit(uow, "FlowUploaded", cmd.actor, f"bundle:{cmd.bundle_code}",
                     {"version": record.version, "sha256": digest, "bytes": len(cmd.xml),
                      "warnings": sorted({p.rule for p in report.warnings}),
                      "with_definition": cmd.definition is not None}, now)
        version_id = record.id
        uow.after_commit(lambda: ctx.specs.put(version_id, flow))
        return UploadedFlow(record, report, True)

    return in_transaction(ctx, work)


def _parse(xml: bytes, process_id: str, report: FlowReport) -> FlowSpec:
    """The executable spec. The checks ran SpiffWorkflow's parser already, so a failure here is rare; it is
    still the file's fault, and answered as such."""
    try:
        return parse_flow(xml, process_id)
    except FlowParseError as err:
        problem = FlowProblem.error(FlowRule.SPIFF_REJECTED, err.element_id, err.line,
                                    f"SpiffWorkflow 无法解析此流程：{err.message}",
                                    f"SpiffWorkflow cannot parse the flow: {err.message}")
    except Exception as err:  # any parser failure is an answer about the file, never a 500
        problem = FlowProblem.error(FlowRule.UNPARSEABLE, None, None, f"无法解析此流程（{type(err).__name__}）",
                                    f"the flow cannot be parsed ({type(err).__name__})")
    refused = FlowReport([problem, *report.problems], report.process_id, report.process_name)
    raise FlowRefused(refused, "the flow cannot be parsed into an executable process",
                      "流程无法解析为可执行流程，未保存")


def list_flow_versions(ctx: ServiceContext, code: str) -> FlowVersions:
    with ctx.uow(False) as uow:
        return FlowVersions(find_bundle(uow, code), uow.flows.versions(code))


def flow_version_xml(ctx: ServiceContext, code: str, number: int) -> str:
    """The version's BPMN XML as stored."""
    with ctx.uow(False) as uow:
        find_bundle(uow, code)
        xml, _ = uow.flows.xml(find_version(uow, code, number).id)
    return xml.decode("utf-8")


def deploy_flow(cmd: DeployFlow, ctx: ServiceContext) -> DeployedFlow:
    """New cases of the bundle start on this version from now on; running cases keep theirs."""
    def work(uow: UnitOfWork) -> DeployedFlow:
        bundle = find_bundle(uow, cmd.bundle_code)
        version = find_version(uow, cmd.bundle_code, cmd.version)
        previous = uow.flows.version(bundle.deployed_version_id) if bundle.deployed_version_id else None
        previous_number = previous.version if previous else None
        if bundle.deployed_version_id == version.id:
            return DeployedFlow(version, previous_number, False)
        ensure_deployable(ctx, uow, bundle, version)
        now = ctx.clock()
        bundle.deployed_version_id = version.id
        if version.definition is not None and version.definition != bundle.definition:
            before = bundle.definition
            bundle.name, bundle.definition = str(version.definition["name"]), version.definition
            changed = sorted(k for k in set(before) | set(version.definition)
                             if before.get(k) != version.definition.get(k))
            record_audit(uow, "BundleDefinitionChanged", cmd.actor, f"bundle:{cmd.bundle_code}",
                         {"changed": changed, "with_version": version.version}, now)
        uow.flows.save_bundle(bundle)
        uow.flows.set_deployed(version.id, now)
        version.deployed_at = now
        record_audit(uow, "FlowDeployed", cmd.actor, f"bundle:{cmd.bundle_code}",
                     {"version": version.version, "previous": previous_number, "sha256": version.sha256}, now)
        return DeployedFlow(version, previous_number, True)

    return in_transaction(ctx, work)


def diff_flow_versions(ctx: ServiceContext, code: str, old: int | None, new: int | None) -> tuple[int, int, FlowDiff]:
    """What changed from version ``old`` (default: the deployed one) to ``new`` (default: the latest)."""
    with ctx.uow(False) as uow:
        bundle = find_bundle(uow, code)
        versions = uow.flows.versions(code)
        if not versions:
            raise NotFound(f"bundle {code!r} has no flow version", f"一件事 {code} 还没有流程版本")
        deployed = next((v.version for v in versions if v.id == bundle.deployed_version_id), versions[-1].version)
        old_number = deployed if old is None else old
        new_number = versions[-1].version if new is None else new
        old_xml, _ = uow.flows.xml(find_version(uow, code, old_number).id)
        new_xml, _ = uow.flows.xml(find_version(uow, code, new_number).id)
    try:
        return old_number, new_number, diff_flows(old_xml, new_xml)
    except FlowUnreadable as err:  # stored versions were checked; this means the store was edited by hand
        raise Conflict(str(err), f"第 {old_number if err.which == 'old' else new_number} 版流程无法读取") from err


def dry_run_flow(ctx: ServiceContext, code: str, number: int, decisions: Mapping[str, str]) -> DryRun:
    """A simulated case through the version, in memory: nothing is stored and no event is written."""
    with ctx.uow(False) as uow:
        find_bundle(uow, code)
        flow = flow_of(ctx, uow, find_version(uow, code, number).id)
    items = {t.item for t in flow.user_tasks if t.kind == TaskKind.APPROVAL and t.item}
    errors: dict[str, list[str]] = {}
    for item, decision in decisions.items():
        if item not in items:
            errors[f"decisions.{item}"] = [f"流程中没有事项 {item} 的审批任务（可选：{'、'.join(sorted(items))}）"]
        elif decision not in DECISIONS:
            errors[f"decisions.{item}"] = ["必须是 approve、reject、correct 之一"]
    if errors:
        raise InvalidInput("decisions must name items of the flow and approve, reject or correct",
                           "试运行的审批结论有误", errors)
    return dry_run(flow, ctx.script_engine, decisions)

