"""网上申请 and 网上预审 over HTTP: the applicant's drafts and submissions; the window's 预审 queue,
where an online application is accepted (the case starts) or returned once with what to fix."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor, current_principal
from api.cases import ctx
from api.schemas import ApplicantSchema
from engine.domain.notifications import OnlineApplication
from engine.services.online_applications import (
    SaveApplication,
    accept_application,
    my_applications,
    return_application,
    save_application,
    submit_application,
    waiting_applications,
)

mine = Blueprint("applications", __name__, url_prefix="/api/applicant/applications",
                 description="网上申请（申请人）：保存草稿、提交网上预审、按退回意见修改后再提交")
window = Blueprint("online_applications", __name__, url_prefix="/api/online-applications",
                   description="网上预审（综合窗口）：受理网上申请（办件开始计时）或一次性告知后退回")


class ApplicationSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64))
    applicant = fields.Nested(ApplicantSchema, required=True)
    form = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict)
    materials = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                            values=fields.String(validate=validate.Length(max=16)), load_default=dict)


class ReturnSchema(Schema):
    notice = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "一次性告知：需要修改或补充的全部内容"})


def view(a: OnlineApplication, with_age: bool = False, now: Any = None) -> dict[str, Any]:
    found = {"id": a.id, "bundle": a.bundle_code, "status": str(a.status), "applicant": a.applicant, "form": a.form,
             "materials": a.materials, "notice": a.notice, "case_number": a.case_number,
             "updated_at": a.updated_at.isoformat(),
             "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None}
    if with_age and a.submitted_at is not None:
        found["waiting_minutes"] = int((now - a.submitted_at).total_seconds() // 60)
    return found


def _save(body: dict[str, Any], application_id: int | None) -> dict[str, Any]:
    return view(save_application(ctx(), current_principal(), SaveApplication(
        body["bundle"], body["applicant"], body["form"], body["materials"], application_id)))


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


@mine.route("/<int:application_id>")
class MyApplication(MethodView):
    @mine.arguments(ApplicationSchema())
    @mine.response(200)
    def put(self, body: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Change a draft, or a returned application"""
        return _save(body, application_id)


@mine.route("/<int:application_id>/submit")
class SubmitApplication(MethodView):
    @mine.response(200)
    def post(self, application_id: int) -> dict[str, Any]:
        """Submit to 网上预审"""
        return view(submit_application(ctx(), current_principal(), application_id))


@window.route("")
class WaitingApplications(MethodView):
    @window.response(200)
    def get(self) -> dict[str, Any]:
        """Online applications waiting for 预审, oldest first, with how long each has waited"""
        now = ctx().clock()
        return {"applications": [view(a, True, now) for a in waiting_applications(ctx())]}


@window.route("/<int:application_id>/accept")
class AcceptApplication(MethodView):
    @window.response(201)
    def post(self, application_id: int) -> dict[str, Any]:
        """预审 passed: the case starts (channel online); answers its number"""
        return {"case_number": accept_application(ctx(), application_id, current_actor())}


@window.route("/<int:application_id>/return")
class ReturnApplication(MethodView):
    @window.arguments(ReturnSchema())
    @window.response(200)
    def post(self, body: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Return it once with everything to fix (一次性告知); the applicant is told"""
        return view(return_application(ctx(), application_id, current_actor(), body["notice"]))
