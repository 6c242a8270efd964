"""Administrators edit flows: upload BPMN as a new version of a bundle's flow, read, compare, dry-run and
deploy versions, and move running cases onto a version where it is safe."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from api.access import current_actor
from api.cases import ctx
from api.flow_schemas import (
    UPLOAD_BODY_DOC,
    DeployAnswerSchema,
    DiffArgsSchema,
    DiffSchema,
    DryRunArgsSchema,
    DryRunSchema,
    MigrateSchema,
    MigrationArgsSchema,
    MigrationReportSchema,
    MigrationResultSchema,
    UploadAnswerSchema,
    UploadJsonSchema,
    UploadQuerySchema,
    VersionsSchema,
)
from api.request_errors import errors_zh, summary_zh
from engine.domain.errors import InvalidInput
from engine.domain.records import FlowVersionRecord
from engine.services.flow_admin import (
    DeployFlow,
    UploadFlow,
    deploy_flow,
    diff_flow_versions,
    dry_run_flow,
    flow_version_xml,
    list_flow_versions,
    upload_flow,
)
from engine.services.flow_migration import CaseMove, MigrateCases, migrate_cases, migration_report
from engine.workflow.flow_xml import MAX_FLOW_BYTES

blp = Blueprint("flows", __name__, url_prefix="/api/flows",
                description="流程管理（系统管理员）：上传、校验、版本、比较、试运行、部署与在办办件迁移")

XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml")


def version_view(version: FlowVersionRecord, current: bool) -> dict[str, Any]:
    """A version as answered; ``current``: new cases start on it."""
    return {"id": version.id, "version": version.version, "process_id": version.process_id,
            "sha256": version.sha256, "source": version.source, "created_at": version.created_at,
            "deployed_at": version.deployed_at, "current": current,
            "with_definition": version.definition is not None}


def _too_large() -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"a BPMN file may have at most {MAX_FLOW_BYTES} bytes")


def _upload_body(query: dict[str, Any]) -> tuple[str, bytes, dict[str, Any] | None]:
    """The bundle code and the file's bytes, from raw XML or from JSON; the size is checked before the body
    is read whole (the Content-Length, then reading one byte past the limit at most)."""
    if request.mimetype in XML_TYPES:
        if request.content_length is not None and request.content_length > MAX_FLOW_BYTES:
            raise _too_large()
        data = request.stream.read(MAX_FLOW_BYTES + 1)
        if len(data) > MAX_FLOW_BYTES:
            raise _too_large()
        if not query.get("bundle"):
            raise InvalidInput("name the bundle in the query: POST /api/flows?bundle=<code>",
                               "请在查询参数中指明一件事编码（?bundle=）", {"bundle": ["必填"]})
        return str(query["bundle"]), data, None
    if request.is_json:
        try:
            body = UploadJsonSchema().load(request.get_json())
        except ValidationError as err:
            messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
            translated = errors_zh(messages)
            raise InvalidInput("the request has invalid or missing fields", summary_zh(translated),
                               translated) from None
        # surrogatepass: a lone surrogate sent in JSON becomes bytes the check refuses as not UTF-8.
        xml = str(body["xml"]).encode("utf-8", "surrogatepass")
        if len(xml) > MAX_FLOW_BYTES:
            raise _too_large()
        return str(body["bundle"]), xml, body.get("definition")
    raise UnsupportedMediaType("send BPMN as application/xml (bundle in the query) or as JSON {bundle, xml}")


@blp.route("")
class Flows(MethodView):
    @blp.arguments(UploadQuerySchema(), location="query")
    @blp.doc(requestBody=UPLOAD_BODY_DOC)
    @blp.response(201, UploadAnswerSchema)
    @blp.alt_response(200, schema=UploadAnswerSchema, description="the same file is already a version")
    def post(self, query: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Upload BPMN XML as the bundle's next flow version (checked; not deployed). Refused: 422 with the
        problems, 413 when too large"""
        code, xml, definition = _upload_body(query)
        uploaded = upload_flow(UploadFlow(code, xml, current_actor(), definition), ctx())
        answer = {"created": uploaded.created, "bundle": code,
                  "version": version_view(uploaded.version, uploaded.current), "report": uploaded.report.to_dict()}
        return answer, 201 if uploaded.created else 200


