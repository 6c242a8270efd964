"""The applicant's own cases (网上办事): progress by department, what to correct or supply — uploaded
and handed in online —, refusals, how the results should reach them, the e-licences to take and
download, and their rating of the service."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_principal
from api.cases import ctx
from api.documents import UPLOAD_DOC, UploadArgsSchema, pdf_response, read_uploads
from engine.domain.applicant_channel import DeliveryChoice, slot_label
from engine.domain.errors import NotFound
from engine.domain.model import CaseStatus
from engine.domain.notices import NOTICE_TITLES, NoticeKind
from engine.services.applicant_actions import (
    choose_delivery,
    collect_elicences,
    delivery_slots,
    my_delivery,
    rate_service,
    supply_correction_online,
    supply_tolerated_online,
    upload_my_files,
)
from engine.services.applicant_cases import MyCase, my_case, my_cases
from engine.services.notices import case_notice_pdf
from engine.services.public_status import CASE_STATES

blp = Blueprint("applicant_cases", __name__, url_prefix="/api/applicant/cases",
                description="申请人本人的办件：进度、网上补正和补交材料、选择领取方式、领取电子证照、评价")

MY_NOTICES = (NoticeKind.RECEIPT, NoticeKind.CORRECTION, NoticeKind.REFUSAL, NoticeKind.HANDOVER, NoticeKind.ELICENCES)


class CorrectionSchema(Schema):
    comment = fields.String(validate=validate.Length(max=500), load_default="",
                            metadata={"description": "给审批部门的说明（可不填）"})


class DeliverySchema(Schema):
    delivery = fields.String(required=True, validate=validate.Length(max=16),
                             metadata={"description": "online（电子证照）、mail（邮寄）或 window（窗口领取）"})
    address = fields.String(validate=validate.Length(max=200), load_default="",
                            metadata={"description": "邮寄：收件地址、收件人和电话"})
    slot = fields.String(validate=validate.Length(max=16), load_default="",
                         metadata={"description": "窗口领取：时段，如 2026-12-08 am（结果办结后可选）"})


class RatingSchema(Schema):
    rating = fields.Integer(required=True, strict=True, metadata={"description": "5 非常满意 … 1 非常不满意"})
    rating_comment = fields.String(validate=validate.Length(max=500), load_default="",
                                   metadata={"description": "意见；不满意、非常不满意时必填"})
    department = fields.String(validate=validate.Length(min=1, max=32), load_default=None,
                               metadata={"description": "所评价的承办部门（本办件的部门之一）；差评时由其整改"})


def delivery_view(choice: DeliveryChoice | None) -> dict[str, Any] | None:
    if choice is None:
        return None
    return {"delivery": str(choice.delivery), "address": choice.address, "slot": choice.slot,
            "slot_label": slot_label(choice.slot) if choice.slot else None,
            "chosen_at": choice.chosen_at.isoformat()}


def case_view(found: MyCase) -> dict[str, Any]:
    p = found.progress
    handed = found.handed_over
    return {
        "number": p.number, "bundle": p.bundle, "status": p.status, "state": p.state,
        "accepted_on": p.accepted_on.isoformat(), "due_on": p.due_on.isoformat() if p.due_on else None,
        "closed_on": p.closed_on.isoformat() if p.closed_on else None,
        "departments": [{"name": d.name, "items": [{"name": n, "state": s} for n, s in d.items]}
                        for d in p.departments],
        "to_do": [{"kind": t.kind, "item": t.item, "title": t.title, "reason": t.reason, "due": t.due,
                   "materials": [{"key": m.key, "name": m.name, "note": m.note, "uploaded": m.uploaded}
                                 for m in t.materials]} for t in found.to_do],
        "refusals": [{"item": item, "reason": reason} for item, reason in found.refusals],
        "delivery": delivery_view(found.delivery),
        "results_ready": found.results_ready,
        "handed_over": None if handed is None else {
            "delivery": handed.get("delivery"), "at": handed["at"].isoformat(),
            "tracking_number": handed.get("tracking_number")},
        "licences": [{"name": name, "number": number} for name, number in found.licences],
        "rating": None if found.rating is None else {"rating": found.rating.rating, "label": found.rating.label,
                                                     "comment": found.rating.comment},
        "notices": [kind.value for kind in _notices(found)],
    }


def _notices(found: MyCase) -> list[NoticeKind]:
    kinds = [NoticeKind.RECEIPT]
    if any(t.kind == "correction" for t in found.to_do):
        kinds.append(NoticeKind.CORRECTION)
    if found.refusals:
        kinds.append(NoticeKind.REFUSAL)
    if found.handed_over is not None:
        kinds.append(NoticeKind.HANDOVER)
        if found.licences:
            kinds.append(NoticeKind.ELICENCES)
    return kinds


def _mine(number: str) -> dict[str, Any]:
    return case_view(my_case(ctx(), current_principal(), number))


@blp.route("")
class MyCases(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """The signed-in applicant's cases (those their application gave this mobile number for), newest first"""
        found = my_cases(ctx(), current_principal())
        return {"cases": [{"number": c.number, "bundle": c.bundle_code, "status": c.status,
                           "state": CASE_STATES.get(CaseStatus(c.status), c.status),
                           "accepted_at": c.accepted_at.isoformat(),
                           "due_on": c.due_on.isoformat() if c.due_on else None} for c in found]}


