"""The error answers of the OpenAPI document: which statuses each operation can answer, by one rule
over what the operation is (behind a login or public, with a body, query arguments or path objects,
a read or a change) instead of a decorator on every view. Each answer's body is ``Error``
(``api.errors.ErrorSchema``)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from werkzeug.routing import Rule

from api.access import POLICY, PUBLIC

_METHODS = ("get", "put", "post", "patch", "delete")
_CHANGES = ("POST", "PUT", "PATCH", "DELETE")

# Changes that clash with no state: logging out, revoking a token, a dry run (nothing is stored).
_NO_CONFLICT = {("auth.Logout", "POST"), ("auth.TokenById", "DELETE"), ("flows.FlowDryRun", "POST"),
               ("flow_editing.FlowExpressionCheck", "POST")}
# What the rule cannot see: input beyond the path that names another object (404), a login's own
# answers (401 wrong password, 429 too many attempts), a body that is neither XML nor JSON (415).
_MORE: dict[tuple[str, str], set[int]] = {
    ("auth.Login", "POST"): {401, 429},
    ("cases.Cases", "POST"): {404},  # the bundle
    ("tasks.Tasks", "GET"): {404},  # ?case=
    ("audit.AuditVerify", "GET"): {404},  # ?case=
    ("flows.Flows", "POST"): {404, 415},  # the bundle; the body's type
    ("reports.SavingsReportView", "GET"): {404},  # ?bundle=
    ("reports.SavingsCsv", "GET"): {404},
    ("reports.SavingsXlsx", "GET"): {404},
    ("reports.ServicePointReport", "GET"): {404},
    ("leader_reports.LeaderPdf", "GET"): {409},  # no font with Chinese glyphs
    ("documents.MaterialFiles", "POST"): {415},  # a file whose content is not JPEG, PNG or PDF
    ("applications.MyApplicationUpload", "POST"): {415},
    ("applications.MyPrefillView", "GET"): {404},  # ?bundle=
    ("applicant_cases.MyCaseUpload", "POST"): {415},
    ("public.CaseStatusView", "GET"): {404, 429},  # a wrong pair; too many wrong checks
    ("public.PublicGuide", "GET"): {404},
    ("applicant.LoginCode", "POST"): {429},  # a code sent a minute ago, or five this hour
    ("applicant.ApplicantLogin", "POST"): {401},  # a wrong or expired code
    ("applicant_oidc.OidcStart", "GET"): {404},  # no identity service configured
    ("hall.Tickets", "POST"): {404, 409, 429},  # no such booking; the hall closed; too many tickets
    ("my_bookings.MyBookings", "POST"): {404},  # the point
    ("agent_consents.MyConsents", "POST"): {404},  # the point, the bundle
    ("work_orders.WorkOrders", "POST"): {404},  # the case named
    ("my_work_orders.MyWorkOrders", "POST"): {404},  # the case named
    ("applicant_oidc.OidcCallback", "GET"): {401, 404},  # the service refused; none configured
}


def error_statuses(endpoint: str, method: str, *, path_objects: bool, body: bool) -> set[int]:
    """The error statuses an operation can answer. Every request: 422 (text no database can hold, in
    its path, query or body, api/text_guard.py) and 503 (the database busy or unreachable)."""
    statuses = {422, 503}
    if POLICY.get((endpoint, method), PUBLIC) is not PUBLIC:
        statuses |= {401, 403}  # no valid login; a role that may not do this, a missing CSRF token
    if body or method in _CHANGES:
        statuses.add(400)  # malformed JSON; a malformed Idempotency-Key
    if body:
        statuses.add(413)
    if path_objects:
        statuses.add(404)
    if method in _CHANGES and (endpoint, method) not in _NO_CONFLICT and 401 in statuses:
        statuses.add(409)
    return statuses | _MORE.get((endpoint, method), set())


class ErrorResponsesPlugin(BasePlugin):
    """Adds each operation's error statuses to its responses (those it declares itself stay)."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if not isinstance(rule, Rule) or not operations:
            return
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            parameters = operation.get("parameters", [])
            responses = operation.setdefault("responses", {})
            statuses = error_statuses(
                rule.endpoint, method.upper(), path_objects=bool(rule.arguments),
                body="requestBody" in operation or any(isinstance(p, dict) and p.get("in") in ("json", "body")
                                                       for p in parameters))
            for status in sorted(statuses):
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = HTTPStatus(status).name