@blp.route("/<string:code>/versions")
class FlowVersions(MethodView):
    @blp.response(200, VersionsSchema)
    def get(self, code: str) -> dict[str, Any]:
        """The bundle's flow versions, oldest first; ``current`` marks the one new cases start on"""
        found = list_flow_versions(ctx(), code)
        deployed = next((v.version for v in found.versions if v.id == found.bundle.deployed_version_id), None)
        return {"bundle": code, "deployed_version": deployed,
                "versions": [version_view(v, v.id == found.bundle.deployed_version_id) for v in found.versions]}


@blp.route("/<string:code>/versions/<id:number>/xml")
class FlowVersionXml(MethodView):
    @blp.response(200, content_type="application/xml", description="the BPMN XML as stored")
    def get(self, code: str, number: int) -> Response:
        """The BPMN XML of a version"""
        return Response(flow_version_xml(ctx(), code, number), mimetype="application/xml")


@blp.route("/<string:code>/versions/<id:number>/deploy")
class FlowDeploy(MethodView):
    @blp.response(200, DeployAnswerSchema)
    def post(self, code: str, number: int) -> dict[str, Any]:
        """Deploy a version: new cases start on it; running cases stay on theirs (audited)"""
        deployed = deploy_flow(DeployFlow(code, number, current_actor()), ctx())
        return {"bundle": code, "version": version_view(deployed.version, True), "previous": deployed.previous,
                "changed": deployed.changed}


@blp.route("/<string:code>/versions/<id:number>/dry-run")
class FlowDryRun(MethodView):
    @blp.arguments(DryRunArgsSchema())
    @blp.response(200, DryRunSchema)
    def post(self, body: dict[str, Any], code: str, number: int) -> dict[str, Any]:
        """Simulate a case through a version in memory (nothing is stored): the tasks in order, their lanes,
        whether it finished"""
        run = dry_run_flow(ctx(), code, number, body["decisions"])
        return {"bundle": code, "version": number, "finished": run.finished,
                "steps": [asdict(s) for s in run.steps], "lanes": run.lanes, "waiting": run.waiting,
                "stopped": run.stopped, "error": run.error, "error_zh": run.error_zh, "failed_step": run.failed_step}


@blp.route("/<string:code>/diff")
class FlowDiff(MethodView):
    @blp.arguments(DiffArgsSchema(), location="query")
    @blp.response(200, DiffSchema)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """What changed between two versions: elements added, removed and changed (with the aspects)"""
        old, new, diff = diff_flow_versions(ctx(), code, args.get("from_"), args.get("to"))
        return {"bundle": code, "from_": old, "to": new, **diff.to_dict()}


def _move_view(move: CaseMove) -> dict[str, Any]:
    return {"case": move.number, "status": move.status, "from_version": move.from_version,
            "can_move": move.can_move, "blockers": move.blockers, "missing_tasks": move.missing_tasks,
            "reason_zh": move.reason_zh}


@blp.route("/<string:code>/migration")
class FlowMigration(MethodView):
    @blp.arguments(MigrationArgsSchema(), location="query")
    @blp.response(200, MigrationReportSchema)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """For each running case on another version: can it move to the target version, and if not, why"""
        report = migration_report(ctx(), code, args.get("to"))
        return {"bundle": code, "to": report.to_version, "cases": [_move_view(m) for m in report.cases]}

    @blp.arguments(MigrateSchema())
    @blp.response(200, MigrationResultSchema)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """Move the running cases that can (or those named) to the target version, each in its own
        transaction, with a CaseMigrated event (audited)"""
        result = migrate_cases(MigrateCases(code, body.get("to"), body.get("cases"), current_actor()), ctx())
        return {"bundle": code, "to": result.to_version, "moved": [_move_view(m) for m in result.moved],
                "refused": [_move_view(m) for m in result.refused]}
