"""Creating a user: every field the OpenAPI document calls required is checked before anything is stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN

NEW_USER = {"login": "new.reviewer", "name": "新审批", "department": "xf", "roles": ["reviewer"],
            "password": "a-long-password-1"}


@pytest.mark.parametrize("missing", ["login", "name", "department", "roles", "password"])
def test_a_user_without_a_required_field_is_422_and_not_created(client: Any, missing: str) -> None:
    body = {k: v for k, v in NEW_USER.items() if k != missing}
    answer = client.post("/api/users", headers=ADMIN, json=body)
    assert answer.status_code == 422, answer.json
    assert set(answer.json) >= {"code", "message", "message_zh", "errors"} and missing in answer.json["errors"]
    assert client.get("/api/users/new.reviewer", headers=ADMIN).status_code == 404


def test_roles_are_required_in_the_openapi_document_and_optional_in_a_change(client: Any) -> None:
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    assert "roles" in schemas["CreateUser"]["required"]
    assert "roles" not in schemas["UpdateUser"].get("required", [])
    created = client.post("/api/users", headers=ADMIN, json=NEW_USER)
    assert created.status_code == 201 and created.json["roles"] == ["reviewer"]
    changed = client.patch("/api/users/new.reviewer", headers=ADMIN, json={"name": "新名字"})
    assert changed.status_code == 200 and changed.json["roles"] == ["reviewer"]
