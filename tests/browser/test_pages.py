"""Every page of the workbench, opened as the role it is for: each one loads without a script
error, shows no raw error text, and is kept as a screenshot. Also what a signed-out visitor, a
wrong role and a wrong address see."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer
from tests.conftest import APPLICANT, application

PAGES_BY_LOGIN: dict[str, list[str]] = {
    "clerk": ["/app/", "/app/window", "/app/window/new/restaurant", "/app/cases", "/app/cases/{case}",
              "/app/cases/{case}/receipt", "/app/cases/{case}/pickup"],
    "scjg.reviewer": ["/app/inbox", "/app/tasks/{task}", "/app/cases/{case}"],
    "scjg.head": ["/app/inbox", "/app/tasks/{task}", "/app/supervision"],
    "supervisor": ["/app/supervision", "/app/dashboard", "/app/cases", "/app/cases/{case}", "/app/tasks/{task}"],
    "admin": ["/app/admin/flows", "/app/admin/flows/restaurant/modeler", "/app/admin/catalogue", "/app/admin/users",
              "/app/admin/calendar", "/app/dashboard"],
}


def start_case(server: LiveServer) -> tuple[str, str]:
    """A 开办餐饮店 case started through the API; its number and the open 市场监管 task."""
    body = {"bundle": "restaurant", "applicant": APPLICANT, **application(server.engine)}
    case = server.call("POST", "/api/cases", body, login="clerk")
    task = next(t["id"] for t in case["open_tasks"] if t["department"] == "scjg")
    return case["number"], task


def test_every_page_as_its_role(desks: Any, live_server: LiveServer) -> None:
    number, task = start_case(live_server)
    for login, paths in PAGES_BY_LOGIN.items():
        desk = desks(login)
        for path in paths:
            page = desk.open(path.format(case=number, task=task))
            name = path.strip("/").replace("/", "_").replace("{", "").replace("}", "") or "root"
            desk.shot(name)
            errors = page.locator("#flash .notice.error")
            assert errors.count() == 0, (login, path, errors.all_inner_texts())
            assert page.locator("#content").is_visible(), (login, path)
            assert "正在加载" not in page.inner_text("#content"), (login, path)


def test_signed_out_wrong_role_and_unknown_address(desks: Any, live_server: LiveServer) -> None:
    visitor = desks(None)
    page = visitor.open("/")
    assert page.url.endswith("/app/login?next=%2Fapp%2F")
    visitor.shot("login")
    page = visitor.open("/app/no-such-page", shot="not-found")
    assert "找不到您要打开的页面" in page.inner_text("main")

    clerk = desks("clerk")
    page = clerk.open("/app/admin/users", shot="wrong-role")
    assert "您当前的角色无权使用" in page.inner_text("#flash")
    assert not page.locator("#content").is_visible()
    page = clerk.open("/app/cases/CY-19990101-9999", shot="unknown-case")
    assert "没有办件" in page.inner_text("#flash")

    visitor.open("/app/login?next=%2Fapp%2F")
    visitor.page.fill("#login", "clerk")
    visitor.page.fill("#password", "wrong-password")
    visitor.page.click("#login-form button[type=submit]")
    visitor.page.wait_for_selector("#flash .notice.error")
    visitor.shot("login-failed")
    assert visitor.page.url.endswith("/app/login?next=%2Fapp%2F")
