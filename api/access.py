"""Authentication and authorization of every request, in one place.

Each endpoint and method is listed in ``POLICY`` with the permission it needs, or as public. A
request to an endpoint that is not listed is refused, so a new endpoint cannot go unguarded (the
role × endpoint test walks the app's routes and fails on one missing here).

Callers present a bearer token (``Authorization: Bearer <token>``) or the session cookie the web
login set. A state change authenticated by the cookie must also carry the ``X-CSRF-Token`` header
with the value of the ``onething_csrf`` cookie, which is bound to the session by an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, g, request

from engine.domain.access import Permission, Principal
from engine.domain.errors import Forbidden, Unauthenticated
from engine.domain.model import Actor
from engine.services.sessions import authenticate

SESSION_COOKIE = "onething_session"
CSRF_COOKIE = "onething_csrf"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC = None

P = Permission
POLICY: dict[tuple[str, str], Permission | None] = {
    ("health.Health", "GET"): PUBLIC,
    ("api-docs.openapi_json", "GET"): PUBLIC,
    ("api-docs.openapi_swagger_ui", "GET"): PUBLIC,
    # The web workbench (api/web): page shells without data, whose scripts call the API above with
    # the session cookie; a page opened without a session sends the browser to the login page.
    ("root.index", "GET"): PUBLIC,
    # 办件查询: the applicant's own check (the last six characters) stands in for a login.
    ("root.status", "GET"): PUBLIC,
    ("public.CaseStatusView", "GET"): PUBLIC,
    # The applicant's channel: signing in by a one-time code needs no login; then their own only.
    ("applicant.LoginCode", "POST"): PUBLIC,
    ("applicant.SignInMethods", "GET"): PUBLIC,
    # The hall: where and when one is served, a ticket from the machine, the display's calls.
    ("hall.ServicePoints", "GET"): PUBLIC,
    ("hall.Tickets", "POST"): PUBLIC,
    ("hall.Calls", "GET"): PUBLIC,
    ("hall.CallEvents", "GET"): PUBLIC,
    ("root.hall_display", "GET"): PUBLIC,
    ("root.hall_ticket", "GET"): PUBLIC,
    ("hall_bookings.OpenSlots", "GET"): PUBLIC,
    ("hall_bookings.PointBookings", "GET"): P.CASE_START,
    ("hall_bookings.PointBookings", "POST"): P.CASE_START,
    ("my_bookings.MyBookings", "GET"): P.APPLY,
    ("my_bookings.MyBookings", "POST"): P.APPLY,
    ("my_bookings.MyBooking", "DELETE"): P.APPLY,
    ("agent_consents.MyConsents", "GET"): P.APPLY,
    ("agent_consents.MyConsents", "POST"): P.APPLY,
    ("agent_consents.MyConsent", "DELETE"): P.APPLY,
    ("work_orders.WorkOrders", "GET"): P.WORK_ORDERS,
    ("work_orders.WorkOrders", "POST"): P.WORK_ORDERS,
    ("work_orders.WorkOrderOne", "GET"): P.WORK_ORDERS,
    ("work_orders.AssignOrder", "POST"): P.WORK_ORDERS,
    ("work_orders.RespondOrder", "POST"): P.WORK_ORDERS,
    ("work_orders.ReplyOrder", "POST"): P.WORK_ORDERS,
    ("work_orders.CallBackOrder", "POST"): P.WORK_ORDERS,
    ("my_work_orders.MyWorkOrders", "GET"): P.APPLY,
    ("my_work_orders.MyWorkOrders", "POST"): P.APPLY,
    ("my_work_orders.MyWorkOrder", "GET"): P.APPLY,
    ("my_work_orders.ConfirmOrder", "POST"): P.APPLY,
    ("bookings.StaffBooking", "GET"): P.CASE_START,
    ("bookings.StaffBooking", "DELETE"): P.CASE_START,
    ("hall.PointQueue", "GET"): P.CASE_START,
    ("hall.CallNext", "POST"): P.CASE_START,
    ("hall.WaitingTimes", "GET"): P.REPORT_READ,
    ("applicant_oidc.OidcStart", "GET"): PUBLIC,
    ("applicant_oidc.OidcCallback", "GET"): PUBLIC,
    ("applicant.ApplicantLogin", "POST"): PUBLIC,
    ("applicant_cases.MyCases", "GET"): P.APPLY,
    ("applicant_cases.MyCaseView", "GET"): P.APPLY,
    ("applicant_cases.MyCaseUpload", "POST"): P.APPLY,
    ("applicant_cases.MyCorrection", "POST"): P.APPLY,
    ("applicant_cases.MySupplements", "POST"): P.APPLY,
    ("applicant_cases.MyDelivery", "GET"): P.APPLY,
    ("applicant_cases.MyDelivery", "PUT"): P.APPLY,
    ("applicant_cases.MyElicences", "POST"): P.APPLY,
    ("applicant_cases.MyRating", "POST"): P.APPLY,
    ("applicant_cases.MyNotice", "GET"): P.APPLY,
    ("applicant.MyMessages", "GET"): P.APPLY,
    ("applications.MyApplications", "GET"): P.APPLY,
    ("applications.MyApplications", "POST"): P.APPLY,
    ("applications.MyApplication", "PUT"): P.APPLY,
    ("applications.MyApplicationUpload", "POST"): P.APPLY,
    ("applications.MyPrefillView", "GET"): P.APPLY,
    ("applications.MyApplicationFiles", "GET"): P.APPLY,
    ("applications.MyApplicationFile", "GET"): P.APPLY,
    ("applications.SubmitApplication", "POST"): P.APPLY,
    # 网上预审 is the window's intake: accepting starts a case.
    ("online_applications.WaitingApplications", "GET"): P.CASE_START,
    ("online_applications.WaitingApplicationFiles", "GET"): P.CASE_START,
    ("online_applications.WaitingApplicationFile", "GET"): P.CASE_START,
    ("online_applications.AcceptApplication", "POST"): P.CASE_START,
    ("online_applications.ReturnApplication", "POST"): P.CASE_START,
    # 办事指南: what one may apply for and what it takes is public (一次告知).
    ("root.guide", "GET"): PUBLIC,
    ("root.my", "GET"): PUBLIC,
    ("root.apply", "GET"): PUBLIC,
    ("public.PublicBundles", "GET"): PUBLIC,
    ("public.PublicGuide", "GET"): PUBLIC,
    ("web.static", "GET"): PUBLIC,
    ("web.login", "GET"): PUBLIC,
    ("web.home", "GET"): PUBLIC,
    ("web.window", "GET"): PUBLIC,
    ("web.intake", "GET"): PUBLIC,
    ("web.cases", "GET"): PUBLIC,
    ("web.case", "GET"): PUBLIC,
    ("web.receipt", "GET"): PUBLIC,
    ("web.pickup", "GET"): PUBLIC,
    ("web.inbox", "GET"): PUBLIC,
    ("web.task", "GET"): PUBLIC,
    ("web.supervision", "GET"): PUBLIC,
    ("web.work_orders", "GET"): PUBLIC,
    ("web.dashboard", "GET"): PUBLIC,
    ("web.flows", "GET"): PUBLIC,
    ("web.modeler", "GET"): PUBLIC,
    ("web.catalogue", "GET"): PUBLIC,
    ("web.users", "GET"): PUBLIC,
    ("web.calendar", "GET"): PUBLIC,
    ("web.incidents", "GET"): PUBLIC,
    ("web.flow_migration", "GET"): PUBLIC,
    ("web.flow_dry_run", "GET"): PUBLIC,
    ("web.audit", "GET"): PUBLIC,
    ("web.credit", "GET"): PUBLIC,
    ("web.registries", "GET"): PUBLIC,
    ("web.lookups", "GET"): PUBLIC,
    ("auth.Login", "POST"): PUBLIC,
    ("auth.Logout", "POST"): P.SELF,
    ("auth.Me", "GET"): P.SELF,
    ("auth.Tokens", "GET"): P.SELF,
    ("auth.TokenById", "DELETE"): P.SELF,
    ("users.Users", "GET"): P.USER_MANAGE,
    ("users.Users", "POST"): P.USER_MANAGE,
    ("users.UserByLogin", "GET"): P.USER_MANAGE,
    ("users.UserByLogin", "PATCH"): P.USER_MANAGE,
    ("users.UserTokens", "DELETE"): P.USER_MANAGE,
    ("audit.AuditVerify", "GET"): P.AUDIT_VERIFY,
    ("audit.AuditEvents", "GET"): P.AUDIT_VERIFY,
    ("cases.Cases", "GET"): P.CASE_READ,
    ("cases.Cases", "POST"): P.CASE_START,
    ("cases.CaseById", "GET"): P.CASE_READ,
    ("cases.CasePickup", "POST"): P.CASE_PICKUP,
    ("cases.CaseMaterials", "POST"): P.CASE_MATERIALS,
    # Material files: the window uploads; whoever sees the case lists them; opening one is checked
    # per material by the service (a department reads those its items need).
    ("documents.MaterialFiles", "POST"): P.CASE_MATERIALS,
    ("documents.CaseFileList", "GET"): P.CASE_READ,
    ("documents.CaseFileContent", "GET"): P.CASE_READ,
    ("documents.CaseFilePage", "GET"): P.CASE_READ,
    ("documents.CaseNoticePdf", "GET"): P.CASE_READ,
    # What the applicant was told of the case and whether it arrived: whoever reads the case.
    ("notifications.CaseNotifications", "GET"): P.CASE_READ,
    ("notifications.CaseDelivery", "GET"): P.CASE_READ,
    # Who read which file (调阅留痕): supervision, as for the lookups of shared data.
    ("documents.CaseFileReads", "GET"): P.LOOKUP_AUDIT,
    # A case's savings: whoever sees the case (views check the department, as for the case itself).
    ("case_savings.CaseSavings", "GET"): P.CASE_READ,
    # A case on its diagram: whoever sees the case (the view checks the department, as for the case).
    ("case_diagram.CaseDiagramView", "GET"): P.CASE_READ,
    # 部门会商: whoever sees the case reads its comments (the service checks the department, as for the
    # case); writing is work on the case: the window, the case's departments; a supervisor reads only.
    ("case_comments.CaseCommentList", "GET"): P.CASE_READ,
    ("case_comments.CaseCommentList", "POST"): P.TASK_WORK,
    ("comment_mentions.CommentMentions", "GET"): P.TASK_READ,
    ("tasks.Tasks", "GET"): P.TASK_READ,
    ("tasks.TaskById", "GET"): P.TASK_READ,
    ("tasks.TaskClaim", "POST"): P.TASK_WORK,
    ("tasks.TaskUnclaim", "POST"): P.TASK_WORK,
    ("tasks.TaskComplete", "POST"): P.TASK_WORK,
    ("tasks.TaskAssign", "POST"): P.TASK_ASSIGN,
    ("tasks.TaskPause", "POST"): P.TASK_WORK,
    ("tasks.TaskResume", "POST"): P.TASK_WORK,
    ("tasks.TaskExtend", "POST"): P.TASK_ASSIGN,
    ("supervision.Warnings", "GET"): P.SUPERVISE,
    ("supervision.WarningAcknowledge", "POST"): P.SUPERVISE,
    ("supervision.Departments", "GET"): P.SUPERVISE,
    ("reports.SavingsReportView", "GET"): P.REPORT_READ,
    ("reports.SavingsCsv", "GET"): P.REPORT_READ,
    ("reports.SavingsXlsx", "GET"): P.REPORT_READ,
    ("reports.SavingsChart", "GET"): P.REPORT_READ,
    ("reports.ServicePointReport", "GET"): P.REPORT_READ,
    ("leader_reports.LeaderReport", "GET"): P.REPORT_READ,
    ("leader_reports.LeaderWorkbook", "GET"): P.REPORT_READ,
    ("leader_reports.LeaderPdf", "GET"): P.REPORT_READ,
    ("leader_reports.LeaderChart", "GET"): P.REPORT_READ,
    ("calendar.CalendarYear", "GET"): P.CATALOGUE_READ,
    ("calendar.CalendarConfirm", "POST"): P.CALENDAR_MANAGE,
    ("calendar.CalendarOverride", "PUT"): P.CALENDAR_MANAGE,
    ("calendar.CalendarOverride", "DELETE"): P.CALENDAR_MANAGE,
    ("bundles.Bundles", "GET"): P.CATALOGUE_READ,
    ("bundles.Bundles", "POST"): P.CATALOGUE_MANAGE,
    ("catalogue.BundleGuide", "GET"): P.CATALOGUE_READ,
    ("catalogue.BundleDefinition", "PUT"): P.CATALOGUE_MANAGE,
    ("catalogue_admin.CatalogueEntries", "GET"): P.CATALOGUE_READ,
    ("catalogue_admin.CatalogueEntry", "PUT"): P.CATALOGUE_MANAGE,
    # Pre-filling shows what the government holds about an applicant: the window only.
    ("catalogue.BundleForm", "GET"): P.CASE_START,
    ("applicants.Applicant", "GET"): P.CASE_START,
    # Shared data: administrators load the registries; supervisors read who looked up whom.
    ("cases.CaseSharedDataById", "GET"): P.CASE_READ,
    ("registries.Registries", "GET"): P.REGISTRY_MANAGE,
    ("registries.RegistryImports", "GET"): P.REGISTRY_MANAGE,
    ("registries.RegistryImports", "POST"): P.REGISTRY_MANAGE,
    ("data_lookups.DataLookups", "GET"): P.LOOKUP_AUDIT,
    ("data_lookups.LookupVolumes", "GET"): P.LOOKUP_AUDIT,
    ("applicants.ApplicantCredit", "GET"): P.CATALOGUE_MANAGE,
    ("applicants.ApplicantCredit", "POST"): P.CATALOGUE_MANAGE,
    ("applicants.ApplicantCredit", "DELETE"): P.CATALOGUE_MANAGE,
    ("flows.Flows", "POST"): P.FLOW_MANAGE,
    ("flows.FlowVersions", "GET"): P.CATALOGUE_READ,
    ("flows.FlowVersionXml", "GET"): P.FLOW_MANAGE,
    ("flows.FlowDeploy", "POST"): P.FLOW_MANAGE,
    ("flows.FlowDryRun", "POST"): P.FLOW_MANAGE,
    ("flows.FlowDiff", "GET"): P.FLOW_MANAGE,
    ("flows.FlowMigration", "GET"): P.FLOW_MANAGE,
    ("flows.FlowMigration", "POST"): P.FLOW_MANAGE,
    # The modeler's properties panel: checking one expression stores nothing; the departments a lane may name.
    ("flow_editing.FlowExpressionCheck", "POST"): P.FLOW_MANAGE,
    ("flow_editing.FlowDepartments", "GET"): P.FLOW_MANAGE,
    # Incidents show where a flow failed and the error, no case data: the administrators who fix flows.
    ("incidents.Incidents", "GET"): P.FLOW_MANAGE,
    ("incidents.IncidentById", "GET"): P.FLOW_MANAGE,
    ("incidents.IncidentRetry", "POST"): P.FLOW_MANAGE,
    # Saved filters of the case list and the inbox: their readers, each on their own filters only.
    ("saved_filters.SavedFilters", "GET"): P.CASE_READ,
    ("saved_filters.SavedFilters", "POST"): P.CASE_READ,
    ("saved_filters.SavedFilterById", "DELETE"): P.CASE_READ,
}
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token_for(token_id: str) -> str:
    key = current_app.extensions["onething"].settings.secret_key.encode()
    return hmac.new(key, f"csrf:{token_id}".encode(), hashlib.sha256).hexdigest()


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _check_request() -> None:
    rule = request.url_rule
    if rule is None or request.method == "OPTIONS":
        return  # routing answers 404/405 itself
    method = "GET" if request.method == "HEAD" else request.method
    key = (rule.endpoint, method)
    if key not in POLICY:
        raise Forbidden(f"{method} {rule.rule} is not open to anyone", "该接口未开放")
    permission = POLICY[key]
    if permission is PUBLIC:
        return
    principal, token_id = _authenticate()
    g.principal, g.token_id = principal, token_id
    if not principal.can(permission):
        raise Forbidden(
            f"your roles ({', '.join(sorted(principal.roles)) or 'none'}) do not allow {permission.value}",
            "您的角色无权执行此操作",
        )


def _authenticate() -> tuple[Principal, str]:
    header = request.headers.get("Authorization", "")
    ctx = current_app.extensions["onething"].ctx
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must read 'Bearer <token>'",
                                  "Authorization 请求头格式应为 Bearer <令牌>")
        principal, record = authenticate(ctx, token.strip())
        return principal, record.id
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("log in first: POST /api/auth/login", "请先登录")
    principal, record = authenticate(ctx, cookie)
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, csrf_token_for(record.id)):
            raise Forbidden(f"a state change with the session cookie needs the {CSRF_HEADER} header",
                            "请求缺少有效的 CSRF 令牌，请刷新页面后重试")
    return principal, record.id


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        raise Unauthenticated("log in first: POST /api/auth/login", "请先登录")
    assert isinstance(principal, Principal)
    return principal


def current_actor() -> Actor:
    """The caller as the event log records it, with the role that allowed this endpoint."""
    principal = current_principal()
    rule = request.url_rule
    permission = POLICY.get((rule.endpoint, request.method)) if rule else None
    return principal.actor(permission or Permission.SELF, client_address())


def install(app: Flask) -> None:
    app.before_request(_check_request)
