"""办件查询 for applicants, without logging in: a case's progress by its number and the last six
characters of the applicant's ID number or credit code (the address the notices' QR codes lead to)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import client_address
from api.cases import ctx
from api.catalogue import guide_view
from engine.services.catalogue import get_bundle_catalogue
from engine.services.public_status import case_status
from engine.services.views import list_bundles

blp = Blueprint("public", __name__, url_prefix="/api/public",
                description="公开服务（无需登录）：一件事清单与办事指南（一次告知），办件查询（凭办件编号和证件号码后六位）")


class StatusArgsSchema(Schema):
    check = fields.String(required=True, validate=validate.Length(min=1, max=20),
                          metadata={"description": "申请人身份证件号码或统一社会信用代码的后六位"})


@blp.route("/case-status/<string:number>")
class CaseStatusView(MethodView):
    @blp.arguments(StatusArgsSchema(), location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any], number: str) -> dict[str, Any]:
        """A case's progress (no personal data); wrong checks are limited per address and per case"""
        found = case_status(ctx(), number, args["check"], client_address())
        return {"number": found.number, "bundle": found.bundle, "status": found.status, "state": found.state,
                "accepted_on": found.accepted_on.isoformat(),
                "due_on": found.due_on.isoformat() if found.due_on else None,
                "closed_on": found.closed_on.isoformat() if found.closed_on else None,
                "departments": [{"name": d.name, "items": [{"name": n, "state": s} for n, s in d.items]}
                                for d in found.departments]}



@blp.route("/bundles")
class PublicBundles(MethodView):
    @blp.response(200)
    def get(self) -> list[dict[str, Any]]:
        """The bundles one can apply for: each with its departments and items (no flow internals)"""
        found = []
        for view in list_bundles(ctx()):
            bundle = view.bundle
            if view.record.deployed_version_id is None:
                continue
            found.append({"code": bundle.code, "name": bundle.name, "items": [i.name for i in bundle.items],
                          "departments": sorted({bundle.department_name(i.department) for i in bundle.items}),
                          "promised_days": max((i.promised_days or 0 for i in bundle.items), default=0)})
        return found


@blp.route("/bundles/<string:code>/guide")
class PublicGuide(MethodView):
    @blp.response(200)
    def get(self, code: str) -> dict[str, Any]:
        """A bundle's complete guide (一次告知): items, departments, limits, fees, materials, the form"""
        return guide_view(get_bundle_catalogue(ctx(), code, deployed=True))
