"""Logging in and out, one's own tokens, user administration, and the audit trail."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, current_app, g, jsonify, make_response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.access import CSRF_COOKIE, SESSION_COOKIE, client_address, csrf_token_for, current_actor, current_principal
from api.account_schemas import (
    AuditEventArgsSchema,
    AuditEventSchema,
    AuditVerifyArgsSchema,
    AuditVerifySchema,
    CreateUserSchema,
    LoginAnswerSchema,
    LoginSchema,
    PrincipalSchema,
    RevokedSchema,
    TokenSchema,
    UpdateUserSchema,
    UserListArgsSchema,
    UserSchema,
)
from api.cases import ctx
from api.presenters import audit_event_view
from engine.domain.access import Principal
from engine.domain.records import UserRecord
from engine.services import accounts, audit, sessions

auth = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录、注销、本人的登录凭证")
users = Blueprint("users", __name__, url_prefix="/api/users", description="用户管理（系统管理员）")
audit_blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="审计：事件链校验")


def principal_view(p: Principal) -> dict[str, Any]:
    return {"login": p.login, "name": p.name, "department": p.department, "roles": sorted(p.roles),
            "service_point": p.service_point}


def user_view(user: UserRecord) -> dict[str, Any]:
    view = asdict(user)
    view.pop("password_hash")
    return view


def _cookie_flags() -> dict[str, Any]:
    """``Secure`` in production (``SESSION_COOKIE_SECURE``, set by ``create_app``)."""
    return {"secure": bool(current_app.config["SESSION_COOKIE_SECURE"]), "samesite": "Strict"}


@auth.route("/login")
class Login(MethodView):
    @auth.arguments(LoginSchema())
    @auth.response(200, LoginAnswerSchema)
    def post(self, body: dict[str, Any]) -> Response:
        """Log in with a password: answers a bearer token and sets the session cookie for the web"""
        issued = sessions.log_in(sessions.LogIn(body["login"], body["password"], client_address()), ctx())
        return session_answer(issued)


def session_answer(issued: sessions.IssuedToken) -> Response:
    """The answer to a sign-in: the bearer token, and the session and CSRF cookies for the web."""
    csrf = csrf_token_for(issued.record.id)
    response = make_response(jsonify({
        "token": issued.token, "token_id": issued.record.id, "expires_at": issued.record.expires_at.isoformat(),
        "csrf_token": csrf, "user": principal_view(issued.principal)}))
    return set_session_cookies(response, issued)


def set_session_cookies(response: Response, issued: sessions.IssuedToken) -> Response:
    """The session and CSRF cookies of a sign-in. The CSRF cookie is readable by the pages' script
    (it sends it back as a header); the session cookie is not. Strict: no other site's link or form
    carries them."""
    csrf = csrf_token_for(issued.record.id)
    response.set_cookie(SESSION_COOKIE, issued.token, expires=issued.record.expires_at, httponly=True,
                        **_cookie_flags())
    response.set_cookie(CSRF_COOKIE, csrf, expires=issued.record.expires_at, httponly=False, **_cookie_flags())
    return response


@auth.route("/logout")
class Logout(MethodView):
    @auth.response(204)
    def post(self) -> Response:
        """Log out: the token (and the session cookie) stop working at once"""
        sessions.revoke_token(ctx(), current_principal(), g.token_id, client_address())
        response = make_response("", 204)
        # With the same flags: a browser does not let an answer without Secure overwrite a Secure cookie.
        response.delete_cookie(SESSION_COOKIE, httponly=True, **_cookie_flags())
        response.delete_cookie(CSRF_COOKIE, **_cookie_flags())
        return response


@auth.route("/me")
class Me(MethodView):
    @auth.response(200, PrincipalSchema)
    def get(self) -> dict[str, Any]:
        """Who am I"""
        return principal_view(current_principal())


@auth.route("/tokens")
class Tokens(MethodView):
    @auth.response(200, TokenSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """My tokens (logins), newest first"""
        return [{**asdict(t), "current": t.id == g.token_id} for t in sessions.my_tokens(ctx(), current_principal())]


@auth.route("/tokens/<string:token_id>")
class TokenById(MethodView):
    @auth.response(204)
    def delete(self, token_id: str) -> tuple[str, int]:
        """Revoke one of my tokens (log out another device)"""
        sessions.revoke_token(ctx(), current_principal(), token_id, client_address())
        return "", 204


@users.route("")
class Users(MethodView):
    @users.arguments(UserListArgsSchema(), location="query")
    @users.response(200, UserSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Users, by department and login"""
        return [user_view(u) for u in accounts.list_users(ctx(), args.get("department"))]

    @users.arguments(CreateUserSchema())
    @users.response(201, UserSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Create a user"""
        user = accounts.create_user(accounts.CreateUser(
            body["login"], body["name"], body["department"], body["roles"], body["password"], current_actor(),
            service_point=body.get("service_point")), ctx())
        return user_view(user), 201


@users.route("/<string:login>")
class UserByLogin(MethodView):
    @users.response(200, UserSchema)
    def get(self, login: str) -> dict[str, Any]:
        """One user"""
        return user_view(accounts.get_user(ctx(), login))

    @users.arguments(UpdateUserSchema())
    @users.response(200, UserSchema)
    def patch(self, body: dict[str, Any], login: str) -> dict[str, Any]:
        """Change a user: name, department, roles, active, password (changing what a login allows revokes
        the user's tokens)"""
        return user_view(accounts.update_user(accounts.UpdateUser(login, body, current_actor()), ctx()))


@users.route("/<string:login>/tokens")
class UserTokens(MethodView):
    @users.response(200, RevokedSchema)
    def delete(self, login: str) -> dict[str, int]:
        """Revoke every token of a user (a lost device, a leaving employee)"""
        return {"revoked": accounts.revoke_user_tokens(login, current_actor(), ctx())}


@audit_blp.route("/verify")
class AuditVerify(MethodView):
    @audit_blp.arguments(AuditVerifyArgsSchema(), location="query")
    @audit_blp.response(200, AuditVerifySchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Verify every hash chain of the event log (``incremental``: those that grew since the last sound
        verification; ``case``: one case's chain); names the first broken link"""
        report = audit.verify_audit_chains(ctx(), incremental=args["incremental"], case=args.get("case"))
        return {"ok": report.ok, "chains": report.chains, "events": report.events,
                "broken": asdict(report.broken) if report.broken else None, "unkeyed": report.unkeyed,
                "disagreeing": report.disagreeing, "disagreements": [asdict(d) for d in report.disagreements],
                "files_checked": report.files_checked,
                "files_missing": [{"case": c, "sha256": d} for c, d in report.files_missing],
                "files_altered": [{"case": c, "sha256": d} for c, d in report.files_altered],
                "skipped": report.skipped}


@audit_blp.route("/events")
class AuditEvents(MethodView):
    @audit_blp.arguments(AuditEventArgsSchema(), location="query")
    @audit_blp.response(200, AuditEventSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Account and administration events (logins, users), oldest first; with ``before``, newest first"""
        found = audit.list_audit_events(ctx(), args["after"], args["limit"], args.get("before"))
        return [audit_event_view(e) for e in found]
