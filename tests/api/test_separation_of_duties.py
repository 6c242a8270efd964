"""An administrator holds no case role: creating, changing or seeding a user that would combine
them is refused (422), and nothing changes."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

import pytest

from engine.bootstrap import OneThingEngine, Settings, UnsafeConfiguration, build_engine
from engine.domain.access import CASE_ROLES, Role
from engine.domain.errors import InvalidInput
from engine.domain.model import SYSTEM
from engine.domain.records import UserRecord
from engine.services.accounts import CreateUser, create_user, demo_users
from tests.conftest import ADMIN, PERSONAS, FakeClock


@pytest.mark.parametrize(("department", "roles"), [
    ("xf", ["admin", "reviewer"]), ("xf", ["admin", "head"]), ("office", ["admin", "supervisor"]),
    ("window", ["admin", "clerk"]),
])
def test_creating_an_administrator_with_a_case_role_is_refused(client: Any, department: str,
                                                              roles: list[str]) -> None:
    before = client.get("/api/users", headers=ADMIN).json
    response = client.post("/api/users", headers=ADMIN, json={
        "login": "two.hats", "name": "两顶帽子", "department": department, "roles": roles, "password": "long-enough-1"})
    assert response.status_code == 422, response.json
    assert "职责分离" in response.json["errors"]["roles"][0]
    assert client.get("/api/users", headers=ADMIN).json == before


def test_giving_an_administrator_a_case_role_or_a_case_worker_the_admin_role_is_refused(client: Any) -> None:
    supervisor = PERSONAS["supervisor"][0]
    admin = PERSONAS["admin"][0]
    for login, roles in ((supervisor, ["supervisor", "admin"]), (admin, ["admin", "supervisor"])):
        before = client.get(f"/api/users/{login}", headers=ADMIN).json
        response = client.patch(f"/api/users/{login}", headers=ADMIN, json={"roles": roles})
        assert response.status_code == 422, response.json
        assert "roles" in response.json["errors"] and response.json["message_zh"]
        assert client.get(f"/api/users/{login}", headers=ADMIN).json == before
    # Either role alone is still fine.
    assert client.patch(f"/api/users/{supervisor}", headers=ADMIN, json={"roles": ["supervisor"]}).status_code == 200


def test_no_seeding_path_combines_them(engine: OneThingEngine) -> None:
    for user in demo_users(engine.ctx):
        assert not (Role.ADMIN in user.roles and any(r in user.roles for r in CASE_ROLES)), user
    with pytest.raises(InvalidInput) as refused:
        create_user(CreateUser("seeded.both", "种子", "office", ["admin", "supervisor"], "long-enough-1", SYSTEM),
                    engine.ctx)
    assert "roles" in refused.value.field_errors


def test_production_refuses_to_start_while_a_stored_user_combines_them(db_url: str, clock: FakeClock) -> None:
    """A combination stored before the rule existed (written here straight to the table)."""
    dev_settings = Settings(database_url=db_url, clock=clock, password_strength="fast", deploy_shipped=False)
    dev = build_engine(dev_settings)
    with dev.ctx.uow(True) as uow:
        uow.users.add(UserRecord(id=0, login="old.both", name="旧账号", department="office",
                                 roles=["admin", "supervisor"], password_hash="-", active=True, demo=False,
                                 created_at=clock(), updated_at=clock()))
        uow.commit()
    dev.db.dispose()
    production = replace(dev_settings, production=True, secret_key=secrets.token_urlsafe(48),
                         audit_key=secrets.token_urlsafe(48))
    with pytest.raises(UnsafeConfiguration, match=r"old\.both"):
        build_engine(production)
