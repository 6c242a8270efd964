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
    def get(self) -> dict[str, Any]:
        """Liveness and database reachability, and how many bundles are deployed (503 when the
        database cannot be reached)"""
        return {"status": "ok", "database": "ok", "deployed_bundles": views.deployed_bundle_count(ctx())}
