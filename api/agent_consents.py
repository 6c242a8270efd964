"""An applicant's online consent to a service point's hall agents (申请人在线授权, 帮办代办) over HTTP:
grant one for a bundle, list them, withdraw one not yet used."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_principal
from api.cases import ctx
from engine.domain.hall import AgentConsent
from engine.services.agent_consents import grant_consent, my_consents, withdraw_consent
from engine.services.hall import service_points

blp = Blueprint("agent_consents", __name__, url_prefix="/api/applicant/agent-consents",
                description="申请人在线授权帮办代办：授权某服务点的帮办代办员代为办理一件事（7 天内、一件）")


class ConsentSchema(Schema):
    bundle = fields.String(required=True, validate=validate.Length(min=1, max=64),
                           metadata={"description": "一件事编码"})
    point = fields.String(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"description": "服务点编码"})


def consent_view(consent: AgentConsent, names: dict[str, str] | None = None) -> dict[str, Any]:
    state = ("used" if consent.case_number else "withdrawn" if consent.revoked_at else "granted")
    return {"id": consent.id, "bundle": consent.bundle_code, "point": consent.point,
            "point_name": (names or {}).get(consent.point, consent.point), "granted_at": consent.granted_at,
            "expires_at": consent.expires_at, "state": state, "case_number": consent.case_number}


def _names() -> dict[str, str]:
    return {code: p.name for code, p in service_points(ctx()).items()}


@blp.route("")
class MyConsents(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The applicant's consents to hall agents, newest first"""
        names = _names()
        return {"consents": [consent_view(c, names) for c in my_consents(ctx(), current_principal())]}

    @blp.arguments(ConsentSchema())
    @blp.response(201)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Consent that the hall agents of a service point apply for the applicant for a bundle (a week, one case)"""
        return consent_view(grant_consent(ctx(), current_principal(), body["bundle"], body["point"]), _names())


@blp.route("/<id:consent_id>")
class MyConsent(MethodView):
    @blp.response(200)
    def delete(self, consent_id: int) -> dict[str, Any]:
        """Withdraw a consent not yet used for a case"""
        return consent_view(withdraw_consent(ctx(), current_principal(), consent_id), _names())
