"""Logging in and out: passwords, tokens that expire and can be revoked, rate limits, the session
cookie and its CSRF token, and what production settings refuse."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from flask import session

from engine.bootstrap import OneThingEngine, Settings, UnsafeConfiguration, build_engine
from engine.services.accounts import seed_demo_users
from tests.conftest import ADMIN, PASSWORD, PERSONAS, FakeClock, bearer, case_body


def login(client: Any, who: str, password: str = PASSWORD) -> Any:
    return client.post("/api/auth/login", json={"login": PERSONAS[who][0], "password": password})


def test_login_answers_a_token_that_works_until_logout(anonymous: Any) -> None:
    answer = login(anonymous, "xf")
    assert answer.status_code == 200, answer.json
    token = answer.json["token"]
    assert answer.json["user"] == {"login": "zhao.xf", "name": "赵消防", "department": "xf", "roles": ["reviewer"],
                                   "service_point": None}
    me = anonymous.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200 and me.json["login"] == "zhao.xf"
    assert anonymous.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    refused = anonymous.get("/api/auth/me", headers=bearer(token))
    assert refused.status_code == 401 and refused.json["code"] == "unauthenticated"
    assert "注销" in refused.json["message_zh"]


def test_wrong_password_unknown_user_and_garbage_tokens_are_401(anonymous: Any) -> None:
    for response in (login(anonymous, "xf", "wrong-password-9"),
                     anonymous.post("/api/auth/login", json={"login": "nobody", "password": "whatever-1"})):
        assert response.status_code == 401
        assert response.json["message_zh"] == "登录名或密码错误"
    for header in ("Bearer nonsense", "Bearer abc.def", "Basic dXNlcjpwYXNz", "Bearer "):
        response = anonymous.get("/api/cases", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_expire(anonymous: Any, engine: OneThingEngine, clock: FakeClock) -> None:
    token = login(anonymous, "clerk").json["token"]
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 200
    clock.advance(hours=engine.settings.token_ttl_hours, seconds=1)
    expired = anonymous.get("/api/auth/me", headers=bearer(token))
    assert expired.status_code == 401 and "过期" in expired.json["message_zh"]


def test_repeated_failures_are_rate_limited_then_released(anonymous: Any, clock: FakeClock) -> None:
    for _ in range(5):
        assert login(anonymous, "wj", "wrong-password-9").status_code == 401
    limited = login(anonymous, "wj")  # even the right password waits now
    assert limited.status_code == 429 and limited.json["code"] == "too_many_attempts"
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60 + 1
    assert login(anonymous, "xf").status_code == 200  # another login from the same place still works
    clock.advance(minutes=16)
    assert login(anonymous, "wj").status_code == 200


def test_session_cookie_needs_the_csrf_header_for_changes(app: Any, personas: Any) -> None:
    browser = app.test_client()
    answer = login(browser, "clerk")
    assert answer.status_code == 200, answer.json
    csrf = answer.json["csrf_token"]
    assert browser.get_cookie("onething_session").http_only
    assert browser.get("/api/cases").status_code == 200  # reads need no CSRF token
    body = case_body(browser)
    forged = browser.post("/api/cases", json=body)
    assert forged.status_code == 403 and "CSRF" in forged.json["message_zh"]
    assert browser.post("/api/cases", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert browser.get("/api/cases").json["total"] == 0
    assert browser.post("/api/cases", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_admin_manages_users_and_changes_take_effect(client: Any, anonymous: Any) -> None:
    created = client.post("/api/users", headers=ADMIN, json={
        "login": "wu.xf", "name": "吴消防", "department": "xf", "roles": ["reviewer"], "password": "first-pass-1"})
    assert created.status_code == 201 and "password_hash" not in created.json
    token = anonymous.post("/api/auth/login", json={"login": "wu.xf", "password": "first-pass-1"}).json["token"]
    assert anonymous.get("/api/tasks", headers=bearer(token)).status_code == 200

    # Deactivating revokes at once; the old password no longer logs in.
    assert client.patch("/api/users/wu.xf", headers=ADMIN, json={"active": False}).json["active"] is False
    assert anonymous.get("/api/tasks", headers=bearer(token)).status_code == 401
    assert anonymous.post("/api/auth/login", json={"login": "wu.xf", "password": "first-pass-1"}).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({"login": "X", "name": "甲", "department": "xf", "roles": ["reviewer"], "password": "long-enough-1"}, "login"),
    ({"login": "ok.user", "name": "甲", "department": "mars", "roles": ["reviewer"], "password": "long-enough-1"},
     "department"),
    ({"login": "ok.user", "name": "甲", "department": "window", "roles": ["reviewer"], "password": "long-enough-1"},
     "roles"),
    ({"login": "ok.user", "name": "甲", "department": "xf", "roles": ["clerk"], "password": "long-enough-1"}, "roles"),
    ({"login": "ok.user", "name": "甲", "department": "xf", "roles": ["reviewer"], "password": "short1"}, "password"),
    ({"login": "ok.user", "name": "甲", "department": "xf", "roles": ["king"], "password": "long-enough-1"}, "roles"),
])
def test_bad_users_are_refused_field_by_field(client: Any, body: dict[str, Any], field: str) -> None:
    before = len(client.get("/api/users", headers=ADMIN).json)
    response = client.post("/api/users", headers=ADMIN, json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert len(client.get("/api/users", headers=ADMIN).json) == before


def test_an_admin_cannot_lock_themselves_out(client: Any) -> None:
    me = PERSONAS["admin"][0]
    assert client.patch(f"/api/users/{me}", headers=ADMIN, json={"active": False}).status_code == 409
    assert client.patch(f"/api/users/{me}", headers=ADMIN, json={"roles": ["supervisor"]}).status_code == 409


def test_revoking_a_users_tokens(client: Any, anonymous: Any) -> None:
    token = login(anonymous, "cg").json["token"]
    revoked = client.delete(f"/api/users/{PERSONAS['cg'][0]}/tokens", headers=ADMIN)
    assert revoked.status_code == 200 and revoked.json["revoked"] >= 1
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_production_refuses_the_default_secret_and_demo_users(db_url: str, clock: FakeClock) -> None:
    base = {"database_url": db_url, "clock": clock, "password_strength": "fast"}
    with pytest.raises(UnsafeConfiguration, match="ONETHING_SECRET_KEY"):
        build_engine(Settings(**base, production=True))
    dev = build_engine(Settings(**base))
    seed_demo_users(dev.ctx)
    dev.db.dispose()
    with pytest.raises(UnsafeConfiguration, match="demo users are active"):
        build_engine(Settings(**base, production=True, secret_key=secrets.token_urlsafe(48),
                              audit_key=secrets.token_urlsafe(48)))


def test_a_change_made_by_another_server_process_is_seen_within_the_cache_seconds(
        anonymous: Any, engine: OneThingEngine, db_url: str, clock: FakeClock) -> None:
    """Tokens verified a moment ago are trusted for ONETHING_AUTH_CACHE_SECONDS; a user deactivated
    through another process (a second engine on the same database) is refused once they pass."""
    from engine.domain.model import SYSTEM
    from engine.services.accounts import UpdateUser, update_user
    from engine.services.token_cache import TokenCache
    from tests.conftest import PERSONAS

    ticks = [0.0]
    engine.ctx.tokens = TokenCache(5.0, monotonic=lambda: ticks[0])
    token = login(anonymous, "xf").json["token"]
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 200

    other = build_engine(Settings(database_url=db_url, clock=clock, password_strength="fast", deploy_shipped=False))
    try:
        update_user(UpdateUser(PERSONAS["xf"][0], {"active": False}, SYSTEM), other.ctx)
    finally:
        other.db.dispose()
    ticks[0] = 4.0
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 200  # still within 5 s
    ticks[0] = 5.0
    refused = anonymous.get("/api/auth/me", headers=bearer(token))
    assert refused.status_code == 401 and refused.json["code"] == "unauthenticated"


def test_a_change_made_in_this_process_takes_effect_at_once(anonymous: Any, client: Any) -> None:
    token = login(anonymous, "xf").json["token"]
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 200
    assert client.patch("/api/users/zhao.xf", headers=ADMIN, json={"roles": ["head"]}).status_code == 200
    assert anonymous.get("/api/auth/me", headers=bearer(token)).status_code == 401


def test_no_request_opens_or_sets_flasks_own_session_cookie(app: Any, client: Any) -> None:
    """Callers authenticate with a token or our session cookie; Flask's signed session is not
    opened, and no answer sets its cookie."""
    answer = client.get("/api/cases", headers={"Cookie": "session=eyJmb28iOiJiYXIifQ.forged"})
    assert answer.status_code == 200
    assert not any(h.startswith("session=") for h in answer.headers.getlist("Set-Cookie"))
    with app.test_request_context("/", headers={"Cookie": "session=eyJmb28iOiJiYXIifQ.forged"}):
        assert dict(session) == {}
        with pytest.raises(RuntimeError, match="session is unavailable"):
            session["user"] = "x"
