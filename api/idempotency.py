"""What a state-changing request says about itself beyond its body: its Idempotency-Key."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import abort

from api.access import current_principal
from engine.services.transactions import RequestKey


def request_key(body: Any = None) -> RequestKey | None:
    """The request's Idempotency-Key, fingerprinted with who sent what where: the same key sent
    again by someone else, or with another body, is refused instead of replayed."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        abort(400, message="Idempotency-Key must be 1 to 200 printable characters (no control character)")
    return RequestKey.of(key, request.method, request.path, {"user": current_principal().login, "body": body})
