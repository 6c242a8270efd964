"""No text gets in that the database cannot hold: a NUL character (PostgreSQL's text and JSONB
refuse it, SQLite does not) or a lone UTF-16 surrogate (``"\\ud800"`` in JSON: no UTF-8 can encode
it). A case number, a task id or a form value holding one would fail in the database, or when the
answer is written, instead of being refused; so every request is checked before anything else
reads it: its path, its query values and a JSON body (a BPMN file is read as a stream by its own
endpoint, and its XML parser refuses both)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from engine.domain.errors import InvalidInput

_NUL_ESCAPE = b"\\u0000"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # a pair is fine: only decoding tells


def install(app: Flask) -> None:
    @app.before_request
    def _refuse_unstorable_text() -> None:
        where = _unstorable_text_in_request()
        if where is not None:
            raise InvalidInput(
                f"the request's {where} holds a NUL character (U+0000) or a lone surrogate (U+D800-U+DFFF), "
                "which no text may hold",
                "请求中含有空字符（U+0000）或无效的 Unicode 代理字符，无法处理",
                {f"_{where}": ["不得含有空字符或无效的 Unicode 字符"]})


def _unstorable_text_in_request() -> str | None:
    """Where the request holds text no database can store: "path", "query" or "body" (None:
    nowhere). The query is decoded by werkzeug, which replaces bytes that are no UTF-8."""
    if "\x00" in request.path:
        return "path"
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        return "query"
    if not request.is_json:
        return None
    body = request.get_data(cache=True)  # kept for the parser that reads it next
    if b"\x00" in body:
        return "body"
    if (_NUL_ESCAPE in body or _SURROGATE_ESCAPE.search(body)) and _holds_unstorable(body):
        return "body"
    return None


def _holds_unstorable(body: bytes) -> bool:
    """Whether a JSON body's strings, decoded, hold a NUL or a lone surrogate (an escaped
    backslash before "u0000" is neither); a body that is no JSON is the parser's to refuse."""
    try:
        return _any_unstorable(json.loads(body))
    except ValueError:
        return False


def _any_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value or not _encodable(value)
    if isinstance(value, dict):
        return any(_any_unstorable(k) or _any_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_unstorable(v) for v in value)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
