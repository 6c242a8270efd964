"""Administrators create a bundle from the catalogue's items: its definition composed from the chosen
items (``engine.domain.bundle_composition``), checked as a shipped bundle is, and its first flow
version generated from it (``engine.workflow.flow_generator``) and stored, not deployed, so that the
administrator can open it in the modeler, try it, and deploy it for new cases."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engine.domain.bundle_composition import NewBundle, compose_bundle
from engine.domain.clocks import SHANGHAI
from engine.domain.errors import Conflict, InvalidInput
from engine.domain.flow_problems import FlowReport
from engine.domain.model import Actor
from engine.domain.records import BundleRecord, FlowVersionRecord
from engine.services.audit import record_audit
from engine.services.catalogue_admin import definition_problems
from engine.services.catalogue_messages import bundle_problems_zh
from engine.services.context import ServiceContext
from engine.services.flow_admin import check_for_bundle
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.flow_generator import BundleError, render_flow
from engine.workflow.specs import parse_flow

CREATED = "created"
"""``flow_versions.source`` of the version generated when an administrator created the bundle."""


@dataclass(frozen=True)
class CreateBundle:
    bundle: NewBundle
    actor: Actor


@dataclass(frozen=True)
class CreatedBundle:
    bundle: BundleRecord
    version: FlowVersionRecord
    report: FlowReport


def _invalid(problems: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput("the new bundle is invalid", "新建一件事有误，请按字段提示修改", problems)


def _composed(ctx: ServiceContext, uow: UnitOfWork, new: NewBundle) -> tuple[BundleRecord, bytes, FlowReport]:
    today = ctx.clock().astimezone(SHANGHAI).date().isoformat()
    composed = compose_bundle(new, [row.definition for row in uow.flows.bundles()], today)
    if composed.problems:
        raise _invalid(composed.problems)
    definition = composed.definition
    problems = definition_problems(uow, definition)
    if problems:
        raise _invalid(bundle_problems_zh(problems, definition))
    try:
        xml = render_flow(definition).encode("utf-8")
    except BundleError as err:
        raise _invalid({"items": [f"无法生成流程：{err}"]}) from err
    row = BundleRecord(new.code, str(definition["name"]), definition, None)
    report = check_for_bundle(ctx, uow, row, xml)
    if not report.ok:
        raise _invalid({"items": [f"生成的流程未通过检查：{p.message_zh}" for p in report.errors]})
    return row, xml, report


def create_bundle(cmd: CreateBundle, ctx: ServiceContext) -> CreatedBundle:
    """Compose, check and store the bundle with its generated first flow version (not deployed)."""
    with ctx.uow(False) as uow:
        row, xml, report = _composed(ctx, uow, cmd.bundle)
    flow = parse_flow(xml, row.code)
    digest = hashlib.sha256(xml).hexdigest()

    def work(uow: UnitOfWork) -> CreatedBundle:
        if uow.flows.bundle(row.code) is not None:
            raise Conflict(f"bundle {row.code!r} exists", f"编码为 {row.code} 的一件事已经存在")
        now = ctx.clock()
        uow.flows.add_bundle(row)
        version = FlowVersionRecord(id=0, bundle_code=row.code, version=1, process_id=row.code, sha256=digest,
                                    source=CREATED, created_at=now, deployed_at=None)
        version.id = uow.flows.add_version(version, xml.decode("utf-8"))
        record_audit(uow, "BundleCreated", cmd.actor, f"bundle:{row.code}",
                     {"name": row.name, "number_prefix": cmd.bundle.number_prefix,
                      "items": [str(i["code"]) for i in row.definition["items"]],
                      "from": list(cmd.bundle.items), "version": 1, "sha256": digest}, now)
        version_id = version.id
        uow.after_commit(lambda: ctx.specs.put(version_id, flow))
        return CreatedBundle(row, version, report)

    return in_transaction(ctx, work)
