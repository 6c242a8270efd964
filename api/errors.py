"""One error shape for every failure: ``{"code", "message", "message_zh", "errors"}``.

An error may add members of its own beside those four (``DomainError.details``): a refused BPMN upload
adds ``problems``, the structured list of what is wrong with the file."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import Schema
from marshmallow import fields as ma
from werkzeug.exceptions import HTTPException, InternalServerError

from api.flow_schemas import FlowProblemSchema
from api.request_errors import errors_zh, summary_zh
from engine.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedMediaType,
)
from engine.services.transactions import Busy, database_unavailable

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    TooLarge: 413,
    UnsupportedMediaType: 415,
    NotFound: 404,
    Unauthenticated: 401,
    TooManyAttempts: 429,
    InvalidInput: 422,
    Forbidden: 403,
    Conflict: 409,
    IdempotencyKeyReused: 422,
    Busy: 503,
}

_ZH_BY_STATUS = {
    400: "请求格式错误",
    401: "请先登录",
    403: "无权执行此操作",
    404: "找不到请求的资源",
    405: "不支持该请求方法",
    409: "请求与当前状态冲突",
    413: "请求内容过大",
    415: "请求内容类型不受支持",
    422: "请求内容有误",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
}


class ErrorSchema(Schema):
    """Every error answer, as ``error_body`` writes it: the OpenAPI document's ``Error``."""

    code = ma.String(required=True, metadata={"description": "stable machine-readable code, e.g. not_found"})
    message = ma.String(required=True, metadata={"description": "what went wrong, in English"})
    message_zh = ma.String(required=True, metadata={"description": "what went wrong, in Chinese (shown to users)"})
    errors = ma.Dict(required=True, metadata={
        "description": "messages by field (nested as the request nests them); empty when no field is to blame"})
    problems = ma.List(ma.Nested(FlowProblemSchema), metadata={
        "description": "only when a BPMN flow is refused (code flow_refused): every problem found"})


def error_body(code: str, message: str, message_zh: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "message_zh": message_zh, "errors": errors or {}}


def _flatten(messages: Any) -> dict[str, Any]:
    """webargs nests field errors under the location (json, query...); callers want the fields."""
    if messages is None:  # a plain HTTP error (404, 413...): no field to blame
        return {}
    if not isinstance(messages, dict):
        return {"_request": messages}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[f"_{location}"] = fields
    return flat


def http_error_response(err: HTTPException) -> tuple[Response, int]:
    status = err.code or 500
    data = getattr(err, "data", None) or {}
    messages = data.get("messages")
    message = data.get("message") or err.description or err.name
    if status == 422 and messages:
        message = "the request has invalid or missing fields"
    elif status == 400 and messages:
        message = "the request body is not valid JSON"
    code = err.name.lower().replace(" ", "_").replace("'", "")
    fields = errors_zh(_flatten(messages))
    message_zh = _ZH_BY_STATUS.get(status, err.name)
    if status in (400, 422) and fields:
        message_zh = summary_zh(fields, message_zh)
    return jsonify(error_body(code, message, message_zh, fields)), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> tuple[Response, int]:
        status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(err, cls)), 400)
        body = error_body(err.code, err.message, err.message_zh, err.field_errors)
        body.update({k: v for k, v in err.details().items() if k not in body})  # the four members stay as they are
        response = jsonify(body)
        if isinstance(err, TooManyAttempts):
            response.headers["Retry-After"] = str(err.retry_after)
        if isinstance(err, Unauthenticated):
            response.headers["WWW-Authenticate"] = 'Bearer realm="onething"'
        return response, status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> tuple[Response, int]:
        return http_error_response(err)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> tuple[Response, int]:
        if database_unavailable(err):
            log.warning("database unavailable: %s", err)
            response = jsonify(error_body(
                "database_unavailable", "the database cannot be reached right now; please try again shortly",
                "数据库暂时无法连接，请稍后重试"))
            response.headers["Retry-After"] = "1"
            return response, 503
        log.exception("unhandled error", exc_info=err)
        return http_error_response(InternalServerError())
