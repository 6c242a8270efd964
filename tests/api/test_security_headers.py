"""Security headers on every answer, and the cookies' flags: nothing with personal data is cached,
nothing is framed or sniffed, pages run only their own origin's scripts (no inline script or style
attribute that the policy would block), and production cookies are Secure."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.model import OFFICE, SYSTEM
from engine.services.accounts import CreateUser, create_user
from tests.conftest import ADMIN, PASSWORD, PERSONAS, SUPERVISOR


def assert_common(response: Any) -> None:
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def directives(response: Any) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_api_answers_are_not_cached_and_load_nothing(client: Any, anonymous: Any) -> None:
    for response in (client.get("/api/cases"), client.get("/api/cases/999999"), anonymous.get("/api/cases"),
                     client.get("/api/nowhere"), anonymous.get("/api/health"), anonymous.get("/api/openapi.json"),
                     client.get("/api/reports/savings.csv", headers=SUPERVISOR),
                     anonymous.post("/api/auth/login", json={"login": "nobody", "password": "whatever-1"})):
        assert_common(response)
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert directives(response)["default-src"] == ["'none'"]


def test_pages_are_not_cached_and_run_only_their_own_scripts(anonymous: Any) -> None:
    for path in ("/app/", "/app/login", "/app/cases/1", "/app/admin/users", "/app/no-such-page"):
        response = anonymous.get(path)
        assert response.mimetype == "text/html"
        assert_common(response)
        assert response.headers["Cache-Control"] == "no-store"
        policy = directives(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"] and policy["object-src"] == ["'none'"]


def test_the_modeler_page_allows_inline_styles_only(anonymous: Any) -> None:
    policy = directives(anonymous.get("/app/admin/flows/restaurant/modeler"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_static_files_stay_cacheable(anonymous: Any) -> None:
    response = anonymous.get("/app/static/js/common.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert_common(response)
    response.close()


def test_the_swagger_ui_runs_its_cdn_bundle_and_exactly_its_inline_script(anonymous: Any) -> None:
    response = anonymous.get("/api/docs")
    assert response.status_code == 200
    assert_common(response)
    policy = directives(response)
    inline = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == ["https://cdn.jsdelivr.net", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in policy["script-src"] and policy["connect-src"] == ["'self'"]
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', response.get_data(as_text=True)):
        assert src.startswith("https://cdn.jsdelivr.net/"), src


TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "web" / "templates"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_no_inline_script_or_style_attribute(template: str) -> None:
    """What the pages' policy would block (and the browser would report as an error)."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "an inline <script>"
    assert not re.search(r"\sstyle=", text), "a style attribute"
    assert not re.search(r"\son[a-z]+=", text), "an inline event handler"
    assert "<style" not in text


def cookie_lines(response: Any) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def production_engine(tmp_path: Path) -> Iterator[OneThingEngine]:
    built = build_engine(Settings(database_url=f"sqlite:///{tmp_path / 'prod.sqlite3'}", password_strength="fast",
                                  production=True, secret_key=secrets.token_urlsafe(48),
                                  audit_key=secrets.token_urlsafe(48), deploy_shipped=False))
    create_user(CreateUser("prod.admin", "管理员", OFFICE, ["admin"], PASSWORD, SYSTEM), built.ctx)
    yield built
    built.db.dispose()


def test_production_cookies_are_secure_httponly_and_strict(production_engine: OneThingEngine) -> None:
    client = create_app({"ENGINE": production_engine}).test_client()
    answer = client.post("/api/auth/login", json={"login": "prod.admin", "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    cookies = cookie_lines(answer)
    assert set(cookies) == {"onething_session", "onething_csrf"}
    for name, line in cookies.items():
        flags = [f.strip().lower() for f in line.split(";")]
        assert "secure" in flags and "samesite=strict" in flags, line
        assert ("httponly" in flags) == (name == "onething_session"), line
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    token = answer.get_json()["token"]
    logout = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert logout.status_code == 204
    for line in cookie_lines(logout).values():  # deleting a Secure cookie needs Secure too
        assert "Secure" in line and "Max-Age=0" in line, line


def test_development_cookies_work_over_plain_http(anonymous: Any) -> None:
    answer = anonymous.post("/api/auth/login", json={"login": PERSONAS["clerk"][0], "password": PASSWORD})
    for line in cookie_lines(answer).values():
        assert "Secure" not in line and "SameSite=Strict" in line, line
    assert "Strict-Transport-Security" not in answer.headers


def test_the_callers_config_can_still_decide(production_engine: OneThingEngine) -> None:
    app = create_app({"ENGINE": production_engine, "SESSION_COOKIE_SECURE": False})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert create_app({"ENGINE": production_engine}).config["SESSION_COOKIE_SECURE"] is True


def test_admin_answers_are_not_cached_either(client: Any) -> None:
    response = client.get("/api/users", headers=ADMIN)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