@blp.route("/<string:number>")
class MyCaseView(MethodView):
    @blp.response(200)
    def get(self, number: str) -> dict[str, Any]:
        """One of the applicant's cases: progress, what to do, refusals, delivery, e-licences, rating"""
        return _mine(number)


@blp.route("/<string:number>/materials/<string:key>/files")
class MyCaseUpload(MethodView):
    @blp.arguments(UploadArgsSchema(), location="query")
    @blp.doc(requestBody=UPLOAD_DOC)
    @blp.response(201)
    def post(self, args: dict[str, Any], number: str, key: str) -> dict[str, Any]:
        """Upload the files of a material the case asks of the applicant (a correction, a tolerated one)"""
        uploaded = upload_my_files(ctx(), current_principal(), number, key, read_uploads(args.get("filename")))
        return {"material": key, "version": uploaded.files[0].version,
                "files": [{"filename": f.filename, "pages": f.pages, "size": f.size} for f in uploaded.files]}


@blp.route("/<string:number>/corrections/<string:item>")
class MyCorrection(MethodView):
    @blp.arguments(CorrectionSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], number: str, item: str) -> dict[str, Any]:
        """Hand in a correction online: its materials uploaded, the item goes back to its department"""
        supply_correction_online(ctx(), current_principal(), number, item, body["comment"])
        return _mine(number)


@blp.route("/<string:number>/supplements")
class MySupplements(MethodView):
    @blp.response(200)
    def post(self, number: str) -> dict[str, Any]:
        """Hand in the tolerated (容缺) materials uploaded online"""
        supply_tolerated_online(ctx(), current_principal(), number)
        return _mine(number)


@blp.route("/<string:number>/delivery")
class MyDelivery(MethodView):
    @blp.response(200)
    def get(self, number: str) -> dict[str, Any]:
        """The delivery chosen, and the pickup slots the window offers"""
        return {"delivery": delivery_view(my_delivery(ctx(), current_principal(), number)),
                "slots": [{"slot": s, "label": slot_label(s)} for s in delivery_slots(ctx())]}

    @blp.arguments(DeliverySchema())
    @blp.response(200)
    def put(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Choose how the results reach the applicant: an e-licence, mail to an address, or a pickup slot"""
        choice = choose_delivery(ctx(), current_principal(), number, body["delivery"], body["address"], body["slot"])
        return {"delivery": delivery_view(choice)}


@blp.route("/<string:number>/elicences")
class MyElicences(MethodView):
    @blp.response(200)
    def post(self, number: str) -> dict[str, Any]:
        """Take the results as e-licences into the applicant's account (the handover, done online)"""
        collect_elicences(ctx(), current_principal(), number)
        return _mine(number)


@blp.route("/<string:number>/rating")
class MyRating(MethodView):
    @blp.arguments(RatingSchema())
    @blp.response(201)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Rate the service (好差评) after the handover; once per case"""
        found = rate_service(ctx(), current_principal(), number, body["rating"], body["rating_comment"],
                             body["department"])
        return {"rating": found.rating, "label": found.label, "comment": found.comment}


@blp.route("/<string:number>/notices/<string:kind>.pdf")
class MyNotice(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, number: str, kind: str) -> Response:
        """A document of the case as PDF: receipt, correction, refusal, handover, elicences (电子证照)"""
        if kind not in {k.value for k in MY_NOTICES}:
            raise NotFound(f"no document {kind!r}; one of {', '.join(MY_NOTICES)}",
                           f"没有这种文书：可选 {'、'.join(NOTICE_TITLES[k] for k in MY_NOTICES)}")
        notice, pdf = case_notice_pdf(ctx(), number, NoticeKind(kind), current_principal())
        return pdf_response(pdf, f"{notice.title}-{notice.case_number}.pdf", "attachment")
