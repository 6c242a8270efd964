"""Staff at a service point, made through the administrator's API and signed in: a township's clerk,
a county's reviewer (department ``wj@hongqi``), a hall's agent."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN, PASSWORD, bearer


def staff_at(client: Any, login: str, department: str, roles: list[str], point: str | None = None,
             name: str = "服务点人员") -> dict[str, str]:
    made = client.post("/api/users", headers=ADMIN, json={
        "login": login, "name": name, "department": department, "roles": roles, "password": PASSWORD,
        "service_point": point})
    assert made.status_code == 201, made.json
    signed_in = client.post("/api/auth/login", json={"login": login, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.json
    return bearer(signed_in.json["token"])
