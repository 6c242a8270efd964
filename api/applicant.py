"""The applicant's own channel (网上办事, issue 26): sign in by mobile number and a one-time code,
then read one's own cases — progress by department, what to correct, the tolerated materials due,
refusals — and one's in-app messages."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import client_address, current_principal
from api.account_schemas import LoginAnswerSchema
from api.auth import session_answer
from api.cases import ctx
from engine.domain.model import CaseStatus
from engine.services.applicant_cases import my_case, my_cases
from engine.services.applicant_login import send_login_code, sign_in_with_code
from engine.services.notifications import inbox
from engine.services.public_status import CASE_STATES

blp = Blueprint("applicant", __name__, url_prefix="/api/applicant",
                description="申请人（网上办事）：手机号验证码登录，查看本人的办件、待办事项和站内消息")


class CodeSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={"description": "手机号码"})


class SignInSchema(CodeSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=10),
                         metadata={"description": "短信验证码（6 位数字）"})


@blp.route("/login-code")
class LoginCode(MethodView):
    @blp.arguments(CodeSchema())
    @blp.response(202)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send a one-time sign-in code to the mobile number (once a minute, five an hour)"""
        sent = send_login_code(ctx(), body["phone"], client_address())
        return {"phone": sent.phone, "expires_in_minutes": sent.expires_in_minutes,
                "resend_after_seconds": sent.resend_after_seconds}


@blp.route("/login")
class ApplicantLogin(MethodView):
    @blp.arguments(SignInSchema())
    @blp.response(200, LoginAnswerSchema)
    def post(self, body: dict[str, Any]) -> Response:
        """Sign in with the code: the first sign-in makes the applicant's account"""
        return session_answer(sign_in_with_code(ctx(), body["phone"], body["code"], client_address()))


@blp.route("/cases")
class MyCases(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The signed-in applicant's cases (those their application gave this mobile number for), newest first"""
        found = my_cases(ctx(), current_principal())
        return {"cases": [{"number": c.number, "bundle": c.bundle_code, "status": c.status,
                           "state": CASE_STATES.get(CaseStatus(c.status), c.status),
                           "accepted_at": c.accepted_at.isoformat(),
                           "due_on": c.due_on.isoformat() if c.due_on else None} for c in found]}


@blp.route("/cases/<string:number>")
class MyCase(MethodView):
    @blp.response(200)
    def get(self, number: str) -> dict[str, Any]:
        """One of the applicant's cases: progress by department, what to do, refusals"""
        found = my_case(ctx(), current_principal(), number)
        p = found.progress
        return {"number": p.number, "bundle": p.bundle, "status": p.status, "state": p.state,
                "accepted_on": p.accepted_on.isoformat(), "due_on": p.due_on.isoformat() if p.due_on else None,
                "closed_on": p.closed_on.isoformat() if p.closed_on else None,
                "departments": [{"name": d.name, "items": [{"name": n, "state": s} for n, s in d.items]}
                                for d in p.departments],
                "to_do": [{"kind": t.kind, "title": t.title, "reason": t.reason, "due": t.due,
                           "materials": [{"name": n, "note": note} for n, note in t.materials]} for t in found.to_do],
                "refusals": [{"item": item, "reason": reason} for item, reason in found.refusals]}


@blp.route("/messages")
class MyMessages(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The applicant's in-app messages, newest first"""
        return {"messages": [{"kind": m.kind, "title": m.title, "text": m.text, "at": m.at.isoformat()}
                             for m in inbox(ctx(), current_principal().login)]}
