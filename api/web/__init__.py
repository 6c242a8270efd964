"""The web workbench (综合服务工作台): server-rendered page shells in Chinese for the window, the
departments, supervision and administration, under ``/app``.

A page holds no data. Its script reads and changes everything through the JSON API with the session
cookie the login set (and the ``X-CSRF-Token`` header on changes), so the API authorises every call
exactly as it does for any other client. The page routes themselves are therefore public in
``api.access.POLICY``; a page opened without a session sends the browser to the login page, and a
page opened by a role it is not meant for says so instead of showing empty tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from api.errors import http_error_response

STATIC = Path(__file__).resolve().parent / "static"
MODELER_BUNDLE = STATIC / "build" / "bpmn-js" / "bpmn-modeler.production.min.js"
"""Copied from the bpmn-js package by ``make web`` (``frontend/build.mjs``)."""
VIEWER_BUNDLE = STATIC / "build" / "bpmn-js" / "bpmn-navigated-viewer.production.min.js"
"""The read-only viewer of the case page's diagram, copied by the same build."""

CASE_READERS = ("clerk", "reviewer", "head", "supervisor", "agent", "monitor")


@dataclass(frozen=True)
class Page:
    name: str
    """The endpoint is ``web.<name>``."""
    rule: str
    title: str
    roles: tuple[str, ...]
    """Roles the page is for; empty: anyone signed in."""
    nav: str | None = None
    """Its label in the navigation bar, for the roles above."""


PAGES: tuple[Page, ...] = (
    Page("home", "/", "工作台", ()),
    Page("login", "/login", "登录", ()),
    Page("window", "/window", "综合窗口", ("clerk", "agent"), "综合窗口"),
    Page("intake", "/window/new/<string:code>", "一窗受理", ("clerk", "agent")),
    Page("cases", "/cases", "办件查询", CASE_READERS, "办件查询"),
    Page("case", "/cases/<string:ref>", "办件详情", CASE_READERS),
    Page("receipt", "/cases/<string:ref>/receipt", "受理回执", CASE_READERS),
    Page("pickup", "/cases/<string:ref>/pickup", "统一出件", ("clerk",)),
    Page("inbox", "/inbox", "部门待办", ("reviewer", "head"), "部门待办"),
    Page("task", "/tasks/<string:task_id>", "审批办理", ("reviewer", "head", "supervisor")),
    Page("supervision", "/supervision", "效能监督", ("supervisor", "head"), "效能监督"),
    Page("work_orders", "/work-orders", "工单", ("clerk", "reviewer", "head", "supervisor", "monitor"), "工单"),
    Page("lookups", "/supervision/lookups", "数据调用留痕", ("supervisor",), "数据调用留痕"),
    Page("dashboard", "/dashboard", "成效看板", ("supervisor", "admin", "monitor"), "成效看板"),
    Page("flows", "/admin/flows", "流程管理", ("admin",), "流程管理"),
    Page("modeler", "/admin/flows/<string:code>/modeler", "流程建模", ("admin",)),
    Page("flow_migration", "/admin/flows/<string:code>/migration", "在办办件迁移", ("admin",)),
    Page("flow_dry_run", "/admin/flows/<string:code>/dry-run", "流程试运行", ("admin",)),
    Page("catalogue", "/admin/catalogue", "目录管理", ("admin",), "目录管理"),
    Page("users", "/admin/users", "用户管理", ("admin",), "用户管理"),
    Page("calendar", "/admin/calendar", "工作日历", ("admin",), "工作日历"),
    Page("incidents", "/admin/incidents", "流程异常", ("admin",), "流程异常"),
    Page("audit", "/admin/audit", "审计记录", ("admin",), "审计记录"),
    Page("credit", "/admin/credit", "失信记录", ("admin",), "失信记录"),
    Page("registries", "/admin/registries", "共享数据", ("admin",), "共享数据"),
)

web = Blueprint("web", __name__, url_prefix="/app", template_folder="templates", static_folder="static")
root = Blueprint("root", __name__)


def _nav() -> list[dict[str, Any]]:
    return [{"url": "/app" + p.rule, "label": p.nav, "roles": " ".join(p.roles)} for p in PAGES if p.nav]


def _view(page: Page) -> Callable[..., str]:
    def view(**params: str) -> str:
        extra = {"modeler_built": MODELER_BUNDLE.exists()} if page.name == "modeler" else {}
        if page.name == "case":
            extra = {"viewer_built": VIEWER_BUNDLE.exists()}
        return render_template(f"{page.name}.html", page=page, params=params, nav=_nav(), **extra)

    view.__name__ = page.name
    return view


for _page in PAGES:
    web.add_url_rule(_page.rule, _page.name, _view(_page))


@root.route("/guide")
@root.route("/guide/<string:code>")
def guide(code: str = "") -> Response:
    """The bundles and each one's guide (一次告知) for anyone, printable: see api/public.py."""
    return Response(render_template("guide.html", code=code[:64]), mimetype="text/html")


@root.route("/my")
def my() -> Response:
    """我的办件: the applicant's own pages (sign in by SMS code), see api/applicant.py."""
    return Response(render_template("my.html"), mimetype="text/html")


@root.route("/apply/<string:code>")
def apply(code: str) -> Response:
    """网上申请 of one bundle by the signed-in applicant (``?id=`` an application of theirs), phone first."""
    return Response(render_template("apply.html", code=code[:64]), mimetype="text/html")


@root.route("/hall/<string:point>")
def hall_display(point: str) -> Response:
    """The hall's display (叫号屏): who is called to which window, live; see api/hall.py."""
    return Response(render_template("hall_display.html", point=point[:64]), mimetype="text/html")


@root.route("/hall/<string:point>/ticket")
def hall_ticket(point: str) -> Response:
    """The hall's ticket machine (取号), touch first."""
    return Response(render_template("hall_ticket.html", point=point[:64]), mimetype="text/html")


@root.route("/status")
@root.route("/status/<string:number>")
def status(number: str = "") -> Response:
    """办件查询 for applicants (the notices' QR codes), no login: see api/public.py."""
    return Response(render_template("status.html", number=number[:40]), mimetype="text/html")


@root.route("/")
def index() -> Response:
    """The bare address opens the workbench."""
    return redirect("/app/", 302)  # type: ignore[return-value]


def _html_wanted() -> bool:
    return request.path == "/app" or request.path.startswith("/app/")


def _not_found(err: HTTPException) -> Any:
    """A page address that does not exist answers a Chinese page, the API its error shape."""
    if not _html_wanted():
        return http_error_response(err)
    status = err.code or 404
    body = render_template("error.html", status=status, page=Page("error", "", "出错了", ()), params={},
                           nav=_nav())
    return body, status


def install(app: Flask) -> None:
    app.register_blueprint(web)
    app.register_blueprint(root)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_found)
