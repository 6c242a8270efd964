"""网上申请 and 网上预审 over HTTP: the applicant's drafts and submissions; the window's 预审 queue,
where an online application is accepted (the case starts) or returned once with what to fix."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor, current_principal
from api.cases import ctx
from api.documents import UPLOAD_DOC, UploadArgsSchema, file_response, read_uploads
from api.schemas import ApplicantSchema
from engine.domain.applicant_channel import COMMITMENT_TEXT, ApplicationFile
from engine.domain.notifications import OnlineApplication
from engine.services.applicant_prefill import prefill_for_me
from engine.services.application_files import application_files, read_application_file, upload_application_files
from engine.services.online_applications import (
    SaveApplication,
    accept_application,
    my_applications,
    return_application,
    save_application,
    submit_application,
    waiting_applications,
)

MINE, WINDOW = "/api/applicant/applications", "/api/online-applications"
mine = Blueprint("applications", __name__, url_prefix=MINE,
                 description="网上申请（申请人）：保存草稿、提交网上预审、按退回意见修改后再提交")
window = Blueprint("online_applications", __name__, url_prefix=WINDOW,
                   description="网上预审（综合窗口）：受理网上申请（办件开始计时）或一次性告知后退回")


class ApplicationSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant = fields.Nested(ApplicantSchema, required=True)
    form = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict)
    materials = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                            values=fields.String(validate=validate.Length(max=16)), load_default=dict)
    delivery = fields.String(validate=validate.Length(max=16), load_default=None, allow_none=True,
                             metadata={"description": "领取方式：online（电子证照）、mail（邮寄）、window（窗口领取）"})
    address = fields.String(validate=validate.Length(max=200), load_default="",
                            metadata={"description": "邮寄时的收件地址、收件人和电话"})
    on_behalf = fields.Boolean(load_default=False, metadata={
        "description": "代他人申请（委托代办）：申请人信息为委托人的，手机号码填委托人本人的"})


class PrefillArgsSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))


class SubmitSchema(Schema):
    signed_by = fields.String(validate=validate.Length(max=100), load_default="",
                              metadata={"description": "以告知承诺代替材料时，申请人签署承诺书的姓名"})


class ReturnSchema(Schema):
    notice = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "一次性告知：需要修改或补充的全部内容"})


def view(a: OnlineApplication, with_age: bool = False, now: Any = None) -> dict[str, Any]:
    found = {"id": a.id, "bundle": a.bundle_code, "status": str(a.status), "applicant": a.applicant, "form": a.form,
             "materials": a.materials, "notice": a.notice, "case_number": a.case_number,
             "delivery": a.delivery, "commitment": a.commitment, "commitment_text": COMMITMENT_TEXT,
             "on_behalf": a.on_behalf,
             "updated_at": a.updated_at.isoformat(),
             "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None}
    if with_age and a.submitted_at is not None:
        found["waiting_minutes"] = int((now - a.submitted_at).total_seconds() // 60)
    return found


def _save(body: dict[str, Any], application_id: int | None) -> dict[str, Any]:
    return view(save_application(ctx(), current_principal(), SaveApplication(
        body["bundle"], body["applicant"], body["form"], body["materials"], application_id,
        body["delivery"], body["address"], body["on_behalf"])))


@mine.route("")
class MyApplications(MethodView):
    @mine.response(200)
    def get(self) -> dict[str, Any]:
        """The applicant's online applications, newest first"""
        return {"applications": [view(a) for a in my_applications(ctx(), current_principal())]}

    @mine.arguments(ApplicationSchema())
    @mine.response(201)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Save a new draft (the same unified form and checklist as at the window)"""
        return _save(body, None)


@mine.route("/prefill")
class MyPrefillView(MethodView):
    @mine.arguments(PrefillArgsSchema(), location="query")
    @mine.response(200)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The form pre-filled from the registries, for an applicant whose identity the unified identity
        service verified (each lookup audited); nothing for one signed in by SMS code alone"""
        found = prefill_for_me(ctx(), current_principal(), args["bundle"])
        return {"verified": found.id_number is not None, "id_number": found.id_number,
                "prefilled": {k: {"value": p.value, "label": p.label, "origin": p.origin}
                              for k, p in found.prefilled.items()}}


