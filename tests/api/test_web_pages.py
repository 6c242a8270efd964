"""The web workbench's page shells without a browser: every page answers Chinese HTML whose
scripts and style sheets exist, the bare address opens the workbench, and a wrong address under
/app answers a Chinese page while the API keeps its JSON error shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from api.web import MODELER_BUNDLE, PAGES
from engine.bootstrap import Settings, build_engine

PARAMS = {"code": "restaurant", "ref": "CY-20260924-00001", "task_id": "no-such-task"}


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The pages hold no data: one app on SQLite serves every test here, with nobody signed in."""
    from api import create_app

    engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.sqlite3'}",
                                   password_strength="fast"))
    yield create_app({"ENGINE": engine, "TESTING": True}).test_client()
    engine.db.dispose()


def page_url(rule: str) -> str:
    return "/app" + re.sub(r"<string:(\w+)>", lambda m: PARAMS[m.group(1)], rule)


@pytest.mark.parametrize("rule", [p.rule for p in PAGES])
def test_every_page_is_a_chinese_shell_whose_assets_exist(anonymous: Any, rule: str) -> None:
    response = anonymous.get(page_url(rule))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "一件事综合服务工作台" in html
    assets = re.findall(r'(?:src|href)="(/app/static/[^"]+)"', html)
    assert any(a.endswith("common.js") for a in assets) or rule == "/login"
    for asset in assets:
        if "/build/" in asset and not MODELER_BUNDLE.exists():
            continue  # built by `make web`; the modeler page says so when it is missing
        found = anonymous.get(asset)
        assert found.status_code == 200, asset
        found.close()


def test_the_bare_address_opens_the_workbench(anonymous: Any) -> None:
    response = anonymous.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/app/"


def test_wrong_addresses(anonymous: Any) -> None:
    page = anonymous.get("/app/no-such-page")
    assert page.status_code == 404 and "找不到您要打开的页面" in page.get_data(as_text=True)
    api = anonymous.get("/api/no-such-endpoint")
    assert api.status_code == 404 and set(api.json) == {"code", "message", "message_zh", "errors"}


def test_the_modeler_says_how_to_build_itself_when_its_bundle_is_missing(anonymous: Any,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import api.web

    monkeypatch.setattr(api.web, "MODELER_BUNDLE", MODELER_BUNDLE.with_name("missing.js"))
    html = anonymous.get("/app/admin/flows/restaurant/modeler").get_data(as_text=True)
    assert "make web" in html and "bpmn-modeler" not in html
