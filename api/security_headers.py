"""Security headers on every answer, pages and API alike.

A small ``after_request`` hook rather than flask-talisman: Talisman sets its policy per view with a
decorator, and the one page that needs a policy of its own (flask-smorest's Swagger UI) is a view
of that library we do not decorate; Talisman's other duties (redirecting to HTTPS, the session
cookie's flags) are done elsewhere here (the proxy terminates TLS; ``api/auth.py`` sets our
cookies). What is left is a handful of constant headers, chosen by what the answer is:

- ``Cache-Control: no-store`` on everything but the workbench's static files: API answers and page
  shells may carry or lead to personal data and must not stay in a shared or browser cache.
- A Content-Security-Policy: for API answers (JSON, CSV, XLSX, SVG) nothing may load or run; the
  workbench's pages run only scripts and styles from their own origin (``/app/static``, including
  the bpmn-js build), with no inline script. The modeler page also allows inline styles, because
  bpmn-js draws some icons (its align menu's) as markup with ``style`` attributes. The Swagger UI at
  ``/api/docs`` loads its bundle from the CDN flask-smorest is configured with, and runs one inline
  script, allowed by its hash.
- No framing anywhere (``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``), no MIME sniffing,
  no referrer sent to other sites; in production, HSTS (cookies are ``Secure`` there anyway).
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

STATIC_ENDPOINTS = frozenset({"web.static"})
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"
MODELER_ENDPOINT = "web.modeler"

_NO_FRAMES = "frame-ancestors 'none'; base-uri 'none'"
API_POLICY = f"default-src 'none'; {_NO_FRAMES}; form-action 'none'"
# blob: images: the dashboard fetches its charts with the session and shows them from a blob URL.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
               f"font-src 'self' data:; connect-src 'self'; object-src 'none'; form-action 'self'; {_NO_FRAMES}")
MODELER_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(html: str, cdn: str) -> str:
    """The Swagger UI page's policy: its bundle from ``cdn``, and exactly the inline scripts of ``html``."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return (f"default-src 'none'; script-src {cdn} {hashes}; style-src {cdn} 'unsafe-inline'; "
            f"img-src 'self' data: {cdn}; font-src {cdn} data:; connect-src 'self'; form-action 'none'; {_NO_FRAMES}")


def _policy(response: Response) -> str:
    if request.endpoint == DOCS_ENDPOINT:
        parts = urlsplit(str(current_app.config.get("OPENAPI_SWAGGER_UI_URL", "")))
        cdn = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"
        return docs_policy(response.get_data(as_text=True), cdn)
    if response.mimetype != "text/html":
        return API_POLICY
    return MODELER_POLICY if request.endpoint == MODELER_ENDPOINT else PAGE_POLICY


def _add_headers(response: Response) -> Response:
    headers = response.headers
    if request.endpoint not in STATIC_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    headers["Content-Security-Policy"] = _policy(response)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.extensions["onething"].settings.production:
        headers["Strict-Transport-Security"] = HSTS
    return response


def install(app: Flask) -> None:
    app.after_request(_add_headers)
