"""Bundles and their flow versions; the health check."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.cases import ctx
from api.presenters import bundle_view
from api.schemas import BundleSchema, HealthSchema
from engine.services import views

blp = Blueprint("bundles", __name__, url_prefix="/api/bundles", description="一件事及其流程版本")
health = Blueprint("health", __name__, description="运行状态")


@blp.route("")
class Bundles(MethodView):
    @blp.response(200, BundleSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Deployed bundles, their items and flow versions"""
        return [bundle_view(v) for v in views.list_bundles(ctx())]


@health.route("/healthz")
class Health(MethodView):
    @health.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """Liveness and database reachability"""
        views.list_bundles(ctx())
        return {"status": "ok", "database": "ok"}
