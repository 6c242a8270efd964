"""The applicant's own channel (网上办事, issue 26): sign in by mobile number and a one-time code, and
read one's in-app messages (one's cases: ``api.applicant_cases``)."""

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
from engine.services.applicant_login import send_login_code, sign_in_with_code
from engine.services.notifications import inbox

blp = Blueprint("applicant", __name__, url_prefix="/api/applicant",
                description="申请人（网上办事）：手机号验证码登录，查看本人的办件、待办事项和站内消息")


class CodeSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={"description": "手机号码"})


class SignInSchema(CodeSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=10),
                         metadata={"description": "短信验证码（6 位数字）"})


@blp.route("/sign-in-methods")
class SignInMethods(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """How an applicant may sign in: an SMS code always; the unified identity service when configured"""
        provider = ctx().identity
        return {"sms": True, "oidc": None if provider is None else {"name": provider.name,
                                                                      "start": "/api/applicant/oidc/start"}}


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


@blp.route("/messages")
class MyMessages(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The applicant's in-app messages, newest first"""
        return {"messages": [{"kind": m.kind, "title": m.title, "text": m.text, "at": m.at.isoformat()}
                             for m in inbox(ctx(), current_principal().login)]}
