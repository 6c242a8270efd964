"""The materials of a case as files (一套材料): the window uploads scans, the departments read those
of their items' materials, page by page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from api.access import current_actor, current_principal
from api.cases import ctx
from engine.domain.documents import MaterialFile
from engine.domain.errors import InvalidInput, NotFound, TooLarge
from engine.domain.notices import NOTICE_TITLES, NoticeKind
from engine.services.catalogue import get_bundle_catalogue
from engine.services.documents import (
    PAGE_WIDTHS,
    CaseFiles,
    Upload,
    UploadMaterialFiles,
    list_case_files,
    list_file_reads,
    read_case_file,
    upload_material_files,
)
from engine.services.notices import case_notice_pdf

blp = Blueprint("documents", __name__, url_prefix="/api/cases",
                description="材料文件：窗口上传扫描件（一套材料），审批部门在线查阅其事项所需材料")

UPLOAD_DOC = {
    "required": True,
    "description": ("JPEG、PNG 图片或 PDF：multipart 的 file 字段（可多个，每个为一页或一份），"
                    "或整个请求体为一个文件（文件名放在 filename 参数）。类型按文件内容判断，不看文件名"),
    "content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}


class UploadArgsSchema(Schema):
    filename = fields.String(validate=validate.Length(max=200),
                             metadata={"description": "请求体为单个文件时的原文件名（仅用于显示）"})


class PageArgsSchema(Schema):
    width = fields.Integer(load_default=PAGE_WIDTHS[1], validate=validate.OneOf(PAGE_WIDTHS),
                           metadata={"description": f"页面图像宽度（像素）：{PAGE_WIDTHS[0]} 为缩略图"})


def _file_view(f: MaterialFile, readable: bool, case_ref: str) -> dict[str, Any]:
    view: dict[str, Any] = {"id": f.id, "part": f.part, "media_type": str(f.media_type), "size": f.size,
                            "pages": f.pages, "sha256": f.sha256}
    if readable:  # the name may carry personal data: only for whoever may open the file
        view.update(filename=f.filename, url=f"/api/cases/{case_ref}/files/{f.id}",
                    page_url=f"/api/cases/{case_ref}/files/{f.id}/pages/{{page}}")
    return view


def files_view(found: CaseFiles, names: dict[str, str]) -> dict[str, Any]:
    """The case's files grouped by material and version, newest version first."""
    ref = found.case.number
    materials: dict[str, dict[int, list[MaterialFile]]] = {}
    for f in found.files:
        materials.setdefault(f.material_key, {}).setdefault(f.version, []).append(f)
    return {"case": ref, "materials": [{
        "material": key, "name": names.get(key, key), "readable": key in found.readable,
        "versions": [{
            "version": version, "stage": str(files[0].stage), "uploaded_by": files[0].uploaded_by,
            "uploaded_at": files[0].uploaded_at.isoformat(),
            "files": [_file_view(f, key in found.readable, ref) for f in files],
        } for version, files in sorted(versions.items(), reverse=True)],
    } for key, versions in sorted(materials.items())]}


def _material_names(bundle_code: str) -> dict[str, str]:
    catalogue = get_bundle_catalogue(ctx(), bundle_code)
    return {e.key: e.name for e in catalogue.checklist().entries}


def read_uploads(filename: str | None) -> tuple[Upload, ...]:
    limits = ctx().upload_limits
    request.max_content_length = min(limits.max_case_bytes, limits.max_file_bytes * limits.max_files_per_upload)
    try:
        if request.mimetype == "multipart/form-data":
            sent = request.files.getlist("file")
            if not sent:
                raise InvalidInput("send the files in the multipart field 'file'", "请在 file 字段中上传文件",
                                   {"file": ["必填"]})
            return tuple(Upload((s.filename or "")[:200], s.read(limits.max_file_bytes + 1)) for s in sent)
        return (Upload((filename or "")[:200], request.stream.read(limits.max_file_bytes + 1)),)
    except RequestEntityTooLarge:
        raise TooLarge("the upload is larger than allowed", "上传内容超过允许的大小",
                       {"file": [f"单个文件不超过 {limits.max_file_bytes // 1048576} MB"]}) from None


@blp.route("/<string:ref>/materials/<string:key>/files")
class MaterialFiles(MethodView):
    @blp.arguments(UploadArgsSchema(), location="query")
    @blp.doc(requestBody=UPLOAD_DOC)
    @blp.response(201)
    def post(self, args: dict[str, Any], ref: str, key: str) -> dict[str, Any]:
        """Upload a new version of one material's files (the old versions are kept)"""
        uploaded = upload_material_files(UploadMaterialFiles(ref, key, read_uploads(args.get("filename")),
                                                             current_actor()), ctx())
        first = uploaded.files[0]
        # Only the window uploads (case.materials), and the window opens every material's files.
        return {"material": key, "version": first.version, "stage": str(first.stage),
                "files": [_file_view(f, True, uploaded.case_number) for f in uploaded.files]}


@blp.route("/<string:ref>/files")
class CaseFileList(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """The files of the case's materials by version; a department opens those its items need"""
        found = list_case_files(ctx(), ref, current_principal())
        return files_view(found, _material_names(found.case.bundle_code))


def file_response(data: bytes, media_type: str, filename: str | None) -> Response:
    response = Response(data, mimetype=media_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    if filename is not None:
        response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


@blp.route("/<string:ref>/files/<id:file_id>")
class CaseFileContent(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, ref: str, file_id: int) -> Response:
        """The file as uploaded (the read is logged)"""
        found = read_case_file(ctx(), ref, file_id, current_principal(), current_actor())
        return file_response(found.data, found.media_type, found.file.filename)


@blp.route("/<string:ref>/files/<id:file_id>/pages/<int:page>")
class CaseFilePage(MethodView):
    @blp.arguments(PageArgsSchema(), location="query")
    @blp.response(200, content_type="image/png")
    def get(self, args: dict[str, Any], ref: str, file_id: int, page: int) -> Response:
        """One page of the file as a PNG image at the width asked (the read is logged)"""
        found = read_case_file(ctx(), ref, file_id, current_principal(), current_actor(), page, args["width"])
        return file_response(found.data, found.media_type, None)


@blp.route("/<string:ref>/file-reads")
class CaseFileReads(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """Every read of the case's files, newest first: who, department, which file, whole or a page, when"""
        case, reads = list_file_reads(ctx(), ref, current_principal())
        return {"case": case.number, "reads": [{
            "file": r["file_id"], "material": r["material"], "version": r["version"], "user": r["user"],
            "department": r["department"], "what": r["what"], "read_at": r["read_at"].isoformat()} for r in reads]}


@blp.route("/<string:ref>/notices/<string:kind>.pdf")
class CaseNoticePdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, ref: str, kind: str) -> Response:
        """An official notice of the case as a printable PDF: receipt (受理回执), one_time (一次性告知书),
        correction (补正告知书), tolerance (容缺受理承诺书), refusal (不予许可决定书), handover (统一出件清单)"""
        if kind not in set(NoticeKind):
            raise NotFound(f"no notice {kind!r}; one of {', '.join(NoticeKind)}",
                           f"没有这种文书：可选 {'、'.join(NOTICE_TITLES.values())}")
        notice, pdf = case_notice_pdf(ctx(), ref, NoticeKind(kind), current_principal())
        return pdf_response(pdf, f"{notice.title}-{notice.case_number}.pdf", "inline")


def pdf_response(pdf: bytes, filename: str, disposition: str) -> Response:
    """A generated document: never cached by a shared cache, named for the one who saves it."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
