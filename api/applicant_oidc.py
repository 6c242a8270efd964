"""Signing applicants in through the province's unified identity service (统一身份认证) by OpenID
Connect: ``start`` sends the browser to the service with a fresh state, nonce and PKCE verifier (kept
in a signed, short-lived cookie), ``callback`` takes the code back, has it exchanged and the ID token
verified, and signs the applicant in — the same account as an SMS sign-in with that mobile number."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, current_app, make_response, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from itsdangerous import BadSignature, URLSafeTimedSerializer
from marshmallow import Schema, fields, validate

from api.access import client_address
from api.auth import set_session_cookies
from api.cases import ctx
from api.errors import STATUS_BY_ERROR
from engine.domain.errors import DomainError, InvalidInput, NotFound, Unauthenticated
from engine.domain.identity import IdentityProvider, IdentityRefused
from engine.services.applicant_login import sign_in_with_identity
from engine.services.transactions import Busy

blp = Blueprint("applicant_oidc", __name__, url_prefix="/api/applicant/oidc",
                description="申请人经省统一身份认证平台（OpenID Connect）登录")

STATE_COOKIE = "onething_oidc"
STATE_SECONDS = 600
"""How long the applicant has to sign in at the identity service."""


class StartArgsSchema(Schema):
    next = fields.String(load_default="/my", validate=validate.Length(max=200),
                         metadata={"description": "登录后回到的本站页面，如 /my 或 /apply/restaurant"})


class CallbackArgsSchema(Schema):
    code = fields.String(validate=validate.Length(max=2000))
    state = fields.String(validate=validate.Length(max=200))
    error = fields.String(validate=validate.Length(max=200))
    error_description = fields.String(validate=validate.Length(max=1000))


def _provider() -> IdentityProvider:
    provider = ctx().identity
    if provider is None:
        raise NotFound("no identity service is configured (ONETHING_OIDC_ISSUER)",
                       "本站未接入统一身份认证，请使用短信验证码登录")
    return provider


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.extensions["onething"].settings.secret_key, salt="applicant-oidc")


def _own_page(path: str) -> str:
    """Only a page of this site's applicant side to go back to: never another site."""
    return path if path.startswith(("/my", "/apply/", "/guide")) and "//" not in path else "/my"


def _redirect_uri() -> str:
    return url_for("applicant_oidc.OidcCallback", _external=True)


@blp.route("/start")
class OidcStart(MethodView):
    @blp.arguments(StartArgsSchema(), location="query")
    @blp.response(302)
    def get(self, args: dict[str, Any]) -> Response:
        """Send the applicant to the identity service to sign in"""
        provider = _provider()
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        try:
            url = provider.authorization_url(_redirect_uri(), state, nonce, verifier)
        except IdentityRefused as err:
            raise Busy(str(err), err.message_zh) from err
        response = make_response(redirect(url, 302))
        # Lax, not Strict: the identity service sends the browser back here from its own site.
        response.set_cookie(STATE_COOKIE, _signer().dumps([state, nonce, verifier, _own_page(args["next"])]),
                            max_age=STATE_SECONDS, httponly=True, samesite="Lax",
                            path=url_for("applicant_oidc.OidcCallback"),
                            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
        return response


def _signed_in(args: dict[str, Any]) -> tuple[Any, str]:
    """The token of the applicant the identity service vouched for, and where to go next."""
    try:
        state, nonce, verifier, next_page = _signer().loads(request.cookies.get(STATE_COOKIE, ""),
                                                             max_age=STATE_SECONDS)
    except BadSignature as err:
        raise InvalidInput("no sign-in was started here, or it took too long", "登录已过期或无效，请重新登录",
                           {"state": ["请从本站重新发起登录"]}) from err
    if args.get("error"):
        raise Unauthenticated(f"the identity service refused: {args['error']}",
                              "统一身份认证未通过或已取消，请重新登录")
    if not args.get("code") or not secrets.compare_digest(str(args.get("state", "")), str(state)):
        raise InvalidInput("the answer does not belong to the sign-in started here", "登录应答无效，请重新登录",
                           {"state": ["与发起的登录不符"]})
    try:
        identity = _provider().identity(args["code"], _redirect_uri(), verifier, nonce)
    except IdentityRefused as err:
        raise Unauthenticated(str(err), err.message_zh) from err
    return sign_in_with_identity(ctx(), identity, client_address()), next_page


@blp.route("/callback")
class OidcCallback(MethodView):
    @blp.arguments(CallbackArgsSchema(), location="query")
    @blp.response(200, content_type="text/html")
    def get(self, args: dict[str, Any]) -> Response:
        """Where the identity service returns the applicant: they are signed in and sent on"""
        # A browser lands here (it prefers HTML); any other client gets the API's error shape.
        html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
        try:
            issued, next_page = _signed_in(args)
        except DomainError as err:
            if not html:
                raise
            status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(err, cls)), 400)
            response = make_response(render_template("signin_result.html", ok=False, message=err.message_zh), status)
        else:
            # A page of our own, not a redirect: the Strict session cookie then travels with the
            # next request, which this site starts, not the identity service.
            response = make_response(render_template("signin_result.html", ok=True, next_page=next_page), 200)
            set_session_cookies(response, issued)
        response.delete_cookie(STATE_COOKIE, path=url_for("applicant_oidc.OidcCallback"))
        response.headers["Cache-Control"] = "no-store"
        return response
