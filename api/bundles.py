"""Bundles and their flow versions; the health check."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor
from api.cases import ctx
from api.flow_schemas import FlowReportSchema
from api.flows import version_view
from api.presenters import bundle_view
from api.schemas import BundleSchema, FlowVersionSchema, HealthSchema
from engine.domain.bundle_composition import MAX_ITEMS, NewBundle
from engine.domain.catalogue_rules import SUBJECT_KINDS
from engine.services import views
from engine.services.bundle_authoring import CreateBundle, create_bundle

blp = Blueprint("bundles", __name__, url_prefix="/api/bundles", description="一件事及其流程版本")
health = Blueprint("health", __name__, description="运行状态")


class NewBundleSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "一件事编码：小写字母、数字、下划线，如 bakery"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=60),
                         metadata={"description": "名称，如“开办面包店一件事”"})
    number_prefix = fields.String(required=True, validate=validate.Length(min=1, max=4),
                                  metadata={"description": "办件编号前缀：2–4 位大写字母"})
    items = fields.List(fields.String(validate=validate.Length(min=1, max=40)), required=True,
                        validate=validate.Length(min=1, max=MAX_ITEMS, error=f"请选择 1 至 {MAX_ITEMS} 个事项"),
                        metadata={"description": "从目录中选择的事项编码（其他一件事的事项，如 cy.spjy）"})
    subject = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SUBJECT_KINDS),
                            metadata={"description": "办理对象；留空时取所选事项所在一件事的办理对象"})
    tolerance_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=3650),
                                    metadata={"description": "容缺补正期限（工作日）；留空时按事项时限取值"})


class CreatedBundleSchema(Schema):
    bundle = fields.Nested(BundleSchema)
    definition = fields.Dict(metadata={"description": "组合而成的一件事定义，可在目录管理中修改"})
    version = fields.Nested(FlowVersionSchema)
    report = fields.Nested(FlowReportSchema)


@blp.route("")
class Bundles(MethodView):
    @blp.response(200, BundleSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Bundles, their items and flow versions"""
        return [bundle_view(v) for v in views.list_bundles(ctx())]

    @blp.arguments(NewBundleSchema())
    @blp.response(201, CreatedBundleSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Create a bundle from the catalogue's items: its definition composed from the items chosen and its
        first flow version generated (not deployed: open it in the modeler, try it, deploy it)"""
        new = NewBundle(code=body["code"], name=body["name"], number_prefix=body["number_prefix"],
                        items=tuple(body["items"]), subject=body["subject"], tolerance_days=body["tolerance_days"])
        created = create_bundle(CreateBundle(new, current_actor()), ctx())
        view = next(v for v in views.list_bundles(ctx()) if v.record.code == created.bundle.code)
        return {"bundle": bundle_view(view), "definition": created.bundle.definition,
                "version": version_view(created.version, False), "report": created.report.to_dict()}, 201


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Liveness and database reachability, and how many bundles are deployed (503 when the
        database cannot be reached)"""
        return {"status": "ok", "database": "ok", "deployed_bundles": views.deployed_bundle_count(ctx())}
