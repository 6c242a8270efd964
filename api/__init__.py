"""The Flask application: ``create_app(config=None)`` builds everything."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask.sessions import SessionInterface
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from api import (
    access,
    agent_consents,
    applicant,
    applicant_cases,
    applicant_oidc,
    applicants,
    auth,
    bookings,
    bundles,
    case_comments,
    case_diagram,
    cases,
    catalogue,
    documents,
    flow_editing,
    flows,
    hall,
    incidents,
    leader_reports,
    logs,
    notifications,
    online_applications,
    public,
    registries,
    reports,
    saved_filters,
    security_headers,
    supervision,
    tasks,
    text_guard,
    work_orders,
)
from api import web as workbench
from api.errors import ErrorSchema, http_error_response, register_error_handlers
from api.json_provider import FastJSONProvider
from api.openapi_errors import ErrorResponsesPlugin
from engine.bootstrap import OneThingEngine, Settings, build_engine
from engine.domain.records import ID_MAX


class _NoFlaskSession(SessionInterface):
    """Flask's signed-cookie session, unused: callers authenticate with a bearer token or our own
    session cookie (access.py). Opening it cost every request a serializer and a cookie lookup;
    what tries to write to it fails with Flask's "session is unavailable" error."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask then hands out its null session

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        return None


class IdConverter(IntegerConverter):
    """``<id:name>``: a stored id, version or sequence number, 1 to ``ID_MAX``; a number past it
    matches no route (404) instead of overflowing the statement that would look for it."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=ID_MAX)


class _Api(Api):  # type: ignore[misc]
    """flask-smorest with our error shape instead of its own, in answers and in the OpenAPI document:
    no catch-all ``default`` answer, but each operation's error statuses (``api/openapi_errors.py``)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: Any) -> Any:
        return http_error_response(error)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Config keys: ``ENGINE`` (a built ``OneThingEngine``, used as is), or ``DATABASE_URL`` and
    the other ``Settings`` fields in upper case; anything else is Flask configuration."""
    config = dict(config or {})
    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.session_interface = _NoFlaskSession()
    app.config.update(
        API_TITLE="一件事 onething API",
        API_VERSION="0.1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    engine = config.pop("ENGINE", None)
    settings_keys = {"DATABASE_URL": "database_url", "DEPLOY_SHIPPED": "deploy_shipped"}
    overrides = {settings_keys[k]: config.pop(k) for k in list(config) if k in settings_keys}
    app.config.update(config)
    if engine is None:
        settings = Settings.from_env()
        for name, value in overrides.items():
            setattr(settings, name, value)
        engine = build_engine(settings)
    assert isinstance(engine, OneThingEngine)
    app.extensions["onething"] = engine
    app.config["SECRET_KEY"] = engine.settings.secret_key
    # Flask's defaults already hold SESSION_COOKIE_SECURE (False), so setdefault would never apply:
    # production makes our cookies Secure unless the caller's config says otherwise.
    if "SESSION_COOKIE_SECURE" not in config:
        app.config["SESSION_COOKIE_SECURE"] = engine.settings.production
    if engine.settings.trusted_proxies > 0:
        # The client address (login limits, the audit trail) and the scheme from X-Forwarded-For and
        # X-Forwarded-Proto, as set by this many proxies in front of us; never trusted otherwise.
        hops = engine.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    app.url_map.converters["id"] = IdConverter
    api = _Api(app, spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": ID_MAX})
    api.register_blueprint(cases.blp)
    api.register_blueprint(tasks.blp)
    api.register_blueprint(bundles.blp)
    api.register_blueprint(catalogue.blp)
    api.register_blueprint(catalogue.admin)
    api.register_blueprint(bundles.health)
    api.register_blueprint(auth.auth)
    api.register_blueprint(auth.users)
    api.register_blueprint(auth.audit_blp)
    api.register_blueprint(applicants.blp)
    api.register_blueprint(registries.blp)
    api.register_blueprint(registries.lookups)
    api.register_blueprint(supervision.blp)
    api.register_blueprint(supervision.calendar_blp)
    api.register_blueprint(flows.blp)
    api.register_blueprint(flow_editing.blp)
    api.register_blueprint(incidents.blp)
    api.register_blueprint(saved_filters.blp)
    api.register_blueprint(reports.case_blp)
    api.register_blueprint(case_diagram.blp)
    api.register_blueprint(reports.blp)
    api.register_blueprint(case_comments.blp)
    api.register_blueprint(case_comments.mentions_blp)
    api.register_blueprint(documents.blp)
    api.register_blueprint(public.blp)
    api.register_blueprint(notifications.blp)
    api.register_blueprint(applicant.blp)
    api.register_blueprint(applicant_cases.blp)
    api.register_blueprint(applicant_oidc.blp)
    api.register_blueprint(online_applications.mine)
    api.register_blueprint(online_applications.window)
    api.register_blueprint(hall.blp)
    api.register_blueprint(bookings.slots)
    api.register_blueprint(bookings.mine)
    api.register_blueprint(bookings.staff)
    api.register_blueprint(agent_consents.blp)
    api.register_blueprint(work_orders.blp)
    api.register_blueprint(work_orders.mine)
    api.register_blueprint(leader_reports.blp)
    text_guard.install(app)  # first: before anyone reads the request
    access.install(app)
    logs.install(logging.getLogger("werkzeug"), logging.getLogger("gunicorn.access"), app.logger)
    register_error_handlers(app)
    workbench.install(app)
    security_headers.install(app)
    return app
