"""What the government holds about an applicant (the window's view before a case), and the bad
credit list that administrators keep (失信: no 容缺受理)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor
from api.cases import ctx
from engine.domain.records import CreditRecord, ELicenceRecord, HolderRecord
from engine.services.applicants import (
    LiftBadCredit,
    ListBadCredit,
    credit_history,
    get_applicant,
    lift_bad_credit,
    list_bad_credit,
)

blp = Blueprint("applicants", __name__, url_prefix="/api/applicants",
                description="申请人：共享身份数据、电子证照、失信记录")


class BadCreditSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500),
                           metadata={"description": "失信事由"})
    source = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"description": "来源，如 信用中国、虚假承诺核查"})


class LiftArgsSchema(Schema):
    reason = fields.String(validate=validate.Length(max=500),
                           metadata={"description": "信用修复的依据（记入审计事件）"})


def _holder(holder: HolderRecord | None) -> dict[str, Any] | None:
    if holder is None:
        return None
    return {"ref": holder.ref, "name": holder.name, "attributes": holder.attributes,
            "updated_at": holder.updated_at.isoformat()}


def _licence(licence: ELicenceRecord, subjects: tuple[str, ...]) -> dict[str, Any]:
    """``about_applicant``: the licence is about the applicant (or its linked enterprise or legal
    representative), so its cases reuse it; one it holds about someone else (a child) they do not."""
    return {"type": licence.type, "number": licence.number, "holder_kind": licence.holder_kind,
            "holder_ref": licence.holder_ref,
            "holder_name": licence.holder_name, "subject_kind": licence.subject_kind,
            "subject_ref": licence.subject_ref, "subject_name": licence.subject_name,
            "about_applicant": licence.subject_ref in subjects, "issuer": licence.issuer,
            "issued_at": licence.issued_at.isoformat(),
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
            "attributes": licence.attributes, "case_id": licence.case_id}


def _credit(record: CreditRecord) -> dict[str, Any]:
    return {"id": record.id, "ref": record.ref, "reason": record.reason, "source": record.source,
            "listed_by": record.listed_by, "listed_at": record.listed_at.isoformat(),
            "lifted_by": record.lifted_by, "lifted_at": record.lifted_at.isoformat() if record.lifted_at else None,
            "in_force": record.lifted_at is None}


@blp.route("/<string:ref>")
class Applicant(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> dict[str, Any]:
        """Shared identity data, the e-licences held or about the applicant (the newest valid one of
        each type and subject, each with whom it is about) and bad credit records in force, by
        resident ID number or unified social credit code"""
        found = get_applicant(ctx(), ref)
        data = found.data
        return {"ref": found.ref, "person": _holder(data.person), "enterprise": _holder(data.enterprise),
                "licences": [_licence(lic, data.subjects) for lic in data.licences],
                "bad_credit": [_credit(r) for r in data.bad_credit],
                "tolerance_allowed": not data.bad_credit}


@blp.route("/<string:ref>/credit")
class ApplicantCredit(MethodView):
    @blp.response(200)
    def get(self, ref: str) -> list[dict[str, Any]]:
        """Every bad credit record of the applicant, lifted ones included, newest first"""
        return [_credit(r) for r in credit_history(ctx(), ref)]

    @blp.arguments(BadCreditSchema())
    @blp.response(201)
    def post(self, body: dict[str, Any], ref: str) -> dict[str, Any]:
        """List the applicant as having a bad credit record: no 容缺受理 until it is lifted"""
        return _credit(list_bad_credit(ListBadCredit(ref, body["reason"], body["source"], current_actor()), ctx()))

    @blp.arguments(LiftArgsSchema(), location="query")
    @blp.response(200)
    def delete(self, args: dict[str, Any], ref: str) -> dict[str, int]:
        """Lift the applicant's bad credit records in force (信用修复), with the reason if given"""
        return {"lifted": lift_bad_credit(LiftBadCredit(ref, current_actor(), args.get("reason", "")), ctx())}
