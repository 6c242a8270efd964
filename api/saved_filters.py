"""Saved filters (常用查询): a person's own named conditions for the case list and the inbox."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_principal
from api.cases import ctx
from engine.domain.saved_filters import NAME_MAX, PAGE_PARAMETERS, VALUE_MAX, SavedFilter
from engine.services.saved_filters import SaveFilter, delete_saved_filter, list_saved_filters, save_filter

blp = Blueprint("saved_filters", __name__, url_prefix="/api/saved-filters",
                description="常用查询：本人为办件查询和部门待办保存的查询条件")

_PAGE = validate.OneOf(sorted(PAGE_PARAMETERS), error="页面只能是 办件查询（cases）或部门待办（inbox）")


class SavedFilterArgsSchema(Schema):
    page = fields.String(required=True, validate=_PAGE, error_messages={"required": "请指明页面：cases 或 inbox"},
                         metadata={"description": "cases 办件查询 / inbox 部门待办"})


class NewSavedFilterSchema(Schema):
    page = fields.String(required=True, validate=_PAGE, error_messages={"required": "请指明页面：cases 或 inbox"},
                         metadata={"description": "cases 办件查询 / inbox 部门待办"})
    name = fields.String(required=True, validate=validate.Length(
        min=1, max=NAME_MAX, error=f"名称长度须为 1 至 {NAME_MAX} 个字符"),
        error_messages={"required": "请填写名称", "invalid": "名称须为文字"})
    query = fields.Dict(keys=fields.String(validate=validate.Length(max=32)), values=fields.String(
        validate=validate.Length(max=VALUE_MAX, error=f"每个查询条件不能超过 {VALUE_MAX} 个字符")),
        load_default=dict, validate=validate.Length(max=16, error="查询条件过多"),
        error_messages={"invalid": "查询条件须为“参数名: 值”的对象"},
        metadata={"description": "该页面的查询参数，例如 {\"status\": \"in_review\", \"sort\": \"number\"}"})


class SavedFilterSchema(Schema):
    id = fields.Integer()
    page = fields.String()
    name = fields.String()
    query = fields.Dict(keys=fields.String(), values=fields.String())
    created_at = fields.DateTime()


def _view(saved: SavedFilter) -> dict[str, Any]:
    return {"id": saved.id, "page": saved.page, "name": saved.name, "query": saved.query,
            "created_at": saved.created_at}


@blp.route("")
class SavedFilters(MethodView):
    @blp.arguments(SavedFilterArgsSchema(), location="query")
    @blp.response(200, SavedFilterSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Your saved filters for a page, in the order you saved them"""
        return [_view(f) for f in list_saved_filters(ctx(), current_principal(), args["page"])]

    @blp.arguments(NewSavedFilterSchema())
    @blp.response(201, SavedFilterSchema)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Save the current conditions under a name (at most 20 per page; a name used already: 409)"""
        saved = save_filter(SaveFilter(current_principal(), body["page"], body["name"], body["query"]), ctx())
        return _view(saved), 201


@blp.route("/<id:filter_id>")
class SavedFilterById(MethodView):
    @blp.response(204)
    def delete(self, filter_id: int) -> tuple[str, int]:
        """Delete one of your saved filters (another person's answers 404, as a missing one)"""
        delete_saved_filter(ctx(), current_principal(), filter_id)
        return "", 204