@mine.route("/<id:application_id>")
class MyApplication(MethodView):
    @mine.arguments(ApplicationSchema())
    @mine.response(200)
    def put(self, body: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Change a draft, or a returned application"""
        return _save(body, application_id)


@mine.route("/<id:application_id>/submit")
class SubmitApplication(MethodView):
    @mine.arguments(SubmitSchema())
    @mine.response(200)
    def post(self, body: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Submit to 网上预审; materials replaced by a commitment need it signed (signed_by)"""
        return view(submit_application(ctx(), current_principal(), application_id, body["signed_by"]))


def files_view(application_id: int, files: list[ApplicationFile], base: str) -> dict[str, Any]:
    by_material: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        by_material.setdefault(f.material_key, []).append({
            "id": f.id, "part": f.part, "filename": f.filename, "media_type": str(f.media_type), "size": f.size,
            "pages": f.pages, "uploaded_at": f.uploaded_at.isoformat(), "url": f"{base}/{application_id}/files/{f.id}"})
    return {"application": application_id, "materials": by_material}


@mine.route("/<id:application_id>/materials/<string:key>/files")
class MyApplicationUpload(MethodView):
    @mine.arguments(UploadArgsSchema(), location="query")
    @mine.doc(requestBody=UPLOAD_DOC)
    @mine.response(201)
    def post(self, args: dict[str, Any], application_id: int, key: str) -> dict[str, Any]:
        """Upload one material's scans (they replace that material's earlier files in the application)"""
        stored = upload_application_files(ctx(), current_principal(), application_id, key,
                                          read_uploads(args.get("filename")))
        return files_view(application_id, stored, MINE)


@mine.route("/<id:application_id>/files")
class MyApplicationFiles(MethodView):
    @mine.response(200)
    def get(self, application_id: int) -> dict[str, Any]:
        """The application's scans by material"""
        return files_view(application_id, application_files(ctx(), current_principal(), application_id), MINE)


@mine.route("/<id:application_id>/files/<id:file_id>")
class MyApplicationFile(MethodView):
    @mine.response(200, content_type="application/octet-stream")
    def get(self, application_id: int, file_id: int) -> Response:
        """One scan's bytes"""
        found = read_application_file(ctx(), current_principal(), application_id, file_id)
        return file_response(found.data, str(found.file.media_type), found.file.filename)


@window.route("")
class WaitingApplications(MethodView):
    @window.response(200)
    def get(self) -> dict[str, Any]:
        """Online applications waiting for 预审, oldest first, with how long each has waited"""
        now = ctx().clock()
        return {"applications": [view(a, True, now) for a in waiting_applications(ctx())]}


@window.route("/<id:application_id>/files")
class WaitingApplicationFiles(MethodView):
    @window.response(200)
    def get(self, application_id: int) -> dict[str, Any]:
        """The scans of a submitted application, by material, for 预审"""
        return files_view(application_id, application_files(ctx(), current_principal(), application_id), WINDOW)


@window.route("/<id:application_id>/files/<id:file_id>")
class WaitingApplicationFile(MethodView):
    @window.response(200, content_type="application/octet-stream")
    def get(self, application_id: int, file_id: int) -> Response:
        """One scan's bytes, for 预审"""
        found = read_application_file(ctx(), current_principal(), application_id, file_id)
        return file_response(found.data, str(found.file.media_type), found.file.filename)


@window.route("/<id:application_id>/accept")
class AcceptApplication(MethodView):
    @window.response(201)
    def post(self, application_id: int) -> dict[str, Any]:
        """预审 passed: the case starts (channel online); answers its number"""
        return {"case_number": accept_application(ctx(), application_id, current_actor())}


@window.route("/<id:application_id>/return")
class ReturnApplication(MethodView):
    @window.arguments(ReturnSchema())
    @window.response(200)
    def post(self, body: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Return it once with everything to fix (一次性告知); the applicant is told"""
        return view(return_application(ctx(), application_id, current_actor(), body["notice"]))
