"""Deploying the shipped bundles and warming the spec cache."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from engine.domain.catalogue import bundle_from_dict
from engine.domain.model import SYSTEM
from engine.domain.records import BundleRecord, FlowVersionRecord
from engine.services.context import ServiceContext
from engine.services.transactions import in_transaction
from engine.services.unit_of_work import UnitOfWork
from engine.workflow.specs import parse_flow


def deploy_shipped_flows(ctx: ServiceContext, bpmn_dir: Path) -> list[str]:
    """Load every ``<bundle>/bundle.json`` + ``flow.bpmn`` under ``bpmn_dir``. A flow whose XML
    changed becomes a new deployed version; running cases stay on the version they started on.
    Returns a line per bundle saying what happened."""
    report = []
    for definition_path in sorted(bpmn_dir.glob("*/bundle.json")):
        definition = json.loads(definition_path.read_text(encoding="utf-8"))
        xml = (definition_path.parent / "flow.bpmn").read_text(encoding="utf-8")
        flow = parse_flow(xml.encode("utf-8"), str(definition["process_id"]))  # refuse a broken flow up front
        version_id, outcome = in_transaction(ctx, functools.partial(_deploy, ctx, definition=definition, xml=xml))
        ctx.specs.put(version_id, flow)
        report.append(outcome)
    return report


def _deploy(ctx: ServiceContext, uow: UnitOfWork, *, definition: dict[str, Any], xml: str) -> tuple[int, str]:
    bundle = bundle_from_dict(definition)
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
    now = ctx.clock()
    row = uow.flows.bundle(bundle.code)
    shipped_digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    shipped_before = uow.shipped.get(f"bundle:{bundle.code}")
    if row is None:
        row = BundleRecord(bundle.code, bundle.name, definition, None)
        uow.flows.add_bundle(row)
    elif shipped_before is None or shipped_before[0] != shipped_digest:
        # A release changed bundle.json: it wins. Otherwise an administrator's edit stands.
        row.name, row.definition = bundle.name, definition
    uow.shipped.put(f"bundle:{bundle.code}", shipped_digest, definition, now)
    versions = uow.flows.versions(bundle.code)
    same = next((v for v in versions if v.sha256 == digest), None)
    if same is not None:
        version_id, outcome = same.id, f"{bundle.code}: flow unchanged (version {same.version})"
    else:
        number = max((v.version for v in versions), default=0) + 1
        version_id = uow.flows.add_version(FlowVersionRecord(
            id=0, bundle_code=bundle.code, version=number, process_id=str(definition["process_id"]),
            sha256=digest, source="shipped", created_at=now, deployed_at=now), xml)
        row.deployed_version_id = version_id
        outcome = f"{bundle.code}: deployed flow version {number} (by {SYSTEM.user})"
    if row.deployed_version_id is None:
        row.deployed_version_id = version_id
    uow.flows.save_bundle(row)
    return version_id, outcome


def warm_spec_cache(ctx: ServiceContext) -> int:
    """Parse every stored flow version once, so that no request has to."""
    with ctx.uow(False) as uow:
        versions = uow.flows.versions()
        for version in versions:
            if version.id not in ctx.specs:
                xml, process_id = uow.flows.xml(version.id)
                ctx.specs.put(version.id, parse_flow(xml, process_id))
    return len(versions)
