"""Who is calling. Until login lands (issue 3) the caller names itself in headers:
``X-User``, ``X-Department`` (a department code, ``window`` for the comprehensive window) and
``X-Role``. State changes require them; reads do not yet."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask_smorest import abort

from engine.domain.model import Actor
from engine.services.transactions import RequestKey

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def current_actor() -> Actor:
    user = (request.headers.get("X-User") or "").strip()
    department = (request.headers.get("X-Department") or "").strip()
    role = (request.headers.get("X-Role") or "").strip()
    if not user or not department:
        abort(401, message="name yourself with the X-User and X-Department headers")
    if len(user) > 100 or not _CODE.match(department) or len(role) > 32:
        abort(400, message="X-User must be at most 100 characters and X-Department a department code")
    return Actor(user=user, department=department, role=role)


def request_key(body: Any = None) -> RequestKey | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 200:
        abort(400, message="Idempotency-Key must be 1 to 200 characters")
    return RequestKey.of(key, request.method, request.path, body)
