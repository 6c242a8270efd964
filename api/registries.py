"""Shared data: the embedded registries administrators load (共享数据管理) and the audit of every
lookup supervisors read (数据调用留痕)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from api.access import current_actor
from api.cases import ctx
from engine.domain.errors import InvalidInput
from engine.domain.registries import KINDS, RegistryKind
from engine.domain.shared_data import LookupEntry, LookupFilter
from engine.services.registry_import import MODES, ImportRegistry, import_registry
from engine.services.shared_data_audit import list_lookups, lookup_volume, registry_counts, registry_imports
from forms.identifiers import mask_id

MAX_IMPORT_BYTES = 32 * 1024 * 1024
"""The largest registry file taken in one request (about 200,000 rows of a wide registry)."""

blp = Blueprint("registries", __name__, url_prefix="/api/registries",
                description="共享数据：人口库、法人库、不动产、社保、婚姻、出生等登记信息的导入（系统管理员）")
lookups = Blueprint("data_lookups", __name__, url_prefix="/api/data-lookups",
                    description="数据调用留痕：每次调用共享数据的人员、用途、对象与结果（效能监督）")

IMPORT_BODY_DOC = {
    "required": True,
    "description": ("CSV（UTF-8 或 GB18030，首行为列名或中文列标题）或 XLSX 工作簿："
                    "作为请求体，或 multipart 的 file 字段"),
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}}}},
    },
}


class ImportArgsSchema(Schema):
    mode = fields.String(load_default="merge", validate=validate.OneOf(MODES), metadata={
        "description": "merge：按记录编号增补或更新；replace：以文件为该类全部记录（文件中没有的删除）"})
    filename = fields.String(validate=validate.Length(max=200), metadata={"description": "原文件名（记入导入记录）"})


class LookupArgsSchema(Schema):
    user = fields.String(validate=validate.Length(max=64))
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)))
    case = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "办件 id 或办件编号"})
    draft = fields.String(validate=validate.Length(max=64))
    subject = fields.String(validate=validate.Length(max=32), metadata={"description": "被查询人的证件号码"})
    since = fields.Date(metadata={"description": "起始日期（含），北京时间"})
    until = fields.Date(metadata={"description": "截止日期（含），北京时间"})
    before = fields.Integer(validate=validate.Range(min=1), metadata={"description": "翻页：只列 id 小于此值的记录"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class VolumeArgsSchema(Schema):
    day = fields.Date(metadata={"description": "哪一天（北京时间），默认今天"})


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in Beijing: the days the audit's readers mean."""
    return datetime.combine(day, time(0), SHANGHAI)


@blp.route("")
class Registries(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """Every registry kind: its columns (the import format), how many records it holds, when it was last loaded"""
        counts = {c.kind: c for c in registry_counts(ctx())}

        def last_import(kind: str) -> str | None:
            at = counts[kind].last_import_at if kind in counts else None
            return at.isoformat() if at is not None else None

        return {"registries": [{
            "kind": kind.code, "name": kind.name, "record_name": kind.record_name, "key": kind.key,
            "subjects": list(kind.subjects),
            "columns": [{"key": c.key, "label": c.label, "type": c.type, "required": c.required,
                         "options": list(c.options)} for c in kind.columns],
            "records": counts[kind.code].records if kind.code in counts else 0,
            "last_import_at": last_import(kind.code),
        } for kind in KINDS.values()]}


@blp.route("/<string:kind>/imports")
class RegistryImports(MethodView):
    @blp.response(200)
    def get(self, kind: str) -> dict[str, Any]:
        """The files loaded into this registry, newest first, with the rows each refused and why"""
        return {"kind": kind, "imports": [_import_view(i) for i in registry_imports(ctx(), kind)]}

    @blp.arguments(ImportArgsSchema(), location="query")
    @blp.doc(requestBody=IMPORT_BODY_DOC)
    @blp.response(201)
    def post(self, args: dict[str, Any], kind: str) -> dict[str, Any]:
        """Load a CSV or XLSX file into the registry: each row checked, the valid ones written, the others
        reported with their line and reasons"""
        content, filename = _file_body(args.get("filename"))
        report = import_registry(ImportRegistry(kind, filename, content, current_actor(), args["mode"]), ctx())
        return asdict(report)


def _import_view(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "imported_at": row["imported_at"].isoformat()}


def _file_body(filename: str | None) -> tuple[bytes, str]:
    """The uploaded file and its name, read up to the import limit (the API's general limit is lower)."""
    request.max_content_length = MAX_IMPORT_BYTES
    try:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise InvalidInput("send the file in the multipart field 'file'", "请在 file 字段中上传文件",
                                   {"file": ["必填"]})
            data = upload.read(MAX_IMPORT_BYTES + 1)
            filename = filename or upload.filename or "upload"
        else:
            data = request.stream.read(MAX_IMPORT_BYTES + 1)
    except RequestEntityTooLarge:
        raise _too_large() from None
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_large()
    return data, filename or "upload"


def _too_large() -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"a registry file may hold at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it")


@lookups.route("")
class DataLookups(MethodView):
    @lookups.arguments(LookupArgsSchema(), location="query")
    @lookups.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lookups of shared data, newest first: who asked, for which case or intake, which registry, whom,
        what was asked and how much came back (counts, never the data)"""
        query = LookupFilter(
            user=args.get("user"), kind=args.get("kind"), draft=args.get("draft"),
            subject=args["subject"].strip().upper() if args.get("subject") else None,
            since=_day_start(args["since"]) if args.get("since") else None,
            until=_day_start(args["until"] + timedelta(days=1)) if args.get("until") else None,
            before_id=args.get("before"), limit=args["limit"])
        found, numbers = list_lookups(ctx(), query, args.get("case"))
        return {"lookups": [{**_lookup_view(e), "case_number": numbers.get(e.case_id or 0)} for e in found],
                "next_before": found[-1].id if len(found) == query.limit else None}


@lookups.route("/volume")
class LookupVolumes(MethodView):
    @lookups.arguments(VolumeArgsSchema(), location="query")
    @lookups.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lookups per user in one day (Beijing time), the unusual volumes flagged"""
        day = args.get("day") or ctx().clock().astimezone(SHANGHAI).date()
        threshold = current_app.extensions["onething"].settings.lookup_alert_per_day
        volumes, unusual = lookup_volume(ctx(), _day_start(day), _day_start(day + timedelta(days=1)), threshold)
        return {"day": day.isoformat(), "threshold": threshold, "users": [
            {"user": v.user, "lookups": v.lookups, "subjects": v.subjects,
             "last_at": v.last_at.isoformat() if v.last_at else None, "unusual": v.user in unusual}
            for v in volumes]}


def _lookup_view(entry: LookupEntry) -> dict[str, Any]:
    """The subject masked: the audit's readers supervise, they do not handle the applicant's case."""
    view = asdict(entry)
    view["occurred_at"] = entry.occurred_at.isoformat()
    view["case"] = view.pop("case_id")
    view["subject"] = mask_id(entry.subject)
    kind = KINDS.get(entry.kind)
    view["attribute_labels"] = [_label(kind, a) for a in entry.attributes]
    return view


def _label(kind: RegistryKind | None, attribute: str) -> str:
    """What an asked attribute is called (姓名), ``record`` being the record itself (a material it replaces)."""
    column = kind.column(attribute) if kind is not None else None
    return column.label if column is not None else "整条记录" if attribute == "record" else attribute
